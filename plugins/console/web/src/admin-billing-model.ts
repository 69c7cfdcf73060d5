/**
 * The host's billing screens' data (docs/billing.md): plans, add-on prices, subscriptions and revenue as the
 * `/admin/billing/*` routes answer them, and the pure conversions between what a person types (amounts in major
 * units, limits in megabytes) and what the API stores (minor units, bytes). No DOM: unit-tested in
 * test/admin-billing.web.test.ts.
 */
// `.js`: the unit test type-checks this file with NodeNext resolution; Vite maps them to the .ts sources.
import { decimalToScaled, moneyDraft } from './fields/convert.js';
import { currencyDigits } from './format.js';
import type { BillingInterval, BillingPrice, Plan } from './billing-types.js';

export type { BillingInterval, BillingPrice } from './billing-types.js';
export const intervals: readonly BillingInterval[] = ['month', 'year'];

/** A plan as `GET /admin/billing/plans` lists it: with the tenants subscribed to it. */
export interface AdminPlan extends Plan {
  tenants: number;
}

/** One limit the host can set (`GET /admin/billing/limits`): a core quota (`plugin` null) or a plugin's. */
export interface LimitEntry {
  limit: string;
  label: string;
  plugin: string | null;
}

/** A plugin sold as an add-on (`GET /admin/billing/plugin-prices`). */
export interface PluginPrice {
  plugin: string;
  prices: BillingPrice[];
}

/** The subscription states, in the order the filters list them. */
export const subscriptionStatuses = ['trialing', 'active', 'past_due', 'read_only', 'suspended', 'canceled'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** What dunning did to a tenant (`tenants.billing_status`). */
export type BillingStatus = 'ok' | 'read_only' | 'suspended';

/** A tenant's subscription as `GET /admin/billing/subscriptions` lists it. */
export interface AdminSubscription {
  tenant: { id: string; slug: string; name: string };
  plan: { key: string; name: string };
  status: SubscriptionStatus;
  billing_status: BillingStatus;
  provider: string | null;
  currency: string | null;
  interval: BillingInterval | null;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  past_due_since: string | null;
  /** Monthly recurring revenue in minor units (a yearly price counts a twelfth); null when it is not billed. */
  mrr: { currency: string; amount: number } | null;
}

/** `GET /admin/billing/revenue`. */
export interface Revenue {
  mrr: { currency: string; amount: number }[];
  plans: { key: string; name: string; subscribers: number }[];
  statuses: { status: string; count: number }[];
  /** Paid per month (`YYYY-MM`) and currency over the last 12 months. */
  months: { month: string; currency: string; paid: number }[];
}

/** A price row of a form: the amount as typed. */
export interface PriceDraft {
  /** Stable while rows are added and removed (Preact's key). */
  key: string;
  currency: string;
  interval: BillingInterval;
  amount: string;
}

let rowCount = 0;

/** A new row's key. */
export function rowKey(): string {
  rowCount += 1;
  return `price-${rowCount}`;
}

/** Stored prices as rows of the form (amounts with every decimal of their currency: 1900 USD → `19.00`). */
export function priceDrafts(prices: readonly BillingPrice[]): PriceDraft[] {
  return prices.map((price) => ({
    key: rowKey(),
    currency: price.currency,
    interval: price.interval,
    amount: moneyDraft(price.amount, currencyDigits(price.currency)),
  }));
}

/** Field errors by their API path (`prices.0.amount`), as the API's `errors` are keyed. */
export type FieldProblems = Record<string, string[]>;

/**
 * The rows as the API's prices, or the problems found, keyed as the API would key them (`prices.1.amount`): an
 * amount that is not a number of the currency's decimals, a negative one, a currency and interval given twice.
 */
export function pricesFrom(
  drafts: readonly PriceDraft[],
  words: { amount(digits: number): string; duplicate: string },
  prefix = 'prices',
): { prices: BillingPrice[]; problems: FieldProblems } {
  const prices: BillingPrice[] = [];
  const problems: FieldProblems = {};
  const seen = new Set<string>();
  drafts.forEach((draft, index) => {
    const digits = currencyDigits(draft.currency);
    const amount = decimalToScaled(draft.amount, digits);
    if (amount === undefined || amount < 0) problems[`${prefix}.${index}.amount`] = [words.amount(digits)];
    const pair = `${draft.currency}:${draft.interval}`;
    if (seen.has(pair)) problems[`${prefix}.${index}.currency`] = [words.duplicate];
    seen.add(pair);
    if (amount !== undefined && amount >= 0) prices.push({ currency: draft.currency, interval: draft.interval, amount });
  });
  return { prices, problems };
}

/** Limits typed in megabytes and stored in bytes. */
export const megabyteLimits: ReadonlySet<string> = new Set(['storage_bytes']);
const megabyte = 1024 * 1024;

/** One limit as typed: a number, "unlimited", or nothing (the host's default). */
export interface LimitDraft {
  value: string;
  unlimited: boolean;
}

/** Stored limits as drafts (storage in megabytes, exactly). */
export function limitDrafts(limits: Record<string, number | null>): Record<string, LimitDraft> {
  return Object.fromEntries(
    Object.entries(limits).map(([key, value]) => [
      key,
      value === null ? { value: '', unlimited: true } : { value: String(megabyteLimits.has(key) ? value / megabyte : value), unlimited: false },
    ]),
  );
}

/** The drafts as the API's limits (`null` unlimited, a key left out: the host's default), or the problems by `limits.<key>`. */
export function limitsFrom(drafts: Record<string, LimitDraft>, invalid: string): { limits: Record<string, number | null>; problems: FieldProblems } {
  const limits: Record<string, number | null> = {};
  const problems: FieldProblems = {};
  for (const [key, draft] of Object.entries(drafts)) {
    if (draft.unlimited) {
      limits[key] = null;
      continue;
    }
    const text = draft.value.trim();
    if (text === '') continue;
    const megabytes = megabyteLimits.has(key);
    const scaled = decimalToScaled(text, megabytes ? 3 : 0);
    if (scaled === undefined || scaled < 0) {
      problems[`limits.${key}`] = [invalid];
      continue;
    }
    limits[key] = megabytes ? Math.round((scaled / 1000) * megabyte) : scaled;
  }
  return { limits, problems };
}

/** Minor units per month of a price (a year's price counts a twelfth, rounded). */
export function monthlyAmount(price: BillingPrice): number {
  return price.interval === 'year' ? Math.round(price.amount / 12) : price.amount;
}

/** The twelve months ending with `now`'s (UTC), oldest first, as `YYYY-MM`. */
export function lastTwelveMonths(now: Date): string[] {
  const months: string[] = [];
  for (let back = 11; back >= 0; back--) {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(`${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

/** Paid per month for each currency, over `months` (a month without payment: 0). */
export function paidSeries(rows: Revenue['months'], months: readonly string[]): { currency: string; values: number[] }[] {
  const currencies = [...new Set(rows.map((row) => row.currency))].sort();
  return currencies.map((currency) => ({
    currency,
    values: months.map((month) => rows.filter((row) => row.currency === currency && row.month === month).reduce((sum, row) => sum + row.paid, 0)),
  }));
}
