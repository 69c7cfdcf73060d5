import type Stripe from 'stripe';
import type { Clock } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';
import type { SubscriptionRow } from './billing-provider.js';
import { planItem } from './stripe-billing-client.js';
import { dunningStatuses, type InvoiceInput, type InvoiceLine, type SubscriptionPatch, type SubscriptionState } from './subscription-state.js';

/** What mirroring Stripe's objects needs: the state functions and the kernel's clock. */
export interface StripeSyncDeps {
  state: SubscriptionState;
  clock: Clock;
}

/**
 * Writes a Stripe subscription's current state to the tenant's row (through `applySubscription`). Dunning is the
 * kernel's, moved by invoices: a subscription never enters it here (`invoiceFailed` does, sending the email) nor leaves
 * it (`invoicePaid` does), so Stripe's `past_due` never undoes the kernel's read-only or suspended step. `readAt` is
 * the kernel's time just before the object was read from Stripe, stored as `provider_synced_at`: a read older than the
 * one applied last (two webhooks racing) is not applied over it.
 */
export async function applyStripeSubscription(
  deps: StripeSyncDeps,
  db: ScopedDb,
  tenantId: string,
  subscription: Stripe.Subscription,
  readAt: Date,
): Promise<SubscriptionRow> {
  const row = await deps.state.load(db, tenantId, { lock: true });
  // Read before another (concurrent) reader applied a newer state: stale, not applied.
  if (row.provider_synced_at && readAt < row.provider_synced_at) return row;
  const item = planItem(subscription);
  const patch: SubscriptionPatch = {
    provider: 'stripe',
    provider_customer_id: idOf(subscription.customer),
    provider_synced_at: readAt,
  };
  const ended = subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
  if (ended) {
    // The tenant's current subscription ended: back to the default plan. An older one ending changes nothing.
    if (row.provider_subscription_id !== subscription.id) return row;
    return deps.state.applySubscription(db, tenantId, { ...patch, status: 'canceled', canceled_at: dateOf(subscription.canceled_at) ?? deps.clock.now() });
  }
  // Another subscription of the same customer than the tenant's current one (an old or a stray one) is not mirrored.
  if (row.provider_subscription_id && row.provider_subscription_id !== subscription.id) return row;
  const planId = await planOf(db, subscription, item);
  Object.assign(patch, {
    provider_subscription_id: subscription.id,
    ...(planId ? { plan_id: planId } : {}),
    currency: subscription.currency.toUpperCase(),
    interval: item?.price.recurring?.interval === 'year' ? 'year' : 'month',
    current_period_start: dateOf(item?.current_period_start ?? null),
    current_period_end: dateOf(item?.current_period_end ?? null),
    trial_ends_at: subscription.status === 'trialing' ? dateOf(subscription.trial_end) : null,
    cancel_at_period_end: subscription.cancel_at_period_end,
  } satisfies SubscriptionPatch);
  const card = cardOf(subscription.default_payment_method);
  if (card) patch.payment_method = card;
  const inDunning = dunningStatuses.includes(row.status);
  if (subscription.status === 'trialing' && !inDunning) patch.status = 'trialing';
  if (subscription.status === 'active' && !inDunning) patch.status = 'active';
  // The same state read again (another event about it): no new version, no audit entry; only the time of the read
  // advances, so a read older than this one is still refused.
  if (sameState(row, patch)) {
    await db.query('update tenant_subscriptions set provider_synced_at = $2 where tenant_id = $1 and (provider_synced_at is null or provider_synced_at < $2)', [
      tenantId,
      readAt,
    ]);
    return row;
  }
  return deps.state.applySubscription(db, tenantId, patch);
}

/** JSON with object keys sorted (jsonb stores them in its own order). */
function stable(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.fromEntries(Object.entries(entry).sort(([a], [b]) => a.localeCompare(b))) : entry,
  );
}

/** Whether writing `patch` would change nothing of `row` but the time of the read. */
function sameState(row: SubscriptionRow, patch: SubscriptionPatch): boolean {
  return Object.entries(patch).every(([key, value]) => {
    if (key === 'provider_synced_at') return true;
    const stored: unknown = row[key as keyof SubscriptionRow];
    if (value instanceof Date || stored instanceof Date) return (value as Date | null)?.getTime() === (stored as Date | null)?.getTime();
    return stable(value) === stable(stored);
  });
}

/**
 * Records a Stripe invoice as it stands now (by its id: recording it again updates it) and moves the state it implies:
 * paid → `invoicePaid` (ends dunning, emails it); open after a failed charge → `invoiceFailed` (starts dunning). A
 * zero-amount invoice (a trial's start) records nothing: there is nothing to pay or show.
 */
export async function applyStripeInvoice(deps: StripeSyncDeps, db: ScopedDb, tenantId: string, invoice: Stripe.Invoice): Promise<void> {
  if (invoice.total === 0 && invoice.amount_due === 0) return;
  const status = invoiceStatuses.find((known) => known === invoice.status) ?? 'draft';
  // Stripe's invoice lines carry the subscription's metadata, not the item's: an add-on's line is known by its price.
  const addonPrices = new Set(
    (
      await db.query<{ price: string }>(
        "select e.value as price from billing_plugin_prices p, jsonb_each_text(p.provider_refs) e where e.key like '%:%' and e.key not like '%:amount'",
      )
    ).map((row) => row.price),
  );
  const lines = invoice.lines.data.map((line) => lineOf(line, addonPrices));
  const starts = invoice.lines.data.map((line) => line.period.start);
  const ends = invoice.lines.data.map((line) => line.period.end);
  const tax = (invoice.total_taxes ?? []).reduce((sum, entry) => sum + entry.amount, 0);
  const input: InvoiceInput = {
    provider: 'stripe',
    provider_invoice_id: invoice.id,
    status,
    currency: invoice.currency.toUpperCase(),
    subtotal: invoice.subtotal,
    tax,
    tax_rate: invoice.subtotal > 0 && tax > 0 ? Math.round((tax / invoice.subtotal) * 100_000) / 1000 : null,
    total: invoice.total,
    amount_paid: invoice.amount_paid,
    lines,
    // A subscription invoice's own period is the one before it; its lines name the period billed.
    period_start: starts.length ? new Date(Math.min(...starts) * 1000) : dateOf(invoice.period_start),
    period_end: ends.length ? new Date(Math.max(...ends) * 1000) : dateOf(invoice.period_end),
    hosted_url: invoice.hosted_invoice_url ?? null,
    issued_at: dateOf(invoice.status_transitions.finalized_at ?? invoice.created) ?? undefined,
    paid_at: null,
  };
  const before = await db.one<{ status: string; attempt_count: number }>(
    "select status, attempt_count from billing_invoices where tenant_id = $1 and provider = 'stripe' and provider_invoice_id = $2",
    [tenantId, invoice.id],
  );
  // Paid, void and uncollectible are final: an older read saying open or draft does not reopen the invoice.
  if (before && ['paid', 'void', 'uncollectible'].includes(before.status) && (status === 'open' || status === 'draft')) return;
  const newlyPaid = status === 'paid' && before?.status !== 'paid';
  // A newly paid invoice is recorded open, then marked paid by `invoicePaid`, which ends dunning and emails it.
  const recorded = await deps.state.recordInvoice(db, tenantId, newlyPaid ? { ...input, status: 'open', amount_paid: 0 } : input);
  if (newlyPaid) {
    await deps.state.invoicePaid(db, tenantId, recorded.id, { paidAt: dateOf(invoice.status_transitions.paid_at) ?? deps.clock.now() });
  } else if (status === 'open' && invoice.attempted && invoice.attempt_count > (before?.attempt_count ?? 0)) {
    await deps.state.invoiceFailed(db, tenantId, recorded.id);
  }
}

const invoiceStatuses = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;

/** The plan a subscription's plan item prices: the plan whose `provider_refs` remember that price, else its metadata. */
async function planOf(db: ScopedDb, subscription: Stripe.Subscription, item: Stripe.SubscriptionItem | undefined): Promise<string | undefined> {
  if (item) {
    const byPrice = await db.one<{ id: string }>(
      'select id from billing_plans where exists (select 1 from jsonb_each_text(provider_refs) e where e.key like $2 and e.value = $1)',
      [item.price.id, '%:%'],
    );
    if (byPrice) return byPrice.id;
  }
  const named = subscription.metadata?.plan_id;
  if (!named || !/^[0-9a-f-]{36}$/i.test(named)) return undefined;
  return (await db.one<{ id: string }>('select id from billing_plans where id = $1', [named]))?.id;
}

function lineOf(line: Stripe.InvoiceLineItem, addonPrices: Set<string>): InvoiceLine {
  const details = line.parent?.subscription_item_details;
  const price = line.pricing?.price_details?.price;
  const priceId = typeof price === 'string' ? price : price?.id;
  return {
    kind: details?.proration ? 'proration' : priceId && addonPrices.has(priceId) ? 'addon' : line.amount < 0 ? 'credit' : 'plan',
    description: line.description ?? '',
    amount: line.amount,
    period_start: new Date(line.period.start * 1000).toISOString(),
    period_end: new Date(line.period.end * 1000).toISOString(),
  };
}

function cardOf(method: string | Stripe.PaymentMethod | null): SubscriptionRow['payment_method'] | undefined {
  if (!method || typeof method === 'string' || !method.card) return undefined;
  const { brand, last4, exp_month, exp_year } = method.card;
  return { brand, last4, exp_month, exp_year };
}

/** The id of a Stripe reference (an id, or the expanded object). */
export function idOf(reference: string | { id: string } | null | undefined): string | null {
  return reference == null ? null : typeof reference === 'string' ? reference : reference.id;
}

function dateOf(seconds: number | null | undefined): Date | null {
  return seconds == null ? null : new Date(seconds * 1000);
}
