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
  type Static,
  type TenantDb,
  Type,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { checkFilter, ContactFilter, filterSql } from '../services/contact-filter.js';
import { listContacts } from '../services/contact-list.js';
import { Contact } from '../services/contact-model.js';

const Segment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  filter: ContactFilter,
  /** Live contacts matching the filter now. */
  count: Type.Integer(),
});
type Segment = Static<typeof Segment>;
const NewSegment = Type.Object({ name: Type.String({ minLength: 1, maxLength: 120, title: 'Name' }), filter: ContactFilter }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A segment's filter, or 404. */
export async function segmentFilter(db: TenantDb, id: string): Promise<ContactFilter> {
  const row = await db.one<{ filter: ContactFilter }>('select filter from crm_segments where id = $1', [id]);
  if (!row) throw new NotFoundError('Segment not found');
  return row.filter;
}

async function withCount(db: TenantDb, segment: Omit<Segment, 'count'>): Promise<Segment> {
  const values: unknown[] = [];
  const [row] = await db.query<{ count: number }>(`select count(*)::int as count from crm_contacts c where ${filterSql(segment.filter, values)}`, values);
  return { ...segment, count: row?.count ?? 0 };
}

async function findSegment(db: TenantDb, id: string): Promise<Segment> {
  const row = await db.one<Omit<Segment, 'count'>>('select id, name, filter from crm_segments where id = $1', [id]);
  if (!row) throw new NotFoundError('Segment not found');
  return withCount(db, row);
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
        const { items, total } = await listPage<Omit<Segment, 'count'>>(
          deps.db,
          { select: 'id, name, filter', from: 'crm_segments', orderBy: 'name, id' },
          query,
        );
        const segments: Segment[] = [];
        for (const row of items) segments.push(await withCount(deps.db, row));
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
        checkFilter(body.filter);
        const [row] = await deps.db.query<Omit<Segment, 'count'>>('insert into crm_segments (name, filter) values ($1, $2) returning id, name, filter', [
          body.name,
          JSON.stringify(body.filter),
        ]);
        return Reply.created(await withCount(deps.db, row!));
      },
    }),
    route({
      method: 'GET',
      path: '/segments/:id',
      summary: 'One segment with its live count',
      permission: permissions['contacts.view'],
      schema: { params: IdParams, response: Segment },
      async handler({ params, deps }) {
        return findSegment(deps.db, params.id);
      },
    }),
    route({
      method: 'PATCH',
      path: '/segments/:id',
      summary: 'Rename a segment or change its filter',
      permission: permissions['contacts.manage'],
      schema: { params: IdParams, body: Type.Partial(NewSegment, { additionalProperties: false, minProperties: 1 }), response: Segment },
      async handler({ params, body, deps }) {
        if (body.filter) checkFilter(body.filter);
        const row = await deps.db.one(
          'update crm_segments set name = coalesce($2, name), filter = coalesce($3::jsonb, filter), updated_at = now() where id = $1 returning id',
          [params.id, body.name ?? null, body.filter ? JSON.stringify(body.filter) : null],
        );
        if (!row) throw new NotFoundError('Segment not found');
        return findSegment(deps.db, params.id);
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
        const removed = await deps.db.one('delete from crm_segments where id = $1 returning id', [params.id]);
        if (!removed) throw new NotFoundError('Segment not found');
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
        const filter = await segmentFilter(deps.db, params.id);
        const order = 'c.created_at desc, c.id desc';
        const { contacts, total } = await listContacts(deps.db, { filter, order, ...pageWindow(query) });
        return Reply.list(contacts, paginate(query, total));
      },
    }),
  ];
}
