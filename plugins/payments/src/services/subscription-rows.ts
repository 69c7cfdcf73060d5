/** A stored plan. */
export interface PlanRow {
  id: string;
  name: string;
  amount: number;
  currency: string;
  interval: 'day' | 'week' | 'month' | 'year';
  interval_count: number;
  trial_days: number;
  provider: string | null;
  active: boolean;
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

/** A stored subscription. */
export interface SubscriptionRow {
  id: string;
  plan_id: string;
  customer_id: string;
  provider: string;
  payment_method_ref: string;
  status: 'trialing' | 'active' | 'past_due' | 'cancelled';
  current_period_start: Date;
  current_period_end: Date;
  cancel_at_period_end: boolean;
  cancelled_at: Date | null;
  dunning_attempts: number;
  next_attempt_at: Date | null;
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

export function planView(row: PlanRow) {
  return {
    id: row.id,
    name: row.name,
    amount: row.amount,
    currency: row.currency,
    interval: row.interval,
    interval_count: row.interval_count,
    trial_days: row.trial_days,
    provider: row.provider,
    active: row.active,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function subscriptionView(row: SubscriptionRow & { customer_email?: string }) {
  return {
    id: row.id,
    plan_id: row.plan_id,
    customer_id: row.customer_id,
    customer_email: row.customer_email ?? null,
    provider: row.provider,
    status: row.status,
    current_period_start: row.current_period_start.toISOString(),
    current_period_end: row.current_period_end.toISOString(),
    cancel_at_period_end: row.cancel_at_period_end,
    cancelled_at: row.cancelled_at?.toISOString() ?? null,
    dunning_attempts: row.dunning_attempts,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
  };
}

/** `make_interval` arguments (years, months, weeks, days) for `count` plan intervals or trial days. */
export function intervalParts(interval: PlanRow['interval'], count: number): [number, number, number, number] {
  return [interval === 'year' ? count : 0, interval === 'month' ? count : 0, interval === 'week' ? count : 0, interval === 'day' ? count : 0];
}
