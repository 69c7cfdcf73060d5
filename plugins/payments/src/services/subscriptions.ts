import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '@plinth/sdk';
import { paymentsErrors } from '../errors.js';
import type { Scope } from '../deps.js';
import type { PaymentProvider, ProviderCredentials } from '../providers/provider.js';
import { isUuid } from './intent-rows.js';
import type { Intents } from './intents.js';
import { callGateway, type Providers } from './providers.js';
import { notifyRenewalFailed } from './renewal-notices.js';
import { intervalParts, subscriptionView, type PlanRow, type SubscriptionRow } from './subscription-rows.js';

/** What starting a subscription needs. */
export interface NewSubscription {
  plan_id: string;
  customer: { email: string; name?: string };
  /** The payer's card or payment method for the gateway (test gateway: a test card number). */
  payment_method: string;
  provider?: string;
  metadata?: Record<string, string>;
}

const subscriptionSelect = 'select s.*, c.email as customer_email from payments_subscriptions s join payments_customers c on c.id = s.customer_id';

/**
 * Subscriptions: started with a stored mandate (and a first charge unless the plan has a trial), renewed by the
 * recurring `payments.subscriptions.renew` job through the provider, retried while past due (dunning, the
 * subscriber and staff notified of each declined renewal), cancelled at once or at the end of the period.
 */
export class Subscriptions {
  constructor(
    private readonly scope: Scope,
    private readonly providers: Providers,
    private readonly intents: Intents,
  ) {}

  async create(input: NewSubscription): Promise<ReturnType<typeof subscriptionView>> {
    const { db, events, jobs } = this.scope.deps;
    const plan = isUuid(input.plan_id) ? await db.one<PlanRow>('select * from payments_plans where id = $1', [input.plan_id]) : undefined;
    if (!plan?.active) throw new ValidationError({ plan_id: ['must be an active plan'] });
    const providerName = input.provider ?? plan.provider ?? this.scope.settings.default_provider;
    const { provider, config } = await this.providers.resolve(providerName);
    const customer = await this.customer(provider, config, input.customer);
    const id = randomUUID();
    const mandate = await callGateway(this.scope, provider, 'createSubscription', () =>
      provider.createSubscription({ subscriptionId: id, customerRef: customer.provider_ref, paymentMethod: input.payment_method }, config),
    );
    if (mandate.status === 'failed') throw new ValidationError({ payment_method: [mandate.failureReason ?? 'cannot be used for recurring payments'] });
    const metadata = input.metadata ?? {};
    const trial = plan.trial_days > 0;
    const periodParts = trial ? intervalParts('day', plan.trial_days) : intervalParts(plan.interval, plan.interval_count);
    const [row] = await db.query<SubscriptionRow>(
      `insert into payments_subscriptions (id, plan_id, customer_id, provider, payment_method_ref, status, current_period_start, current_period_end, next_attempt_at, metadata)
       values ($1, $2, $3, $4, $5, $6, now(), now() + make_interval(years => $7, months => $8, weeks => $9, days => $10),
               now() + make_interval(years => $7, months => $8, weeks => $9, days => $10), $11) returning *`,
      [id, plan.id, customer.id, providerName, mandate.paymentMethodRef, trial ? 'trialing' : 'active', ...periodParts, JSON.stringify(metadata)],
    );
    if (!trial) {
      const paid = await this.charge(row!, plan, provider, config, customer.provider_ref);
      if (paid === 'failed') throw new ValidationError({ payment_method: ['the first payment was declined'] });
    }
    await this.audit('created', row!.id, undefined, row!);
    await events.emit('payments.subscription.created', { subscriptionId: id, planId: plan.id, status: row!.status, metadata });
    await jobs.every('payments.subscriptions.renew', '15 minutes', {});
    return this.get(id);
  }

  async get(id: string): Promise<ReturnType<typeof subscriptionView>> {
    const row = isUuid(id)
      ? await this.scope.deps.db.one<SubscriptionRow & { customer_email: string }>(`${subscriptionSelect} where s.id = $1`, [id])
      : undefined;
    if (!row) throw new NotFoundError('Subscription not found');
    return subscriptionView(row);
  }

  /** Cancels now, or at the end of the paid period (`atPeriodEnd`, the default). */
  async cancel(id: string, atPeriodEnd: boolean): Promise<ReturnType<typeof subscriptionView>> {
    const row = await this.lock(id);
    if (row.status === 'cancelled') throw paymentsErrors.subscription_cancelled('The subscription is already cancelled');
    if (atPeriodEnd) await this.setCancelAtPeriodEnd(row, true);
    else await this.end(row);
    return this.get(id);
  }

  /** Undoes a cancellation at period end that has not happened yet. */
  async resume(id: string): Promise<ReturnType<typeof subscriptionView>> {
    const row = await this.lock(id);
    if (row.status === 'cancelled') throw paymentsErrors.subscription_cancelled('The subscription is already cancelled');
    await this.setCancelAtPeriodEnd(row, false);
    return this.get(id);
  }

  private async setCancelAtPeriodEnd(row: SubscriptionRow, cancel: boolean): Promise<void> {
    const [after] = await this.scope.deps.db.query<SubscriptionRow>(
      'update payments_subscriptions set cancel_at_period_end = $2, updated_at = now() where id = $1 returning *',
      [row.id, cancel],
    );
    await this.audit(cancel ? 'cancel_scheduled' : 'resumed', row.id, row, after!);
  }

  /** Records a change of a subscription; the stored payment method (a gateway's mandate) never reaches the log. */
  private async audit(verb: string, id: string, before: SubscriptionRow | undefined, after: SubscriptionRow | undefined, data?: Record<string, unknown>) {
    await this.scope.deps.audit.record({
      entity: 'subscription',
      verb,
      target: id,
      ...(before ? { before: { ...before } } : {}),
      ...(after ? { after: { ...after } } : {}),
      redact: ['payment_method_ref'],
      ...(data ? { data } : {}),
    });
  }

  /** Renews (or retries, or ends) every subscription that is due; returns how many it handled. */
  async renewDue(limit = 100): Promise<number> {
    const due = await this.scope.deps.db.query<SubscriptionRow>(
      `select * from payments_subscriptions where status <> 'cancelled' and next_attempt_at <= now()
       order by next_attempt_at limit $1 for update skip locked`,
      [limit],
    );
    for (const row of due) await this.renew(row);
    return due.length;
  }

  private async renew(row: SubscriptionRow): Promise<void> {
    const { db, events, logger } = this.scope.deps;
    if (row.cancel_at_period_end && row.current_period_end <= new Date()) return this.end(row);
    const plan = (await db.one<PlanRow>('select * from payments_plans where id = $1', [row.plan_id]))!;
    const customer = (await db.one<{ provider_ref: string }>('select provider_ref from payments_customers where id = $1', [row.customer_id]))!;
    let outcome: 'paid' | 'failed';
    try {
      const { provider, config } = await this.providers.resolve(row.provider);
      outcome = await this.charge(row, plan, provider, config, customer.provider_ref);
    } catch (error) {
      // The gateway could not be reached: try again later without counting it as a declined payment.
      logger.warn({ subscriptionId: row.id, error: error instanceof Error ? error.message : String(error) }, 'subscription renewal postponed');
      await db.query(`update payments_subscriptions set next_attempt_at = now() + make_interval(mins => $2), updated_at = now() where id = $1`, [
        row.id,
        this.scope.settings.dunning_retry_minutes,
      ]);
      return;
    }
    const base = { subscriptionId: row.id, planId: row.plan_id, metadata: row.metadata };
    if (outcome === 'paid') {
      const [renewed] = await db.query<SubscriptionRow>(
        `update payments_subscriptions set status = 'active', dunning_attempts = 0,
           current_period_start = current_period_end,
           current_period_end = current_period_end + make_interval(years => $2, months => $3, weeks => $4, days => $5),
           next_attempt_at = current_period_end + make_interval(years => $2, months => $3, weeks => $4, days => $5), updated_at = now()
         where id = $1 returning *`,
        [row.id, ...intervalParts(plan.interval, plan.interval_count)],
      );
      await this.audit('renewed', row.id, row, renewed);
      await events.emit('payments.subscription.renewed', { ...base, periodEnd: renewed!.current_period_end.toISOString() });
      return;
    }
    const attempt = row.dunning_attempts + 1;
    const final = attempt >= this.scope.settings.dunning_max_attempts;
    await notifyRenewalFailed(this.scope, row, plan, attempt, final);
    if (final) return this.end(row, attempt);
    const [pastDue] = await db.query<SubscriptionRow>(
      `update payments_subscriptions set status = 'past_due', dunning_attempts = $2, next_attempt_at = now() + make_interval(mins => $3), updated_at = now()
        where id = $1 returning *`,
      [row.id, attempt, this.scope.settings.dunning_retry_minutes],
    );
    await this.audit('past_due', row.id, row, pastDue, { attempt });
    await events.emit('payments.subscription.past_due', { ...base, attempt });
  }

  /** Charges one period through the provider, as an intent linked to the subscription. */
  private async charge(
    row: SubscriptionRow,
    plan: PlanRow,
    provider: PaymentProvider,
    config: ProviderCredentials,
    customerRef: string,
  ): Promise<'paid' | 'failed'> {
    const intentId = randomUUID();
    const metadata = { ...row.metadata, subscription_id: row.id, plan_id: plan.id };
    const description = `${plan.name} subscription`;
    const result = await callGateway(this.scope, provider, 'chargeRecurring', () =>
      provider.chargeRecurring(
        { intentId, customerRef, paymentMethodRef: row.payment_method_ref, amount: plan.amount, currency: plan.currency, description, metadata },
        config,
      ),
    );
    const intent = { id: intentId, provider: row.provider, amount: plan.amount, currency: plan.currency, description, metadata, subscriptionId: row.id };
    const stored = await this.intents.insert(intent, result, 'renewal');
    return stored.status === 'failed' || stored.status === 'requires_payment_method' || stored.status === 'requires_action' ? 'failed' : 'paid';
  }

  /** Cancels now: asked for, due at the end of the period, or after the last declined renewal (`attempts`). */
  private async end(row: SubscriptionRow, attempts = row.dunning_attempts): Promise<void> {
    const [ended] = await this.scope.deps.db.query<SubscriptionRow>(
      `update payments_subscriptions set status = 'cancelled', cancelled_at = now(), next_attempt_at = null, dunning_attempts = $2, updated_at = now()
        where id = $1 returning *`,
      [row.id, attempts],
    );
    await this.audit('cancelled', row.id, row, ended);
    await this.scope.deps.events.emit('payments.subscription.cancelled', { subscriptionId: row.id, planId: row.plan_id, metadata: row.metadata });
  }

  private async lock(id: string): Promise<SubscriptionRow> {
    const row = isUuid(id) ? await this.scope.deps.db.one<SubscriptionRow>('select * from payments_subscriptions where id = $1 for update', [id]) : undefined;
    if (!row) throw new NotFoundError('Subscription not found');
    return row;
  }

  /** The payer at this provider, created there on first use. */
  private async customer(provider: PaymentProvider, config: ProviderCredentials, input: NewSubscription['customer']) {
    const { db } = this.scope.deps;
    const email = input.email.trim().toLowerCase();
    const existing = await db.one<{ id: string; provider_ref: string }>('select id, provider_ref from payments_customers where provider = $1 and email = $2', [
      provider.name,
      email,
    ]);
    if (existing) return existing;
    const id = randomUUID();
    const created = await callGateway(this.scope, provider, 'createCustomer', () =>
      provider.createCustomer({ customerId: id, email, name: input.name ?? null }, config),
    );
    const [row] = await db.query<{ id: string; provider_ref: string; provider: string; email: string; name: string | null }>(
      `insert into payments_customers (id, provider, email, name, provider_ref) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, provider, email) do update set name = coalesce(excluded.name, payments_customers.name)
       returning id, provider_ref, provider, email, name`,
      [id, provider.name, email, input.name ?? null, created.providerRef],
    );
    // A concurrent first subscription of the same payer may have stored them first (then the id is theirs).
    if (row!.id === id) {
      // The payer's email and name are personal data: the entry says they were set, not what to.
      const after = { provider: row!.provider, provider_ref: row!.provider_ref, email: row!.email, name: row!.name };
      await this.scope.deps.audit.record({ entity: 'customer', verb: 'created', target: id, after, redact: ['email', 'name'] });
    }
    return row!;
  }
}
