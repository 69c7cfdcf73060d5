/**
 * The tenant's billing as the API answers it (`GET /billing`, `/billing/invoices`, `GET /billing/plans`), and the
 * arithmetic the billing screens share: which price of a plan to show, and whether a change is an upgrade.
 */
import { call } from './api';
import { formatMoney } from './format';
import { formattingLocale } from './i18n';
import type { BillingInterval, BillingPrice, Plan } from './billing-types';

export type { BillingInterval, BillingPrice, Plan } from './billing-types';

/** One limit as it stands for the tenant (`null`: unlimited). */
export interface LimitState {
  limit: string;
  max: number | null;
  used: number;
  /** What is counted, in English, when the API names it. */
  label?: string;
}

export type SubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'read_only' | 'suspended' | 'canceled';
export type BillingStatus = 'ok' | 'read_only' | 'suspended';

export interface PaymentMethod {
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
}

/** The tenant's billing details, printed on its invoices. */
export interface BillingDetails {
  billing_name: string | null;
  billing_email: string | null;
  country: string | null;
  tax_id: string | null;
  address: Record<string, string> | null;
}

/** What `GET /billing` answers. */
export interface BillingOverview {
  plan: Plan;
  subscription: {
    status: SubscriptionStatus;
    currency: string | null;
    interval: BillingInterval | null;
    current_period_start: string | null;
    current_period_end: string | null;
    trial_ends_at: string | null;
    cancel_at_period_end: boolean;
    past_due_since: string | null;
    payment_method: PaymentMethod | null;
    credit_balance: number | string;
  };
  billing_status: BillingStatus;
  details: BillingDetails;
  usage: LimitState[];
  addons: { plugin: string; started_at: string; price: BillingPrice | null }[];
  plans: Plan[];
  provider: string | null;
}

export interface InvoiceLine {
  kind: string;
  description: string;
  amount: number;
  period_start?: string | null;
  period_end?: string | null;
}

/** An invoice of the host to the tenant. */
export interface Invoice {
  id: string;
  number: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  currency: string;
  subtotal: number;
  tax: number;
  tax_rate?: number | string | null;
  total: number;
  amount_paid?: number;
  lines?: InvoiceLine[];
  billing_name?: string | null;
  period_start: string | null;
  period_end: string | null;
  issued_at: string;
  paid_at: string | null;
}

/** The price of a plan in a currency and interval, if it has one. */
export function priceOf(prices: readonly BillingPrice[], currency: string, interval: BillingInterval): BillingPrice | undefined {
  return prices.find((price) => price.currency === currency && price.interval === interval);
}

/** What a price costs per month, to compare plans billed monthly and yearly. */
export function monthly(price: BillingPrice | undefined): number {
  if (!price) return 0;
  return price.interval === 'year' ? price.amount / 12 : price.amount;
}

/** The currencies plans are offered in, the tenant's own first when offered. */
export function offeredCurrencies(plans: readonly Plan[], preferred: readonly (string | null | undefined)[]): string[] {
  const all = [...new Set(plans.flatMap((plan) => plan.prices.map((price) => price.currency)))].sort();
  const first = preferred.find((currency): currency is string => !!currency && all.includes(currency));
  return first ? [first, ...all.filter((currency) => currency !== first)] : all;
}

/** Whether a plan is paid (has any price). */
export const isPaid = (plan: Pick<Plan, 'prices'>) => plan.prices.length > 0;

/** `$19.00` of a price. */
export const money = (price: BillingPrice) => formatMoney(price.amount, price.currency);

/** The address lines the details form keeps, in order. */
export const addressFields = ['line1', 'line2', 'city', 'postal_code', 'state'] as const;

/** A date-time as a day in the tenant's time zone: `5 Dec 2026`. */
export function dayOf(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(formattingLocale(), { dateStyle: 'medium', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(formattingLocale(), { dateStyle: 'medium' }).format(date);
  }
}

/** Goes to the provider's page for a card (it pays an unpaid invoice with it), which returns to this page. */
export async function goToCardPage(slug: string): Promise<void> {
  const { data } = await call<{ url: string }>('POST', '/billing/payment-method', { tenant: slug });
  window.location.assign(data.url);
}
