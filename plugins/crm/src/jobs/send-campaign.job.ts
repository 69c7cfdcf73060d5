import type { JobDefinition, JobName, PluginMailer, TenantDb } from '@plinth/sdk';
import type { Builders, CrmDeps } from '../deps.js';
import type { BatchOutcome } from '../events.js';
import { buildMessages, type CampaignSnapshot, type ClaimedRecipient } from '../services/campaign-messages.js';

/** Claims after which a recipient the mailer keeps refusing is marked failed. */
const maxAttempts = 5;
/** Wait before retrying after the mailer failed, or before looking again at a batch still being mailed. */
const retryDelayMs = 1000;
/** A batch claimed longer ago than a job's lock lifetime whose outcome never came was lost in a crash. */
const lostAfterMinutes = 10;

/**
 * `crm.campaign.send`, one step per run. A run records the outcome of the previous step (carried in its
 * payload), then claims the next batch (`sending`) and commits; only after the commit are the batch's mails
 * sent, and the next step is queued with their outcome. A claimed recipient is therefore never mailed twice,
 * whatever fails or restarts; when the mailer fails, the rest of the batch goes back to the queue and the
 * campaign resumes after a pause. Runs of the same campaign at once (a restarted worker) claim disjoint
 * batches. Recipients whose step was lost in a crash (still `sending` a lock lifetime after their claim) are
 * marked failed rather than risk a duplicate. The last step marks the campaign `sent` and emits
 * `crm.campaign.sent`.
 */
export function sendCampaignJob({ job }: Builders): JobDefinition<JobName, unknown, unknown> {
  return job({
    name: 'crm.campaign.send',
    concurrency: 2,
    async run({ payload, deps, ctx }) {
      const { db } = deps;
      if (payload.outcome) await recordOutcome(db, payload.outcome);
      const campaign = await db.one<CampaignSnapshot & { status: string }>(
        'select id, name, status, subject, html, text, links, tracking_base_url from crm_campaigns where id = $1 for update',
        [payload.campaignId],
      );
      if (!campaign || campaign.status !== 'sending') return;
      if (payload.outcome?.error) {
        await deps.jobs.enqueue('crm.campaign.send', { campaignId: campaign.id }, { delayMs: retryDelayMs });
        return;
      }
      // Unsubscribed or deleted since the campaign was queued: not mailed.
      await db.query(
        `update crm_campaign_recipients r set status = 'skipped', error = 'unsubscribed or deleted before sending'
          where r.campaign_id = $1 and r.status = 'queued'
            and (exists (select 1 from crm_unsubscribes u where lower(u.email) = lower(r.email))
                 or not exists (select 1 from crm_contacts c where c.id = r.contact_id and c.deleted_at is null))`,
        [campaign.id],
      );
      const claimed = await db.query<ClaimedRecipient>(
        `update crm_campaign_recipients r set status = 'sending', claimed_at = now(), attempts = r.attempts + 1
           from (select id from crm_campaign_recipients where campaign_id = $1 and status = 'queued' order by id limit $2 for update skip locked) q
          where r.id = q.id returning r.id, r.contact_id, r.email, r.token`,
        [campaign.id, ctx.settings.campaignBatchSize],
      );
      if (claimed.length === 0) {
        const inFlight = await db.one(
          `select 1 from crm_campaign_recipients where campaign_id = $1 and status = 'sending' and claimed_at > now() - make_interval(mins => $2) limit 1`,
          [campaign.id, lostAfterMinutes],
        );
        // Another run (a restarted worker) is still mailing a batch: finish once its outcome is recorded.
        if (inFlight) await deps.jobs.enqueue('crm.campaign.send', { campaignId: campaign.id }, { delayMs: retryDelayMs });
        else await finish(deps, campaign);
        return;
      }
      const messages = await buildMessages(db, campaign, ctx.tenant, claimed);
      const next: { campaignId: string; outcome: BatchOutcome } = { campaignId: campaign.id, outcome: { sent: [], released: [] } };
      // Both run after the claim commits, in this order: the mails go out, then the next step is queued. The
      // queued payload is `next` itself, so it carries the outcome `deliver` filled in.
      db.afterCommit(() => deliver(deps.mailer, messages, next.outcome));
      await deps.jobs.enqueue('crm.campaign.send', next);
      await ctx.touch();
    },
  });
}

async function deliver(mailer: PluginMailer, messages: { id: string; mail: Parameters<PluginMailer['send']>[0] }[], outcome: BatchOutcome): Promise<void> {
  for (const [index, message] of messages.entries()) {
    try {
      await mailer.send(message.mail);
      outcome.sent.push(message.id);
    } catch (error) {
      outcome.error = String((error as Error)?.message ?? error).slice(0, 500);
      outcome.released.push(...messages.slice(index).map((rest) => rest.id));
      return;
    }
  }
}

async function recordOutcome(db: TenantDb, outcome: BatchOutcome): Promise<void> {
  if (outcome.sent.length) {
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

async function finish(deps: CrmDeps, campaign: CampaignSnapshot): Promise<void> {
  const { db } = deps;
  await db.query(
    `update crm_campaign_recipients set status = 'failed', error = 'interrupted while sending; not retried to avoid a duplicate'
      where campaign_id = $1 and status = 'sending'`,
    [campaign.id],
  );
  await db.query(`update crm_campaigns set status = 'sent', sent_at = now(), updated_at = now() where id = $1`, [campaign.id]);
  const [counts] = await db.query<{ recipients: number; sent: number; failed: number }>(
    `select count(*)::int as recipients, count(sent_at)::int as sent, (count(*) filter (where status = 'failed'))::int as failed
       from crm_campaign_recipients where campaign_id = $1`,
    [campaign.id],
  );
  await deps.events.emit('crm.campaign.sent', { campaignId: campaign.id, name: campaign.name, ...counts! });
}
