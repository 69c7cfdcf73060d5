import { ConflictError, NotFoundError, ValidationError, type PluginAudit, type PluginUnits, type RequestContext, type TenantDb } from '@plinth/sdk';
import type { CrmSettings } from '../settings.js';
import { recordCampaign, type AuditedCampaign } from './campaign-model.js';
import { filterSql, resolveFilter, type ContactFilter } from './contact-filter.js';
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
 * A campaign of a unit reaches only the contacts of that unit and the units below it, whoever sends it (the
 * recipients are fixed here: the send job mails exactly them); Row Level Security further limits them to the
 * sender's units.
 */
export async function startCampaign(
  deps: { db: TenantDb; units: PluginUnits; audit: PluginAudit },
  id: string,
  ctx: RequestContext<CrmSettings>,
): Promise<number> {
  const { db } = deps;
  const campaign = await db.one<AuditedCampaign & { filter: ContactFilter | null; html: string | null }>(
    `select k.name, k.template_id, k.segment_id, k.unit_id, k.status, s.filter, t.html from crm_campaigns k
       left join crm_segments s on s.id = k.segment_id left join crm_templates t on t.id = k.template_id
      where k.id = $1 for update of k`,
    [id],
  );
  if (!campaign) throw new NotFoundError('Campaign not found');
  if (campaign.status !== 'draft') throw new ConflictError(`The campaign is already ${campaign.status}`);
  // The segment is another team's, which the sender does not reach: sending to "everyone" instead would be wrong.
  if (!campaign.filter) throw new ValidationError({ segment_id: ['is not a segment of your units'] });
  const values: unknown[] = [id];
  const where = [filterSql(await resolveFilter(deps.units, campaign.filter), values)];
  if (campaign.unit_id) where.push(`c.unit_id = any($${values.push(await deps.units.subtree(campaign.unit_id))}::uuid[])`);
  const queued = await db.query(
    `insert into crm_campaign_recipients (campaign_id, contact_id, email, token)
     select $1, c.id, c.email, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
       from crm_contacts c
      where ${where.join(' and ')} and not exists (select 1 from crm_unsubscribes u where u.email_key = c.email_key)
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
  const { filter: _filter, html: _html, ...before } = campaign;
  await recordCampaign(deps.audit, 'sent', id, { before, after: { ...before, status: 'sending' }, data: { recipients: queued.length } });
  return queued.length;
}
