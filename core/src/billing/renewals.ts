import { runAsSystem } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { BillingPrice } from './billing-provider.js';
import { addInterval, issueInvoice } from './invoices.js';
import type { InvoiceLine } from './subscription-state.js';
import type { TestProvider } from './test-provider.js';

/** Renews the test provider's subscriptions whose period has ended, every 10 minutes on the worker. */
export const renewJob = 'core.billing.renew';

type RenewServices = Pick<KernelServices, 'database' | 'billing' | 'clock' | 'logger'>;

/** Subscriptions renewed per run at most; the next run takes the rest. */
const batch = 200;

/**
 * Renews every due subscription of the test provider (`current_period_end <= now`, trialing or active), one
 * transaction each, and returns how many it renewed. Exactly once: each holds its row's lock and checks it is still
 * due, and its invoice is keyed by the period (`renewal:<subscription>:<period start>`); a process killed midway
 * rolls the whole renewal back (invoice, charge and new period together), and the next run does it again.
 */
export async function renewDue(services: RenewServices): Promise<number> {
  const { billing } = services;
  if (billing.provider?.name !== 'test') return 0;
  const now = services.clock.now();
  const due = await runAsSystem(services.database, (db) =>
    db.query<{ tenant_id: string }>(
      `select tenant_id from tenant_subscriptions
        where provider = 'test' and current_period_end <= $1 and status in ('trialing', 'active') order by current_period_end limit $2`,
      [now, batch],
    ),
  );
  let renewed = 0;
  for (const { tenant_id: tenantId } of due) {
    try {
      if (await renewOne(services, tenantId, now)) renewed += 1;
    } catch (error) {
      services.logger.error({ err: error, tenantId }, 'could not renew the subscription');
    }
  }
  return renewed;
}

/** Renews one tenant's subscription if it is still due: cancels it at its end, or invoices the next period and charges it. */
export async function renewOne(services: RenewServices, tenantId: string, now: Date): Promise<boolean> {
  const { state, config } = services.billing;
  const provider = services.billing.provider as TestProvider;
  return runAsSystem(services.database, async (db) => {
    const subscription = await state.load(db, tenantId, { lock: true });
    const end = subscription.current_period_end ? new Date(subscription.current_period_end) : null;
    if (subscription.provider !== 'test' || !end || end > now || !['trialing', 'active'].includes(subscription.status)) return false;
    if (subscription.cancel_at_period_end) {
      const addons = await db.query<{ plugin: string }>("select plugin from tenant_subscription_addons where tenant_id = $1 and status = 'active'", [tenantId]);
      for (const addon of addons) await state.endAddon(db, tenantId, addon.plugin);
      await state.applySubscription(db, tenantId, { status: 'canceled', canceled_at: end });
      return true;
    }
    const interval = subscription.interval ?? 'month';
    const currency = subscription.currency!;
    const nextEnd = addInterval(end, interval);
    const period = { period_start: end.toISOString(), period_end: nextEnd.toISOString() };
    const plan = await db.one<{ name: string; prices: BillingPrice[] }>('select name, prices from billing_plans where id = $1', [subscription.plan_id]);
    const price = plan?.prices.find((candidate) => candidate.currency === currency && candidate.interval === interval);
    const lines: InvoiceLine[] = price ? [{ kind: 'plan', description: plan!.name, amount: price.amount, ...period }] : [];
    const addons = await db.query<{ plugin: string; prices: BillingPrice[] | null }>(
      `select a.plugin, p.prices from tenant_subscription_addons a left join billing_plugin_prices p on p.plugin = a.plugin
        where a.tenant_id = $1 and a.status = 'active' order by a.plugin`,
      [tenantId],
    );
    for (const addon of addons) {
      const addonPrice = addon.prices?.find((candidate) => candidate.currency === currency && candidate.interval === interval);
      if (addonPrice) lines.push({ kind: 'addon', description: `Add-on ${addon.plugin}`, amount: addonPrice.amount, ...period });
    }
    const invoice = await issueInvoice(db, state, config, subscription, {
      key: `renewal:${subscription.id}:${end.toISOString()}`,
      currency,
      lines,
      periodStart: end,
      periodEnd: nextEnd,
    });
    const advanced = await state.applySubscription(db, tenantId, { current_period_start: end, current_period_end: nextEnd });
    await provider.charge(db, advanced, invoice);
    return true;
  });
}

/** Defines the renewal job. */
export function defineRenewals(services: RenewServices & Pick<KernelServices, 'jobs'>): void {
  services.jobs.define(
    renewJob,
    async () => {
      const renewed = await renewDue(services);
      if (renewed > 0) services.logger.info({ renewed }, 'renewed subscriptions');
    },
    { concurrency: 1 },
  );
}
