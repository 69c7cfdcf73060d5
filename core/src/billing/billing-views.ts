import { Type, type Static } from '@sinclair/typebox';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import type { BillingPrice, PlanRow, SubscriptionRow } from './billing-provider.js';

/** A price of a plan or an add-on (minor units). */
export const Price = Exact({
  currency: Type.String({ description: 'ISO 4217, upper case' }),
  interval: Type.Union([Type.Literal('month'), Type.Literal('year')]),
  amount: Type.Integer({ description: 'Minor units: 1900 is 19.00' }),
});

/** A plan as tenants and the console read it. */
export const PlanView = Exact({
  id: Uuid,
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  prices: Type.Array(Price),
  trial_days: Type.Integer(),
  limits: Type.Record(Type.String(), Nullable(Type.Integer())),
  plugins: Nullable(Type.Array(Type.String())),
  is_default: Type.Boolean(),
  public: Type.Boolean(),
  sort: Type.Integer(),
  archived_at: Nullable(Timestamp),
});

/** The API view of a plan row. */
export function planView(plan: PlanRow): Static<typeof PlanView> {
  return {
    id: plan.id,
    key: plan.key,
    name: plan.name,
    description: plan.description,
    prices: plan.prices,
    trial_days: plan.trial_days,
    limits: plan.limits as Record<string, number | null>,
    plugins: plan.plugins,
    is_default: plan.is_default,
    public: plan.public,
    sort: plan.sort,
    archived_at: plan.archived_at ? new Date(plan.archived_at).toISOString() : null,
  };
}

const status = Type.Union(['trialing', 'active', 'past_due', 'read_only', 'suspended', 'canceled'].map((value) => Type.Literal(value)));

/** The tenant's billing details, printed on its invoices. */
export const BillingDetails = Exact({
  billing_name: Nullable(Type.String()),
  billing_email: Nullable(Type.String()),
  country: Nullable(Type.String({ description: 'ISO 3166-1 alpha-2' })),
  tax_id: Nullable(Type.String()),
  address: Nullable(Type.Record(Type.String(), Type.String())),
});

/** What `GET /billing` answers: the plan, the subscription, usage against the limits, add-ons and the plans on offer. */
export const BillingOverview = Exact({
  plan: PlanView,
  subscription: Exact({
    status,
    currency: Nullable(Type.String()),
    interval: Nullable(Type.Union([Type.Literal('month'), Type.Literal('year')])),
    current_period_start: Nullable(Timestamp),
    current_period_end: Nullable(Timestamp),
    trial_ends_at: Nullable(Timestamp),
    cancel_at_period_end: Type.Boolean(),
    past_due_since: Nullable(Timestamp),
    payment_method: Nullable(Exact({ brand: Type.String(), last4: Type.String(), exp_month: Type.Integer(), exp_year: Type.Integer() })),
    credit_balance: Type.Integer({ description: 'Minor units owed to the tenant, taken off the next invoice' }),
  }),
  billing_status: Type.Union([Type.Literal('ok'), Type.Literal('read_only'), Type.Literal('suspended')]),
  details: BillingDetails,
  usage: Type.Array(Exact({ limit: Type.String(), max: Nullable(Type.Integer()), used: Type.Integer() })),
  addons: Type.Array(Exact({ plugin: Type.String(), started_at: Timestamp, price: Nullable(Price) })),
  plans: Type.Array(PlanView),
  provider: Nullable(Type.Union([Type.Literal('test'), Type.Literal('stripe')])),
});
export type BillingOverview = Static<typeof BillingOverview>;

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

/** The subscription part of the overview. */
export function subscriptionView(row: SubscriptionRow): BillingOverview['subscription'] {
  return {
    status: row.status,
    currency: row.currency,
    interval: row.interval,
    current_period_start: iso(row.current_period_start),
    current_period_end: iso(row.current_period_end),
    trial_ends_at: iso(row.trial_ends_at),
    cancel_at_period_end: row.cancel_at_period_end,
    past_due_since: iso(row.past_due_since),
    payment_method: row.payment_method,
    credit_balance: Number(row.credit_balance),
  };
}

/** The price of a running add-on in the subscription's currency and interval, if the plugin is priced in it. */
export function addonPrice(prices: readonly BillingPrice[] | undefined, row: SubscriptionRow): BillingPrice | null {
  return prices?.find((price) => price.currency === row.currency && price.interval === row.interval) ?? null;
}
