import type { JobContext, JobDefinition, JobName, PluginMailer, PluginMetrics, TenantDb } from '@plinth/sdk';
import type { Builders, CrmDeps } from '../deps.js';
import type { BatchOutcome } from './job-types.js';
import { buildMessages, type CampaignSnapshot, type ClaimedRecipient } from '../services/campaign-messages.js';
import { countCampaignSend } from '../services/campaign-metrics.js';

/** Claims after which a recipient the mailer keeps refusing is marked failed. */
const maxAttempts = 5;
/** Wait before retrying after the mailer failed, or before looking again at a batch still being mailed. */
const retryDelayMs = 1000;
/**
 * A recipient still `sending` this long after its claim belongs to a run that died (killed with its worker):
 * it is claimed again. Should the first run be alive after all, `ctx.once` lets only one of the two mail it.
 */
const reclaimAfterSeconds = 15;

/**
 * `crm.campaign.send`, one numbered step per run. A run records the outcome of the previous step, claims the
 * next batch (`sending`: queued recipients, and those whose claim outlived {@link reclaimAfterSeconds}) and
 * queues the next step, all in one commit; after it, each mail goes out through `ctx.once`, keyed by
 * recipient, in the transaction that marks the recipient `sent`. So a campaign interrupted by a crash resumes
 * (the next step was committed with the claim), mails only those not yet recorded, each exactly once, and the
 * key travels as the mail's Message-ID for the one window a crash leaves (mailed, not yet recorded). When the
 * mailer fails, the rest of the batch goes back to the queue and the campaign resumes after a pause. The last
 * step marks the campaign `sent` and emits `crm.campaign.sent`.
 */
export function sendCampaignJob({ job }: Builders): JobDefinition<JobName, unknown, unknown> {
  return job({
    name: 'crm.campaign.send',
    concurrency: 2,
    async run({ payload, deps, ctx }) {
      const { db } = deps;
      const campaign = await db.one<CampaignSnapshot & { status: string; send_steps: number; unit_id: string | null }>(
        'select id, name, status, subject, html, text, links, tracking_base_url, send_steps, unit_id from crm_campaigns where id = $1 for update',
        [payload.campaignId],
      );
      if (!campaign) return;
      // Steps are numbered: a second run of a step already taken (retried after a crash while its next step was
      // queued with it, or queued twice) stops here, so a campaign always has one chain of steps.
      const step = payload.step ?? campaign.send_steps + 1;
      if (step <= campaign.send_steps) return;
      await db.query('update crm_campaigns set send_steps = $2 where id = $1', [campaign.id, step]);
      if (payload.outcome) await recordOutcome(db, payload.outcome);
      if (campaign.status !== 'sending') return;
      if (payload.outcome?.error) {
        await deps.jobs.enqueue('crm.campaign.send', { campaignId: campaign.id, step: step + 1 }, { delayMs: retryDelayMs });
        return;
      }
      // Unsubscribed or deleted since the campaign was queued: not mailed.
      await db.query(
        `update crm_campaign_recipients r set status = 'skipped', error = 'unsubscribed or deleted before sending'
          where r.campaign_id = $1 and r.status = 'queued'
            and (exists (select 1 from crm_unsubscribes u where u.email_key = lower(r.email))
                 or not exists (select 1 from crm_contacts c where c.id = r.contact_id and c.deleted_at is null))`,
        [campaign.id],
      );
      const claimed = await db.query<ClaimedRecipient>(
        `update crm_campaign_recipients r set status = 'sending', claimed_at = now(), attempts = r.attempts + 1
           from (select id from crm_campaign_recipients
                  where campaign_id = $1
                    and (status = 'queued' or (status = 'sending' and claimed_at < now() - make_interval(secs => $3)))
                  order by id limit $2 for update skip locked) q
          where r.id = q.id returning r.id, r.contact_id, r.email, r.token`,
        [campaign.id, ctx.settings.campaignBatchSize, reclaimAfterSeconds],
      );
      if (claimed.length === 0) {
        const inFlight = await db.one(`select 1 from crm_campaign_recipients where campaign_id = $1 and status = 'sending' limit 1`, [campaign.id]);
        // A batch is still being mailed (or was, by a run that died: it is claimed again once its claim is old).
        if (inFlight) await deps.jobs.enqueue('crm.campaign.send', { campaignId: campaign.id, step: step + 1 }, { delayMs: retryDelayMs });
        else await finish(deps, campaign);
        return;
      }
      const messages = await buildMessages(db, campaign, ctx.tenant, claimed);
      const next: { campaignId: string; step: number; outcome: BatchOutcome } = { campaignId: campaign.id, step: step + 1, outcome: { released: [] } };
      // The mails go out once the claim commits; the next step, written to the job outbox with the claim, is
      // handed to the job system after them, so the payload (`next` itself) carries the outcome `deliver` filled
      // in. Should this process die first, the outbox queues the step without it: the recipients left `sending`
      // are claimed again once their claim is old.
      db.afterCommit(() => deliver(ctx, deps, messages, next.outcome));
      await deps.jobs.enqueue('crm.campaign.send', next);
    },
  });
}

/** Mails each message once (by recipient), recording it `sent` with the key; stops at the mailer's first failure. */
async function deliver(
  ctx: Pick<JobContext<unknown>, 'once'>,
  { mailer, metrics }: { mailer: PluginMailer; metrics: PluginMetrics },
  messages: { id: string; mail: Parameters<PluginMailer['send']>[0] }[],
  outcome: BatchOutcome,
): Promise<void> {
  for (const [index, message] of messages.entries()) {
    const key = `campaign:${message.id}`;
    try {
      const sent = await ctx.once(key, async (db) => {
        await mailer.send({ ...message.mail, idempotencyKey: key });
        await db.query(`update crm_campaign_recipients set status = 'sent', sent_at = now(), error = null where id = $1 and status = 'sending'`, [message.id]);
      });
      if (sent) countCampaignSend(metrics, 'sent');
    } catch (error) {
      countCampaignSend(metrics, 'failed');
      outcome.error = String((error as Error)?.message ?? error).slice(0, 500);
      outcome.released.push(...messages.slice(index).map((rest) => rest.id));
      return;
    }
  }
}

async function recordOutcome(db: TenantDb, outcome: BatchOutcome): Promise<void> {
  // Steps queued before mails were recorded one by one carry the batch's sent recipients.
  if (outcome.sent?.length) {
    await db.query(`update crm_campaign_recipients set status = 'sent', sent_at = now() where id = any($1::uuid[]) and status = 'sending'`, [outcome.sent]);
  }
  if (outcome.released.length) {
    await db.query(
      `update crm_campaign_recipients set status = case when attempts >= $3 then 'failed' else 'queued' end, error = $2
        where id = any($1::uuid[]) and status = 'sending'`,
      [outcome.released, outcome.error ?? 'not sent', maxAttempts],
    );
  }
}

/** Marks the campaign sent (recorded in the audit log, by the CRM) and emits `crm.campaign.sent`. */
async function finish(deps: CrmDeps, campaign: CampaignSnapshot & { unit_id: string | null }): Promise<void> {
  const { db } = deps;
  await db.query(`update crm_campaigns set status = 'sent', sent_at = now(), updated_at = now() where id = $1`, [campaign.id]);
  const [counts] = await db.query<{ recipients: number; sent: number; failed: number }>(
    `select count(*)::int as recipients, count(sent_at)::int as sent, (count(*) filter (where status = 'failed'))::int as failed
       from crm_campaign_recipients where campaign_id = $1`,
    [campaign.id],
  );
  await deps.audit.record({
    entity: 'campaign',
    verb: 'completed',
    target: campaign.id,
    unit: campaign.unit_id,
    before: { status: 'sending' },
    after: { status: 'sent' },
    data: counts,
  });
  await deps.events.emit('crm.campaign.sent', { campaignId: campaign.id, name: campaign.name, ...counts! });
}
