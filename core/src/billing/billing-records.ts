/**
 * The shapes the billing state machine (subscription-state.ts) reads and writes: invoices as providers report them and
 * as they are stored, and the billing emails queued after a change.
 */

/** One line of an invoice: amounts in minor units, negative for a credit. */
export interface InvoiceLine {
  kind: 'plan' | 'addon' | 'proration' | 'credit';
  description: string;
  amount: number;
  period_start: string | null;
  period_end: string | null;
}

/** An invoice as a provider reports it; `provider_invoice_id` makes recording it again an update, not a second invoice. */
export interface InvoiceInput {
  provider: 'test' | 'stripe';
  /** The provider's id (Stripe's `in_…`; the test engine's own key, e.g. `renewal:<subscription>:<period start>`). */
  provider_invoice_id: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  currency: string;
  subtotal: number;
  tax: number;
  /** Percent, e.g. `19` (null: no tax). */
  tax_rate: number | null;
  total: number;
  amount_paid?: number;
  lines: InvoiceLine[];
  period_start: Date | null;
  period_end: Date | null;
  hosted_url?: string | null;
  issued_at?: Date;
  paid_at?: Date | null;
}

/** A row of `billing_invoices` (bigint columns come back as strings). */
export interface InvoiceRow {
  id: string;
  tenant_id: string;
  number: string;
  status: InvoiceInput['status'];
  currency: string;
  subtotal: string;
  tax: string;
  tax_rate: string | null;
  total: string;
  amount_paid: string;
  lines: InvoiceLine[];
  billing_name: string | null;
  country: string | null;
  tax_id: string | null;
  period_start: Date | null;
  period_end: Date | null;
  provider: string | null;
  provider_invoice_id: string | null;
  hosted_url: string | null;
  attempt_count: number;
  issued_at: Date;
  paid_at: Date | null;
}

/** The job that sends billing emails (billing-notifications.ts), queued after the state's transaction commits. */
export const billingNoticeJob = 'core.billing.notice';

/** What the notice job sends: a notification template to the billing managers, or an invoice with its PDF. */
export interface BillingNotice {
  tenantId: string;
  template: BillingTemplate;
  /** The notification's key: the same notice of the same episode is sent once. */
  key: string;
  invoiceId?: string;
}

/** Billing's email templates (core-notifications.ts). */
export type BillingTemplate =
  | 'core.billing-payment-failed'
  | 'core.billing-reminder'
  | 'core.billing-read-only'
  | 'core.billing-suspended'
  | 'core.billing-invoice'
  | 'core.billing-trial-ending';
