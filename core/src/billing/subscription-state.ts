import type { AuditActor } from '../audit/audit.js';
import { recordTenantAudit } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { BillingInterval, SubscriptionRow } from './billing-provider.js';
import { billingNoticeJob, type BillingNotice, type InvoiceInput, type InvoiceRow } from './billing-records.js';

export { billingNoticeJob, type BillingNotice, type BillingTemplate, type InvoiceInput, type InvoiceLine, type InvoiceRow } from './billing-records.js';

/**
 * The subscription state machine both providers drive (the test engine and Stripe's webhooks): every write of a
 * tenant's subscription, invoices and add-ons goes through these functions, so `tenants.billing_status`, the dunning
 * episode, the caches and the audit log always follow.
 *
 * Transactions: every function takes a transaction on the **system path** (`runAsSystem`) and the tenant id, and
 * filters by that id explicitly. The system path, not `runInTenant`, because the state spans a host table
 * (`tenants.billing_status`, which tenant work may not write), because renewals, dunning and webhooks find their
 * tenants across all of them, and because a webhook learns the tenant only from the provider's ids. The caller holds
 * the subscription row's lock (`load(db, tenantId, { lock: true })`) while it decides and writes.
 */

/** Which statuses are a dunning episode (the renewal unpaid), in order of severity. */
export const dunningStatuses: readonly SubscriptionRow['status'][] = ['past_due', 'read_only', 'suspended'];

/** `tenants.billing_status` for a subscription status: only dunning's later steps restrict the tenant. */
export function billingStatusOf(status: SubscriptionRow['status']): 'ok' | 'read_only' | 'suspended' {
  return status === 'read_only' || status === 'suspended' ? status : 'ok';
}

/** What a provider may change on a subscription; a field absent is left as it is. */
export interface SubscriptionPatch {
  plan_id?: string;
  status?: SubscriptionRow['status'];
  currency?: string | null;
  interval?: BillingInterval | null;
  provider?: 'test' | 'stripe' | null;
  provider_customer_id?: string | null;
  provider_subscription_id?: string | null;
  current_period_start?: Date | null;
  current_period_end?: Date | null;
  trial_ends_at?: Date | null;
  cancel_at_period_end?: boolean;
  canceled_at?: Date | null;
  payment_method?: SubscriptionRow['payment_method'];
  /** Minor units owed to the tenant. */
  credit_balance?: number;
  dunning_notices?: number;
  /**
   * The provider's time of this state. When the row already holds a newer one, the patch is not applied (an event
   * arriving late never overwrites what a newer one wrote); the row is returned as it is.
   */
  provider_synced_at?: Date | null;
}

/** What the state functions use: the clock, the caches they invalidate, and the jobs that send the emails. */
export type BillingStateServices = Pick<KernelServices, 'clock' | 'tenants' | 'jobs' | 'logger'> & {
  /** The entitlements cache (H1's service), dropped for the tenant on every change; absent in a kernel without it. */
  entitlements?: { invalidate(tenantId?: string): unknown };
};

/** Options of a state change: who did it (the audit entry's actor; none for the provider or a job). */
export interface StateOptions {
  actor?: AuditActor;
}

const subscriptionColumns = `id, tenant_id, plan_id, status, currency, interval, provider, provider_customer_id, provider_subscription_id,
  current_period_start, current_period_end, trial_ends_at, cancel_at_period_end, canceled_at, past_due_since, dunning_notices,
  payment_method, credit_balance, billing_name, billing_email, country, tax_id, address, version, provider_synced_at`;

const patchable: readonly (keyof SubscriptionPatch)[] = [
  'plan_id',
  'status',
  'currency',
  'interval',
  'provider',
  'provider_customer_id',
  'provider_subscription_id',
  'current_period_start',
  'current_period_end',
  'trial_ends_at',
  'cancel_at_period_end',
  'canceled_at',
  'payment_method',
  'credit_balance',
  'dunning_notices',
  'provider_synced_at',
];

/** The audit action of a change from `before` to `after`. */
function actionOf(before: SubscriptionRow, after: SubscriptionRow): string {
  if (after.status === 'canceled' && before.status !== 'canceled') return 'billing.subscription_canceled';
  if (before.plan_id !== after.plan_id) return 'billing.plan_changed';
  if (after.status !== before.status) {
    if (after.status === 'past_due') return 'billing.payment_failed';
    if (after.status === 'read_only') return 'billing.read_only';
    if (after.status === 'suspended') return 'billing.suspended';
    if (dunningStatuses.includes(before.status)) return 'billing.payment_recovered';
  }
  if (after.cancel_at_period_end !== before.cancel_at_period_end) return after.cancel_at_period_end ? 'billing.cancel_scheduled' : 'billing.resumed';
  return 'billing.subscription_updated';
}

/**
 * The state functions bound to the kernel's services. Providers build it once (`subscriptionState(services)`);
 * the billing service exposes it as `billing.state`.
 */
export interface SubscriptionState {
  /** The tenant's subscription row; `lock` takes it `for update` until the transaction ends. */
  load(db: ScopedDb, tenantId: string, options?: { lock?: boolean }): Promise<SubscriptionRow>;
  /**
   * Writes `patch` to the tenant's subscription: bumps `version`; a status entering dunning (`past_due` from outside
   * it) starts the episode (`past_due_since` = now, no notice sent yet), leaving dunning ends it; `canceled` moves the
   * tenant to the default plan; sets `tenants.billing_status`; records a tenant audit entry (`billing.plan_changed`,
   * `billing.payment_failed`, `billing.read_only`, `billing.suspended`, `billing.payment_recovered`, …); after the
   * commit, drops the tenant directory's and the entitlements' cached copies. Returns the row as written.
   */
  applySubscription(db: ScopedDb, tenantId: string, patch: SubscriptionPatch, options?: StateOptions): Promise<SubscriptionRow>;
  /**
   * Records an invoice, or updates the one recorded with the same provider id (its number kept). A new invoice takes
   * the next number (`INV-000123`) and the tenant's billing name, country and tax id as they are now.
   */
  recordInvoice(db: ScopedDb, tenantId: string, invoice: InvoiceInput): Promise<InvoiceRow>;
  /**
   * An invoice was paid: marks it (amount paid = total), ends a dunning episode or a trial (status `active`,
   * billing_status `ok` at once), and queues the `core.billing-invoice` email with its PDF. Paid twice: no change.
   */
  invoicePaid(db: ScopedDb, tenantId: string, invoiceId: string, options?: StateOptions & { paidAt?: Date }): Promise<InvoiceRow>;
  /**
   * A charge of an invoice failed: counts the attempt and, when the subscription is not in dunning yet, starts it
   * (`past_due`, billing_status still `ok`) and queues the `core.billing-payment-failed` email.
   */
  invoiceFailed(db: ScopedDb, tenantId: string, invoiceId: string, options?: StateOptions): Promise<InvoiceRow>;
  /** Records a running add-on (a paid plugin) on the subscription; started twice: the running one is kept. */
  startAddon(db: ScopedDb, tenantId: string, plugin: string, providerItemId?: string | null): Promise<void>;
  /** Ends the tenant's running add-on of `plugin`, if any. */
  endAddon(db: ScopedDb, tenantId: string, plugin: string): Promise<void>;
  /** Queues a billing email after the transaction commits (once per `key`: the notification keeps it). */
  notice(db: ScopedDb, notice: BillingNotice): void;
}

/** Builds the state functions on the kernel's services. */
export function subscriptionState(services: BillingStateServices): SubscriptionState {
  const load: SubscriptionState['load'] = async (db, tenantId, options) => {
    const row = await db.one<SubscriptionRow>(
      `select ${subscriptionColumns} from tenant_subscriptions where tenant_id = $1${options?.lock ? ' for update' : ''}`,
      [tenantId],
    );
    if (!row) throw new Error(`tenant ${tenantId} has no subscription row`);
    return row;
  };

  const notice: SubscriptionState['notice'] = (db, data) => {
    db.afterCommit(() =>
      services.jobs
        .enqueue(billingNoticeJob, data)
        .catch((error: unknown) => services.logger.error({ err: error, ...data }, 'could not queue a billing email')),
    );
  };

  const invalidateAfterCommit = (db: ScopedDb, tenant: { id: string; slug: string }) => {
    db.afterCommit(async () => {
      await services.entitlements?.invalidate(tenant.id);
      await services.tenants.forget(tenant);
    });
  };

  const applySubscription: SubscriptionState['applySubscription'] = async (db, tenantId, patch, options) => {
    const before = await load(db, tenantId, { lock: true });
    if (patch.provider_synced_at && before.provider_synced_at && patch.provider_synced_at < before.provider_synced_at) return before;
    const now = services.clock.now();
    const fields: Partial<Record<keyof SubscriptionRow, unknown>> = {};
    for (const key of patchable) if (patch[key] !== undefined) fields[key] = patch[key];
    const status = patch.status ?? before.status;
    if (status === 'past_due' && !dunningStatuses.includes(before.status)) Object.assign(fields, { past_due_since: now, dunning_notices: 0 });
    if (!dunningStatuses.includes(status) && before.past_due_since) Object.assign(fields, { past_due_since: null, dunning_notices: 0 });
    if (status === 'canceled' && before.status !== 'canceled') {
      const free = await db.one<{ id: string }>('select id from billing_plans where is_default');
      Object.assign(fields, {
        plan_id: free!.id,
        currency: null,
        interval: null,
        provider_subscription_id: null,
        current_period_start: null,
        current_period_end: null,
        trial_ends_at: null,
        cancel_at_period_end: false,
        canceled_at: patch.canceled_at ?? now,
      });
    }
    if ('payment_method' in fields) fields.payment_method = fields.payment_method === null ? null : JSON.stringify(fields.payment_method);
    const keys = Object.keys(fields);
    const sets = keys.map((key, index) => `${key} = $${index + 2}`);
    const after = (await db.one<SubscriptionRow>(
      `update tenant_subscriptions set ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')} where tenant_id = $1 returning ${subscriptionColumns}`,
      [tenantId, ...keys.map((key) => fields[key as keyof SubscriptionRow])],
    ))!;
    const tenant = (await db.one<{ id: string; slug: string }>('update tenants set billing_status = $2, updated_at = now() where id = $1 returning id, slug', [
      tenantId,
      billingStatusOf(after.status),
    ]))!;
    await recordTenantAudit(
      db,
      options?.actor ?? {},
      {
        action: actionOf(before, after),
        targetType: 'subscription',
        targetId: after.id,
        data: { status: after.status, plan_id: after.plan_id, previous_status: before.status, previous_plan_id: before.plan_id, version: after.version },
      },
      tenantId,
    );
    invalidateAfterCommit(db, tenant);
    return after;
  };

  const invoiceById = async (db: ScopedDb, tenantId: string, invoiceId: string) => {
    const invoice = await db.one<InvoiceRow>('select * from billing_invoices where tenant_id = $1 and id = $2 for update', [tenantId, invoiceId]);
    if (!invoice) throw new Error(`tenant ${tenantId} has no invoice ${invoiceId}`);
    return invoice;
  };

  return {
    load,
    notice,
    applySubscription,

    async recordInvoice(db, tenantId, invoice) {
      const values = [
        invoice.status,
        invoice.currency,
        invoice.subtotal,
        invoice.tax,
        invoice.tax_rate,
        invoice.total,
        invoice.amount_paid ?? (invoice.status === 'paid' ? invoice.total : 0),
        JSON.stringify(invoice.lines),
        invoice.period_start,
        invoice.period_end,
        invoice.hosted_url ?? null,
        invoice.paid_at ?? null,
      ];
      const updated = await db.one<InvoiceRow>(
        `update billing_invoices set status = $4, currency = $5, subtotal = $6, tax = $7, tax_rate = $8, total = $9, amount_paid = $10, lines = $11,
           period_start = $12, period_end = $13, hosted_url = $14, paid_at = coalesce(paid_at, $15), updated_at = now()
         where tenant_id = $1 and provider = $2 and provider_invoice_id = $3 returning *`,
        [tenantId, invoice.provider, invoice.provider_invoice_id, ...values],
      );
      if (updated) return updated;
      const inserted = await db.one<InvoiceRow>(
        `insert into billing_invoices (tenant_id, provider, provider_invoice_id, status, currency, subtotal, tax, tax_rate, total, amount_paid, lines,
           period_start, period_end, hosted_url, paid_at, number, billing_name, country, tax_id, issued_at)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
           'INV-' || lpad(nextval('billing_invoice_numbers')::text, 6, '0'), s.billing_name, s.country, s.tax_id, $16
         from tenant_subscriptions s where s.tenant_id = $1
         on conflict (tenant_id, provider, provider_invoice_id) where provider_invoice_id is not null do nothing
         returning *`,
        [tenantId, invoice.provider, invoice.provider_invoice_id, ...values, invoice.issued_at ?? services.clock.now()],
      );
      if (inserted) return inserted;
      // Recorded meanwhile by a concurrent writer of the same invoice: update what it wrote.
      return (await db.one<InvoiceRow>(
        `update billing_invoices set status = $4, currency = $5, subtotal = $6, tax = $7, tax_rate = $8, total = $9, amount_paid = $10, lines = $11,
           period_start = $12, period_end = $13, hosted_url = $14, paid_at = coalesce(paid_at, $15), updated_at = now()
         where tenant_id = $1 and provider = $2 and provider_invoice_id = $3 returning *`,
        [tenantId, invoice.provider, invoice.provider_invoice_id, ...values],
      ))!;
    },

    async invoicePaid(db, tenantId, invoiceId, options) {
      const invoice = await invoiceById(db, tenantId, invoiceId);
      if (invoice.status === 'paid') return invoice;
      const paid = (await db.one<InvoiceRow>(
        `update billing_invoices set status = 'paid', amount_paid = total, paid_at = $3, attempt_count = attempt_count + 1, updated_at = now()
         where tenant_id = $1 and id = $2 returning *`,
        [tenantId, invoiceId, options?.paidAt ?? services.clock.now()],
      ))!;
      const subscription = await load(db, tenantId, { lock: true });
      if (subscription.status === 'trialing' || dunningStatuses.includes(subscription.status))
        await applySubscription(db, tenantId, { status: 'active' }, options);
      notice(db, { tenantId, template: 'core.billing-invoice', key: `billing:invoice:${invoiceId}`, invoiceId });
      return paid;
    },

    async invoiceFailed(db, tenantId, invoiceId, options) {
      await invoiceById(db, tenantId, invoiceId);
      const failed = (await db.one<InvoiceRow>(
        `update billing_invoices set attempt_count = attempt_count + 1, updated_at = now() where tenant_id = $1 and id = $2 returning *`,
        [tenantId, invoiceId],
      ))!;
      const subscription = await load(db, tenantId, { lock: true });
      if (!dunningStatuses.includes(subscription.status) && subscription.status !== 'canceled') {
        const started = await applySubscription(db, tenantId, { status: 'past_due' }, options);
        notice(db, {
          tenantId,
          template: 'core.billing-payment-failed',
          key: `billing:failed:${started.id}:${started.past_due_since!.toISOString()}`,
          invoiceId,
        });
      }
      return failed;
    },

    async startAddon(db, tenantId, plugin, providerItemId) {
      await db.query(
        `insert into tenant_subscription_addons (tenant_id, subscription_id, plugin, provider_item_id, started_at)
         select $1, s.id, $2, $3, $4 from tenant_subscriptions s where s.tenant_id = $1
         on conflict (tenant_id, plugin) where status = 'active' do nothing`,
        [tenantId, plugin, providerItemId ?? null, services.clock.now()],
      );
      await bumpVersion(db, tenantId);
      await recordTenantAudit(db, {}, { action: 'billing.addon_started', targetType: 'plugin', targetId: plugin }, tenantId);
      const tenant = await db.one<{ id: string; slug: string }>('select id, slug from tenants where id = $1', [tenantId]);
      if (tenant) invalidateAfterCommit(db, tenant);
    },

    async endAddon(db, tenantId, plugin) {
      const ended = await db.query(
        `update tenant_subscription_addons set status = 'ended', ended_at = $3, updated_at = now() where tenant_id = $1 and plugin = $2 and status = 'active' returning id`,
        [tenantId, plugin, services.clock.now()],
      );
      if (ended.length === 0) return;
      await bumpVersion(db, tenantId);
      await recordTenantAudit(db, {}, { action: 'billing.addon_ended', targetType: 'plugin', targetId: plugin }, tenantId);
      const tenant = await db.one<{ id: string; slug: string }>('select id, slug from tenants where id = $1', [tenantId]);
      if (tenant) invalidateAfterCommit(db, tenant);
    },
  };
}

/**
 * A change of the subscription's items is a new version: the next operation's idempotency keys differ, so an add-on
 * ended and started again in one period is charged again (and Stripe sees a new request, not a replay).
 */
async function bumpVersion(db: ScopedDb, tenantId: string): Promise<void> {
  await db.query('update tenant_subscriptions set version = version + 1, updated_at = now() where tenant_id = $1', [tenantId]);
}
