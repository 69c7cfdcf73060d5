import {
  commonErrors,
  listPage,
  type AnyRoute,
  ConflictError,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type TenantDb,
  Type,
  UnitRef,
  ValidationError,
  withStatus,
  Ref,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import {
  auditedCampaignColumns,
  Campaign,
  campaignColumns,
  findCampaign,
  recordCampaign,
  toCampaign,
  type AuditedCampaign,
  type CampaignRow,
} from '../services/campaign-model.js';
import { startCampaign } from '../services/campaign-start.js';

const NewCampaign = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, title: 'Name' }),
    template_id: Ref('/crm/templates', { title: 'Template' }),
    segment_id: Ref('/crm/segments', { title: 'Segment', description: 'Who receives the campaign' }),
    unit_id: Type.Optional(
      Type.Union([UnitRef(), Type.Null()], {
        title: 'Unit',
        description: "The team the campaign belongs to: it reaches only the contacts of that team and the teams below it; none: the whole workspace's",
      }),
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const recipientStatuses = ['queued', 'sending', 'sent', 'failed', 'skipped', 'opened', 'clicked', 'unsubscribed'] as const;
const Recipient = Type.Object({
  id: Type.String({ format: 'uuid' }),
  contact_id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  status: Type.Union(recipientStatuses.map((status) => Type.Literal(status))),
  error: Type.Union([Type.String(), Type.Null()]),
  sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  opened_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  clicked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  unsubscribed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
type Recipient = Static<typeof Recipient>;
type Stamp = 'sent_at' | 'opened_at' | 'clicked_at' | 'unsubscribed_at';
type RecipientRow = Omit<Recipient, Stamp> & Record<Stamp, Date | null>;
const iso = (value: Date | null) => (value ? value.toISOString() : null);

async function checkReferences(db: TenantDb, body: { template_id?: string | undefined; segment_id?: string | undefined }): Promise<void> {
  const errors: Record<string, string[]> = {};
  if (body.template_id && !(await db.one('select 1 from crm_templates where id = $1', [body.template_id]))) errors.template_id = ['is not a template'];
  if (body.segment_id && !(await db.one('select 1 from crm_segments where id = $1', [body.segment_id]))) errors.segment_id = ['is not a segment'];
  if (Object.keys(errors).length) throw new ValidationError(errors);
}

/** Locks a draft campaign for a change, answering 404 or 409 (not a draft); returns it as the audit log compares it. */
async function draftOnly(db: TenantDb, id: string): Promise<AuditedCampaign> {
  const row = await db.one<AuditedCampaign>(`select ${auditedCampaignColumns} from crm_campaigns where id = $1 for update`, [id]);
  if (!row) throw new NotFoundError('Campaign not found');
  if (row.status !== 'draft') throw new ConflictError(`The campaign is ${row.status}; only drafts change`);
  return row;
}

/** `/api/v1/crm/campaigns…`: campaigns to a segment, their sending, statistics and per-recipient status. */
export function campaignRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/campaigns',
      summary: 'Campaigns with their statistics, newest first',
      permission: permissions['campaigns.view'],
      schema: { query: PageQuery, response: Type.Array(Campaign) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<CampaignRow>(
          deps.db,
          { select: campaignColumns, from: 'crm_campaigns k', orderBy: 'k.created_at desc, k.id desc' },
          query,
        );
        return Reply.list(items.map(toCampaign), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/campaigns',
      summary: 'Draft a campaign: a template to a segment',
      permission: permissions['campaigns.manage'],
      schema: { body: NewCampaign, response: withStatus(Campaign, 201) },
      async handler({ body, deps }) {
        await checkReferences(deps.db, body);
        const [row] = await deps.db.query<AuditedCampaign & { id: string }>(
          `insert into crm_campaigns (name, template_id, segment_id, unit_id) values ($1, $2, $3, $4) returning id, ${auditedCampaignColumns}`,
          [body.name, body.template_id, body.segment_id, body.unit_id ?? null],
        );
        const { id, ...after } = row!;
        await recordCampaign(deps.audit, 'created', id, { after });
        return Reply.created(await findCampaign(deps.db, id));
      },
    }),
    route({
      method: 'GET',
      path: '/campaigns/:id',
      summary: 'One campaign with its statistics',
      permission: permissions['campaigns.view'],
      schema: { params: IdParams, response: Campaign },
      async handler({ params, deps }) {
        return findCampaign(deps.db, params.id);
      },
    }),
    route({
      method: 'PATCH',
      path: '/campaigns/:id',
      summary: 'Edit a draft campaign',
      errors: [commonErrors.conflict],
      permission: permissions['campaigns.manage'],
      schema: { params: IdParams, body: Type.Partial(NewCampaign, { additionalProperties: false, minProperties: 1 }), response: Campaign },
      async handler({ params, body, deps }) {
        const before = await draftOnly(deps.db, params.id);
        await checkReferences(deps.db, body);
        const after = await deps.db.one<AuditedCampaign>(
          `update crm_campaigns set name = coalesce($2, name), template_id = coalesce($3, template_id), segment_id = coalesce($4, segment_id),
                  unit_id = case when $5 then $6::uuid else unit_id end, updated_at = now()
            where id = $1 returning ${auditedCampaignColumns}`,
          [params.id, body.name ?? null, body.template_id ?? null, body.segment_id ?? null, body.unit_id !== undefined, body.unit_id ?? null],
        );
        await recordCampaign(deps.audit, 'updated', params.id, { before, after });
        return findCampaign(deps.db, params.id);
      },
    }),
    route({
      method: 'DELETE',
      path: '/campaigns/:id',
      summary: 'Remove a draft campaign',
      errors: [commonErrors.conflict],
      permission: permissions['campaigns.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const before = await draftOnly(deps.db, params.id);
        await deps.db.query('delete from crm_campaigns where id = $1', [params.id]);
        await recordCampaign(deps.audit, 'deleted', params.id, { before });
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/campaigns/:id/send',
      summary: 'Send a draft campaign to its segment (202; a job mails it in batches)',
      errors: [commonErrors.conflict],
      permission: permissions['campaigns.send'],
      verifiedEmail: true,
      schema: { params: IdParams, response: withStatus(Campaign, 202) },
      async handler({ params, deps, ctx }) {
        await startCampaign(deps, params.id, ctx);
        await deps.jobs.enqueue('crm.campaign.send', { campaignId: params.id });
        return Reply.accepted(await findCampaign(deps.db, params.id));
      },
    }),
    route({
      method: 'GET',
      path: '/campaigns/:id/recipients',
      summary: "A campaign's recipients and their status",
      permission: permissions['campaigns.view'],
      schema: {
        params: IdParams,
        query: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Type.Union(recipientStatuses.map((status) => Type.Literal(status)))) })], {
          additionalProperties: false,
        }),
        response: Type.Array(Recipient),
      },
      async handler({ params, query, deps }) {
        await findCampaign(deps.db, params.id);
        const { items, total } = await listPage<RecipientRow>(
          deps.db,
          {
            select: 'id, contact_id, email, status, error, sent_at, opened_at, clicked_at, unsubscribed_at',
            from: 'crm_campaign_recipients',
            where: 'campaign_id = $1 and ($2::text is null or status = $2)',
            orderBy: 'email, id',
            values: [params.id, query.status ?? null],
          },
          query,
        );
        const recipients = items.map((row) => ({
          ...row,
          sent_at: iso(row.sent_at),
          opened_at: iso(row.opened_at),
          clicked_at: iso(row.clicked_at),
          unsubscribed_at: iso(row.unsubscribed_at),
        }));
        return Reply.list(recipients, paginate(query, total));
      },
    }),
  ];
}
