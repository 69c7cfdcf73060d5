import {
  commonErrors,
  listPage,
  type AnyRoute,
  ConflictError,
  NoContent,
  NotFoundError,
  PageQuery,
  pageWindow,
  paginate,
  Reply,
  type PluginAudit,
  type PluginUnits,
  type Static,
  type TenantDb,
  Type,
  UnitRef,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { ContactFilter, filterSql, resolveFilter } from '../services/contact-filter.js';
import { listContacts } from '../services/contact-list.js';
import { Contact } from '../services/contact-model.js';
import { recordChange } from '../services/record-change.js';

const Segment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  filter: ContactFilter,
  unit_id: Type.Union([UnitRef(), Type.Null()]),
  /** Live contacts matching the filter now (of the caller's units). */
  count: Type.Integer(),
});
type Segment = Static<typeof Segment>;
const NewSegment = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, title: 'Name' }),
    filter: ContactFilter,
    unit_id: Type.Optional(Type.Union([UnitRef(), Type.Null()], { title: 'Unit', description: 'The team the segment belongs to; none: the whole workspace' })),
  },
  { additionalProperties: false },
);
const segmentColumns = 'id, name, filter, unit_id';

/** Records a change of segment `id` (`crm.segment.<verb>`) in the audit log. */
function recordSegment(audit: PluginAudit, verb: string, id: string, change: { before?: Omit<Segment, 'count'>; after?: Omit<Segment, 'count'> }) {
  const fields = (row?: Omit<Segment, 'count'>) => row && { name: row.name, filter: row.filter, unit_id: row.unit_id };
  return recordChange(audit, 'segment', verb, id, { before: fields(change.before), after: fields(change.after) });
}
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A segment's filter, or 404. */
export async function segmentFilter(db: TenantDb, id: string): Promise<ContactFilter> {
  const row = await db.one<{ filter: ContactFilter }>('select filter from crm_segments where id = $1', [id]);
  if (!row) throw new NotFoundError('Segment not found');
  return row.filter;
}

async function withCount(db: TenantDb, units: PluginUnits, segment: Omit<Segment, 'count'>): Promise<Segment> {
  const values: unknown[] = [];
  const filter = await resolveFilter(units, segment.filter);
  const [row] = await db.query<{ count: number }>(`select count(*)::int as count from crm_contacts c where ${filterSql(filter, values)}`, values);
  return { ...segment, count: row?.count ?? 0 };
}

async function findSegment(db: TenantDb, units: PluginUnits, id: string): Promise<Segment> {
  const row = await db.one<Omit<Segment, 'count'>>(`select ${segmentColumns} from crm_segments where id = $1`, [id]);
  if (!row) throw new NotFoundError('Segment not found');
  return withCount(db, units, row);
}

/** `/api/v1/crm/segments…`: saved filters (the contact list's language) with live counts. */
export function segmentRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/segments',
      summary: 'Segments with their live counts',
      permission: permissions['contacts.view'],
      schema: { query: PageQuery, response: Type.Array(Segment) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<Omit<Segment, 'count'>>(deps.db, { select: segmentColumns, from: 'crm_segments', orderBy: 'name, id' }, query);
        const segments: Segment[] = [];
        for (const row of items) segments.push(await withCount(deps.db, deps.units, row));
        return Reply.list(segments, paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/segments',
      summary: 'Save a filter as a segment',
      permission: permissions['contacts.manage'],
      schema: { body: NewSegment, response: withStatus(Segment, 201) },
      async handler({ body, deps }) {
        await resolveFilter(deps.units, body.filter, { strict: true });
        const [row] = await deps.db.query<Omit<Segment, 'count'>>(
          `insert into crm_segments (name, filter, unit_id) values ($1, $2, $3) returning ${segmentColumns}`,
          [body.name, JSON.stringify(body.filter), body.unit_id ?? null],
        );
        await recordSegment(deps.audit, 'created', row!.id, { after: row });
        return Reply.created(await withCount(deps.db, deps.units, row!));
      },
    }),
    route({
      method: 'GET',
      path: '/segments/:id',
      summary: 'One segment with its live count',
      permission: permissions['contacts.view'],
      schema: { params: IdParams, response: Segment },
      async handler({ params, deps }) {
        return findSegment(deps.db, deps.units, params.id);
      },
    }),
    route({
      method: 'PATCH',
      path: '/segments/:id',
      summary: 'Rename a segment or change its filter',
      permission: permissions['contacts.manage'],
      schema: { params: IdParams, body: Type.Partial(NewSegment, { additionalProperties: false, minProperties: 1 }), response: Segment },
      async handler({ params, body, deps }) {
        if (body.filter) await resolveFilter(deps.units, body.filter, { strict: true });
        const before = await deps.db.one<Omit<Segment, 'count'>>(`select ${segmentColumns} from crm_segments where id = $1 for update`, [params.id]);
        if (!before) throw new NotFoundError('Segment not found');
        const after = await deps.db.one<Omit<Segment, 'count'>>(
          `update crm_segments set name = coalesce($2, name), filter = coalesce($3::jsonb, filter),
                  unit_id = case when $4 then $5::uuid else unit_id end, updated_at = now()
            where id = $1 returning ${segmentColumns}`,
          [params.id, body.name ?? null, body.filter ? JSON.stringify(body.filter) : null, body.unit_id !== undefined, body.unit_id ?? null],
        );
        await recordSegment(deps.audit, 'updated', params.id, { before, after: after! });
        return withCount(deps.db, deps.units, after!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/segments/:id',
      summary: 'Remove a segment (refused while a campaign targets it)',
      errors: [commonErrors.conflict],
      permission: permissions['contacts.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const used = await deps.db.one('select 1 from crm_campaigns where segment_id = $1 limit 1', [params.id]);
        if (used) throw new ConflictError('A campaign targets this segment');
        const removed = await deps.db.one<Omit<Segment, 'count'>>(`delete from crm_segments where id = $1 returning ${segmentColumns}`, [params.id]);
        if (!removed) throw new NotFoundError('Segment not found');
        await recordSegment(deps.audit, 'deleted', params.id, { before: removed });
        return Reply.noContent();
      },
    }),
    route({
      method: 'GET',
      path: '/segments/:id/contacts',
      summary: "The segment's contacts, newest first",
      permission: permissions['contacts.view'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Contact) },
      async handler({ params, query, deps }) {
        const filter = await resolveFilter(deps.units, await segmentFilter(deps.db, params.id));
        const order = 'c.created_at desc, c.id desc';
        const { contacts, total } = await listContacts(deps.db, { filter, order, ...pageWindow(query) });
        return Reply.list(contacts, paginate(query, total));
      },
    }),
  ];
}
