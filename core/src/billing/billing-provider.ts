import type { ScopedDb } from '../db/scoped-db.js';

/** A billing interval of a price. */
export type BillingInterval = 'month' | 'year';

/** One price of a plan or a paid plugin: an amount in the currency's minor units per interval. */
export interface BillingPrice {
  /** ISO 4217, upper case (`USD`, `EUR`, `EGP`). */
  currency: string;
  interval: BillingInterval;
  amount: number;
}

/** A plan row as the billing code reads it (`billing_plans`). */
export interface PlanRow {
  id: string;
  key: string;
  name: string;
  description: string;
  prices: BillingPrice[];
  trial_days: number;
  limits: Record<string, number | null>;
  plugins: string[] | null;
  is_default: boolean;
  public: boolean;
  sort: number;
  provider_refs: Record<string, string>;
  archived_at: Date | null;
}

/** The subscription row (`tenant_subscriptions`), locked `for update` by the caller of a provider operation. */
export interface SubscriptionRow {
  id: string;
  tenant_id: string;
  plan_id: string;
  status: 'trialing' | 'active' | 'past_due' | 'read_only' | 'suspended' | 'canceled';
  currency: string | null;
  interval: BillingInterval | null;
  provider: 'test' | 'stripe' | null;
  provider_customer_id: string | null;
  provider_subscription_id: string | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  trial_ends_at: Date | null;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  past_due_since: Date | null;
  dunning_notices: number;
  payment_method: { brand: string; last4: string; exp_month: number; exp_year: number } | null;
  credit_balance: string;
  billing_name: string | null;
  billing_email: string | null;
  country: string | null;
  tax_id: string | null;
  address: Record<string, string> | null;
  version: number;
  provider_synced_at: Date | null;
}

/** What a provider operation works on: the tenant's transaction on the system path, its locked subscription, and ids. */
export interface ProviderOperation {
  /** The system-path transaction holding the subscription row's lock; the provider writes its rows here. */
  db: ScopedDb;
  subscription: SubscriptionRow;
  /** `${subscription.id}:v${version}:<operation>`: the same request retried never charges twice. */
  idempotencyKey: string;
  /** Where a hosted page returns the browser (the tenant's billing page). */
  returnUrl: string;
}

/** A plan change or a first paid plan: the target plan and its price. */
export interface PlanChoice {
  plan: PlanRow;
  price: BillingPrice;
}

/** What a change answers: the state is written; `checkoutUrl` when the tenant must first go to a hosted page to pay. */
export interface ProviderResult {
  checkoutUrl?: string;
}

/**
 * A billing provider: the host's own payment account, charging tenants (docs/billing.md).
 * - `test`: the kernel's own engine for development and tests — it computes prorations, issues invoices, renews on
 *   schedule (job `core.billing.renew`) and charges a test card (`4242…` pays, `4000 0000 0000 0341` declines
 *   renewals), through a hosted test page on this server.
 * - `stripe`: Stripe Billing through the official client: Stripe renews, prorates and retries; the kernel mirrors the
 *   state from Stripe's signed webhooks, re-reading each object from Stripe so events out of order converge.
 *
 * Each operation runs with the subscription row locked and writes the resulting state (rows of
 * `tenant_subscriptions`, `tenant_subscription_addons`, `billing_invoices`) through the shared state functions of
 * `subscription-state.ts`, so both providers move the same state machine.
 */
export interface BillingProvider {
  readonly name: 'test' | 'stripe';
  /** Starts a paid plan from the free one (a trial without a card when the plan has one; else a hosted checkout). */
  subscribe(operation: ProviderOperation, choice: PlanChoice): Promise<ProviderResult>;
  /** Moves a paid subscription to another plan or price now, prorating the rest of the period. */
  changePlan(operation: ProviderOperation, choice: PlanChoice): Promise<ProviderResult>;
  /** Ends the paid subscription at the end of its period (`atPeriodEnd`), or undoes that (`resume`). */
  cancel(operation: ProviderOperation): Promise<void>;
  resume(operation: ProviderOperation): Promise<void>;
  /** A hosted page where the tenant adds or replaces its card; an unpaid invoice is paid with it. */
  paymentMethodCheckout(operation: ProviderOperation): Promise<{ url: string }>;
  /** Tries an open invoice again now. */
  payInvoice(operation: ProviderOperation, invoiceId: string): Promise<void>;
  /** Starts (prorated) or ends a paid plugin's add-on on the subscription. */
  startAddon(operation: ProviderOperation, plugin: string, price: BillingPrice): Promise<void>;
  endAddon(operation: ProviderOperation, plugin: string): Promise<void>;
}
