import { Type } from '@sinclair/typebox';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { BillingConfig } from './billing-config.js';
import { taxRateOf } from './billing-config.js';
import type { BillingInterval, SubscriptionRow } from './billing-provider.js';
import type { InvoiceLine, InvoiceRow, SubscriptionState } from './subscription-state.js';

/** An invoice as the API shows it: amounts in minor units, as integers. */
export const Invoice = Exact({
  id: Uuid,
  number: Type.String({ description: '`INV-000123`: numbered across the host, in the order issued' }),
  status: Type.Union(['draft', 'open', 'paid', 'void', 'uncollectible'].map((status) => Type.Literal(status))),
  currency: Type.String(),
  subtotal: Type.Integer(),
  tax: Type.Integer(),
  tax_rate: Nullable(Type.Number({ description: 'Percent' })),
  total: Type.Integer(),
  amount_paid: Type.Integer(),
  lines: Type.Array(
    Exact({
      kind: Type.Union(['plan', 'addon', 'proration', 'credit'].map((kind) => Type.Literal(kind))),
      description: Type.String(),
      amount: Type.Integer(),
      period_start: Nullable(Type.String()),
      period_end: Nullable(Type.String()),
    }),
  ),
  billing_name: Nullable(Type.String()),
  country: Nullable(Type.String()),
  tax_id: Nullable(Type.String()),
  period_start: Nullable(Timestamp),
  period_end: Nullable(Timestamp),
  hosted_url: Nullable(Type.String()),
  attempt_count: Type.Integer(),
  issued_at: Timestamp,
  paid_at: Nullable(Timestamp),
});

/** The API's view of an invoice row. */
export function invoiceView(row: InvoiceRow) {
  const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    subtotal: Number(row.subtotal),
    tax: Number(row.tax),
    tax_rate: row.tax_rate === null ? null : Number(row.tax_rate),
    total: Number(row.total),
    amount_paid: Number(row.amount_paid),
    lines: row.lines,
    billing_name: row.billing_name,
    country: row.country,
    tax_id: row.tax_id,
    period_start: iso(row.period_start),
    period_end: iso(row.period_end),
    hosted_url: row.hosted_url,
    attempt_count: row.attempt_count,
    issued_at: new Date(row.issued_at).toISOString(),
    paid_at: iso(row.paid_at),
  };
}

/** Adds one interval to `start` (UTC calendar months; the 31st of a short month is its last day). */
export function addInterval(start: Date, interval: BillingInterval, count = 1): Date {
  const next = new Date(start.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + (interval === 'year' ? 12 * count : count));
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, lastDay));
  return next;
}

/** The unused part of `amount` for a period `[start, end)` at `now`, rounded to the minor unit. */
export function prorate(amount: number, start: Date, end: Date, now: Date): number {
  const length = end.getTime() - start.getTime();
  if (length <= 0) return 0;
  const left = Math.min(Math.max(end.getTime() - now.getTime(), 0), length);
  return Math.round((amount * left) / length);
}

/** What an invoice to issue holds: lines before credit and tax, and its period. */
export interface InvoiceDraft {
  /** The provider's id of the invoice: the same draft issued again updates it (exactly one invoice per key). */
  key: string;
  currency: string;
  lines: InvoiceLine[];
  periodStart: Date | null;
  periodEnd: Date | null;
}

/**
 * Issues an open invoice of the test provider: the lines, the tenant's credit balance taken off (never below zero;
 * what is used leaves the balance), then tax at the rate of the tenant's billing country. The caller holds the
 * subscription's lock and charges it.
 */
export async function issueInvoice(
  db: ScopedDb,
  state: SubscriptionState,
  config: BillingConfig,
  subscription: SubscriptionRow,
  draft: InvoiceDraft,
): Promise<InvoiceRow> {
  const lines = [...draft.lines];
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const credit = Math.min(Number(subscription.credit_balance), Math.max(subtotal, 0));
  if (credit > 0) {
    lines.push({ kind: 'credit', description: 'Credit applied', amount: -credit, period_start: null, period_end: null });
    await state.applySubscription(db, subscription.tenant_id, { credit_balance: Number(subscription.credit_balance) - credit });
  }
  const taxable = subtotal - credit;
  const rate = taxRateOf(config, subscription.country);
  const tax = Math.round((taxable * rate) / 100);
  return state.recordInvoice(db, subscription.tenant_id, {
    provider: 'test',
    provider_invoice_id: draft.key,
    status: 'open',
    currency: draft.currency,
    subtotal: taxable,
    tax,
    tax_rate: rate > 0 ? rate : null,
    total: taxable + tax,
    lines,
    period_start: draft.periodStart,
    period_end: draft.periodEnd,
  });
}

/** The tenant's invoice by id on the system path, or undefined (another tenant's id finds nothing). */
export function invoiceOf(db: ScopedDb, tenantId: string, invoiceId: string): Promise<InvoiceRow | undefined> {
  return db.one<InvoiceRow>('select * from billing_invoices where tenant_id = $1 and id = $2', [tenantId, invoiceId]);
}
