import { listPage, actingUserId, NotFoundError, PageQuery, paginate, Reply, Type, UnauthenticatedError, type AnyRoute, type Caller } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { iso } from '../util.js';
import { IdParams, NullableString } from './schemas.js';

const InboxItem = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  body: Type.String(),
  event_name: NullableString,
  read_at: NullableString,
  created_at: Type.String(),
});
const ListQuery = Type.Composite([PageQuery, Type.Object({ unread: Type.Optional(Type.Boolean()) })]);

interface InboxRow {
  id: string;
  title: string;
  body: string;
  event_name: string | null;
  read_at: Date | null;
  created_at: Date;
}

/** The caller's user id: the inbox is personal (an API token without a user has none). */
function userOf(ctx: { caller: Caller }): string {
  const userId = actingUserId(ctx);
  if (userId) return userId;
  throw new UnauthenticatedError('In-app notifications belong to a signed-in member');
}

const toItem = (row: InboxRow) => ({ ...row, read_at: iso(row.read_at), created_at: iso(row.created_at)! });

/** `/notifications`: the signed-in member's own in-app notifications. */
export function inboxRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/notifications',
      summary: 'My in-app notifications, newest first',
      permission: permissions['inbox.use'],
      schema: { query: ListQuery, response: Type.Array(InboxItem) },
      async handler({ query, deps, ctx }) {
        const { items, total } = await listPage<InboxRow>(
          deps.db,
          {
            select: 'id, title, body, event_name, read_at, created_at',
            from: 'integrations_inbox',
            where: 'user_id = $1 and (not coalesce($2::boolean, false) or read_at is null)',
            orderBy: 'created_at desc, id',
            values: [userOf(ctx), query.unread ?? null],
          },
          query,
        );
        return Reply.list(items.map(toItem), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/notifications/unread-count',
      summary: 'How many of my in-app notifications are unread',
      permission: permissions['inbox.use'],
      schema: { response: Type.Object({ unread: Type.Integer() }) },
      async handler({ deps, ctx }) {
        const [row] = await deps.db.query<{ unread: number }>('select count(*)::int as unread from integrations_inbox where user_id = $1 and read_at is null', [
          userOf(ctx),
        ]);
        return { unread: row?.unread ?? 0 };
      },
    }),
    route({
      method: 'POST',
      path: '/notifications/:id/read',
      summary: 'Mark one of my notifications read',
      permission: permissions['inbox.use'],
      schema: { params: IdParams, response: InboxItem },
      async handler({ params, deps, ctx }) {
        const [row] = await deps.db.query<InboxRow>(
          `update integrations_inbox set read_at = coalesce(read_at, now()), updated_at = now() where id = $1 and user_id = $2
           returning id, title, body, event_name, read_at, created_at`,
          [params.id, userOf(ctx)],
        );
        if (!row) throw new NotFoundError('Notification not found');
        return toItem(row);
      },
    }),
    route({
      method: 'POST',
      path: '/notifications/read-all',
      summary: 'Mark all my notifications read',
      permission: permissions['inbox.use'],
      schema: { response: Type.Object({ marked: Type.Integer() }) },
      async handler({ deps, ctx }) {
        const rows = await deps.db.query(
          'update integrations_inbox set read_at = now(), updated_at = now() where user_id = $1 and read_at is null returning id',
          [userOf(ctx)],
        );
        return { marked: rows.length };
      },
    }),
  ];
}
