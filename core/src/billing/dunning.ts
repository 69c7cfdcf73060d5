import { runAsSystem } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { defineBillingNotices } from './billing-notifications.js';
import type { SubscriptionRow } from './billing-provider.js';
import { defineRenewals, renewJob } from './renewals.js';
import type { BillingTemplate } from './subscription-state.js';

/**
 * Dunning (docs/billing.md §Dunning): a subscription whose invoice is unpaid (`past_due`, full use) gets a reminder
 * halfway through the grace (`PLINTH_BILLING_GRACE_DAYS`), becomes `read_only` after it, and `suspended` after
 * `PLINTH_BILLING_READ_ONLY_DAYS` more, each step with its email. Nothing is deleted, and paying (`invoicePaid`) ends
 * it at once. Every 10 minutes on the worker; time is the kernel's clock. Also mails the trial-ending notice of the
 * test provider's trials without a card (Stripe's comes from its webhook).
 */
export const dunningJob = 'core.billing.dunning';

type DunningServices = Pick<KernelServices, 'database' | 'billing' | 'clock' | 'logger' | 'config'>;

const dayMs = 86_400_000;
const severity: Partial<Record<SubscriptionRow['status'], number>> = { past_due: 1, read_only: 2, suspended: 3 };
const templates: Record<'read_only' | 'suspended', BillingTemplate> = { read_only: 'core.billing-read-only', suspended: 'core.billing-suspended' };
/** How long before a trial without a card ends its notice goes out. */
const trialNoticeMs = 3 * dayMs;

/** Moves every dunning episode as far as its age says; returns how many subscriptions changed. */
export async function runDunning(services: DunningServices): Promise<number> {
  const { state, config } = services.billing;
  const now = services.clock.now();
  const episodes = await runAsSystem(services.database, (db) =>
    db.query<{ tenant_id: string }>("select tenant_id from tenant_subscriptions where past_due_since is not null and status in ('past_due', 'read_only')"),
  );
  let changed = 0;
  for (const { tenant_id: tenantId } of episodes) {
    changed += await runAsSystem(services.database, async (db) => {
      const subscription = await state.load(db, tenantId, { lock: true });
      if (!subscription.past_due_since || !severity[subscription.status]) return 0;
      const since = new Date(subscription.past_due_since);
      const age = now.getTime() - since.getTime();
      const target = age >= (config.graceDays + config.readOnlyDays) * dayMs ? 'suspended' : age >= config.graceDays * dayMs ? 'read_only' : 'past_due';
      const episode = `${subscription.id}:${since.toISOString()}`;
      if (target !== 'past_due' && severity[target]! > severity[subscription.status]!) {
        await state.applySubscription(db, tenantId, { status: target });
        state.notice(db, { tenantId, template: templates[target], key: `billing:${target}:${episode}` });
        return 1;
      }
      if (subscription.status === 'past_due' && subscription.dunning_notices === 0 && age >= (config.graceDays * dayMs) / 2) {
        await db.query('update tenant_subscriptions set dunning_notices = 1, updated_at = now() where tenant_id = $1', [tenantId]);
        state.notice(db, { tenantId, template: 'core.billing-reminder', key: `billing:reminder:${episode}` });
        return 1;
      }
      return 0;
    });
  }
  await runAsSystem(services.database, async (db) => {
    const ending = await db.query<{ tenant_id: string; id: string; trial_ends_at: Date }>(
      `select tenant_id, id, trial_ends_at from tenant_subscriptions
        where provider = 'test' and status = 'trialing' and payment_method is null and trial_ends_at > $1 and trial_ends_at <= $2`,
      [now, new Date(now.getTime() + trialNoticeMs)],
    );
    for (const row of ending) {
      const end = Math.floor(new Date(row.trial_ends_at).getTime() / 1000);
      state.notice(db, { tenantId: row.tenant_id, template: 'core.billing-trial-ending', key: `billing:trial-ending:${row.id}:${end}` });
    }
  });
  return changed;
}

type WorkServices = DunningServices & Pick<KernelServices, 'jobs' | 'tenants' | 'mailer' | 'plugins' | 'tenantAccess' | 'orgUnits'>;

/** Defines billing's jobs: renewals, dunning and the billing emails (every role: an API process queues the emails). */
export function defineBillingWork(services: WorkServices): void {
  defineRenewals(services);
  defineBillingNotices(services);
  services.jobs.define(
    dunningJob,
    async () => {
      const changed = await runDunning(services);
      if (changed > 0) services.logger.info({ changed }, 'moved dunning episodes');
    },
    { concurrency: 1 },
  );
}

/**
 * Schedules renewals and dunning every 10 minutes (one schedule each for the host, whatever the number of workers).
 * The schedule is told apart by its data (`schedule: true`): a run queued by hand (`{}`) stays a run of its own.
 */
export async function scheduleBillingWork(services: Pick<KernelServices, 'jobs'>): Promise<void> {
  for (const name of [renewJob, dunningJob]) await services.jobs.every('10 minutes', name, { schedule: true }, { name, 'data.schedule': true });
}
