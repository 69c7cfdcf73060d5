import { ConflictError, NotFoundError, ValidationError, type RequestContext } from '@plinth/sdk';
import type { CrmSettings } from '../settings.js';
import { filterSql, type ContactFilter } from './contact-filter.js';
import type { ContactScope } from './contact-service.js';
import { trackableLinks } from './tracked-links.js';

/** Where recipients' tracking links point: the configured origin, or the one the send request came to. */
function trackingBase(settings: CrmSettings, ctx: RequestContext<CrmSettings>): string {
  if (settings.trackingBaseUrl) return settings.trackingBaseUrl;
  const proto = String(ctx.headers['x-forwarded-proto'] ?? 'http')
    .split(',')[0]!
    .trim();
  return `${proto === 'https' ? 'https' : 'http'}://${String(ctx.headers.host ?? 'localhost')}`;
}

/**
 * Starts sending a draft: freezes the template's content and links, queues one recipient per live contact of
 * the segment (skipping unsubscribed emails), and marks the campaign `sending`. Returns how many were queued.
 */
export async function startCampaign(scope: Pick<ContactScope, 'db'>, id: string, ctx: RequestContext<CrmSettings>): Promise<number> {
  const { db } = scope;
  const campaign = await db.one<{ status: string; filter: ContactFilter | null; html: string | null }>(
    `select k.status, s.filter, t.html from crm_campaigns k
       left join crm_segments s on s.id = k.segment_id left join crm_templates t on t.id = k.template_id
      where k.id = $1 for update of k`,
    [id],
  );
  if (!campaign) throw new NotFoundError('Campaign not found');
  if (campaign.status !== 'draft') throw new ConflictError(`The campaign is already ${campaign.status}`);
  const values: unknown[] = [id];
  const where = filterSql(campaign.filter ?? {}, values);
  const queued = await db.query(
    `insert into crm_campaign_recipients (campaign_id, contact_id, email, token)
     select $1, c.id, c.email, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
       from crm_contacts c
      where ${where} and not exists (select 1 from crm_unsubscribes u where u.email_key = c.email_key)
     returning 1`,
    values,
  );
  if (queued.length === 0) throw new ValidationError({ segment_id: ['matches no contact that can be mailed'] });
  await db.query(
    `update crm_campaigns k set status = 'sending', started_at = now(), subject = t.subject, html = t.html, text = t.text,
            links = $2::jsonb, tracking_base_url = $3, updated_at = now()
       from crm_templates t where t.id = k.template_id and k.id = $1`,
    [id, JSON.stringify(trackableLinks(campaign.html ?? '')), trackingBase(ctx.settings, ctx)],
  );
  return queued.length;
}
