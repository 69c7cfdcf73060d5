import { NotFoundError, Type, UnitRef, type PluginAudit, type Static, type TenantDb } from '@plinth/sdk';
import { recordChange, type RecordedChange } from './record-change.js';

const Stats = Type.Object({
  recipients: Type.Integer(),
  queued: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  opened: Type.Integer(),
  clicked: Type.Integer(),
  unsubscribed: Type.Integer(),
});

/** A campaign with its delivery and engagement statistics. */
export const Campaign = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  template_id: Type.String({ format: 'uuid' }),
  segment_id: Type.String({ format: 'uuid' }),
  unit_id: Type.Union([UnitRef(), Type.Null()]),
  status: Type.Union([Type.Literal('draft'), Type.Literal('sending'), Type.Literal('sent')]),
  stats: Stats,
  started_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
export type Campaign = Static<typeof Campaign>;

/** Campaign columns and statistics, on alias `k`. */
export const campaignColumns = `k.id, k.name, k.template_id, k.segment_id, k.unit_id, k.status, k.started_at, k.sent_at, k.created_at,
  (select json_build_object(
     'recipients', count(*),
     'queued', count(*) filter (where r.status in ('queued', 'sending')),
     'sent', count(r.sent_at),
     'failed', count(*) filter (where r.status = 'failed'),
     'skipped', count(*) filter (where r.status = 'skipped'),
     'opened', count(r.opened_at),
     'clicked', count(r.clicked_at),
     'unsubscribed', count(r.unsubscribed_at))
   from crm_campaign_recipients r where r.campaign_id = k.id) as stats`;

export type CampaignRow = Omit<Campaign, 'started_at' | 'sent_at' | 'created_at'> & { started_at: Date | null; sent_at: Date | null; created_at: Date };

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** A row read with {@link campaignColumns}, as the API shows it. */
export function toCampaign(row: CampaignRow): Campaign {
  return { ...row, started_at: iso(row.started_at), sent_at: iso(row.sent_at), created_at: row.created_at.toISOString() };
}

/** One campaign, or 404. */
export async function findCampaign(db: TenantDb, id: string): Promise<Campaign> {
  const row = await db.one<CampaignRow>(`select ${campaignColumns} from crm_campaigns k where k.id = $1`, [id]);
  if (!row) throw new NotFoundError('Campaign not found');
  return toCampaign(row);
}

/** A campaign as the audit log compares it. */
export interface AuditedCampaign extends Record<string, unknown> {
  name: string;
  template_id: string;
  segment_id: string;
  unit_id: string | null;
  status: string;
}

/** The columns of {@link AuditedCampaign}. */
export const auditedCampaignColumns = 'name, template_id, segment_id, unit_id, status';

/** Records a change of campaign `id` (`crm.campaign.<verb>`) in the audit log, in the campaign's unit. */
export function recordCampaign(audit: PluginAudit, verb: string, id: string, change: RecordedChange<AuditedCampaign>): Promise<void> {
  return recordChange(audit, 'campaign', verb, id, change);
}
