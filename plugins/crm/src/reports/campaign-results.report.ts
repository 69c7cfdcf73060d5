import { Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions } from '../permissions.js';

const CampaignResultsParams = Type.Object(
  {
    campaign_id: Type.Optional(Type.String({ format: 'uuid', title: 'Campaign', description: 'One campaign; none: every campaign started between the dates' })),
    from: Type.Optional(Type.String({ format: 'date', title: 'From', description: 'Campaigns started on or after this day (in the workspace time zone)' })),
    to: Type.Optional(Type.String({ format: 'date', title: 'To', description: 'Campaigns started on or before this day (in the workspace time zone)' })),
  },
  { additionalProperties: false },
);

/** The recipients of one campaign, or of every campaign started between two days (in the tenant's time zone). */
const filter = `($1::uuid is null or r.campaign_id = $1)
     and ($2::date is null or (k.started_at at time zone $4)::date >= $2)
     and ($3::date is null or (k.started_at at time zone $4)::date <= $3)`;

/**
 * One row per recipient. The status is the recipient's delivery (queued, sending, sent, failed, skipped), or
 * `unsubscribed` once the recipient unsubscribed through the campaign; opens and clicks have their own columns.
 * The CRM records no bounces, so none are reported.
 */
const rowsSql = `
  select k.name as campaign, r.email, c.name,
         case when r.unsubscribed_at is not null then 'unsubscribed'
              when r.status in ('opened', 'clicked', 'unsubscribed') then 'sent'
              else r.status end as status,
         r.error, r.sent_at, r.opened_at, r.clicked_at, r.unsubscribed_at
    from crm_campaign_recipients r
    join crm_campaigns k on k.id = r.campaign_id
    left join crm_contacts c on c.id = r.contact_id
   where ${filter}
   order by k.started_at, k.id, r.email, r.id`;

/** `crm.campaign-results`: one row per campaign recipient, streamed. */
export function campaignResultsReport({ report }: Builders) {
  return report({
    name: 'crm.campaign-results',
    title: 'Campaign results',
    description: 'Each recipient of a campaign (or of the campaigns started between two days): delivery, opens, clicks and unsubscribes',
    permission: crmPermissions['campaigns.view'],
    params: CampaignResultsParams,
    columns: [
      { key: 'campaign', label: 'Campaign' },
      { key: 'email', label: 'Email' },
      { key: 'name', label: 'Name' },
      { key: 'status', label: 'Status' },
      { key: 'error', label: 'Error' },
      { key: 'sent_at', label: 'Sent at', type: 'datetime' },
      { key: 'opened_at', label: 'Opened at', type: 'datetime' },
      { key: 'clicked_at', label: 'Clicked at', type: 'datetime' },
      { key: 'unsubscribed_at', label: 'Unsubscribed at', type: 'datetime' },
    ],
    async count({ params, deps, ctx }) {
      const [row] = await deps.db.query<{ count: number }>(
        `select count(*)::int as count from crm_campaign_recipients r join crm_campaigns k on k.id = r.campaign_id where ${filter}`,
        values(params, ctx.tenant.timeZone),
      );
      return row?.count ?? 0;
    },
    rows: ({ params, deps, ctx }) => deps.db.stream(rowsSql, values(params, ctx.tenant.timeZone)),
  });
}

function values(params: { campaign_id?: string; from?: string; to?: string }, timeZone: string): unknown[] {
  return [params.campaign_id ?? null, params.from ?? null, params.to ?? null, timeZone];
}
