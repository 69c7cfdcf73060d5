import { BadRequestError, commonErrors, ForbiddenError, NotFoundError, PageQuery, paginate, pageWindow, rawBody, Reply } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runInTenant } from '../db/scoped-db.js';
import { Exact } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute, type Principal } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { itemColumns, NotificationItemView, presentItem, readerLocale, unreadCount, type ItemRow } from './inbox.js';
import { announce } from './notification-events.js';
import type { StreamSubscriber } from './notification-stream.js';

// The signed-in person's own inbox in the request's tenant (staff and customers alike): Row Level Security keeps it
// to the tenant, `user_id = caller` to the person; another person's or tenant's item is a 404.

/** The signed-in person behind a request (an API token has no inbox). */
export function inboxOwner(principal: Principal): string {
  if (principal.kind !== 'user') throw new ForbiddenError('Notifications belong to a signed-in person, not to an API token');
  return principal.userId;
}

const deps = { plugins: kernelRefs.plugins };
const Unread = Exact({ unread: Type.Integer({ minimum: 0 }) });

export const listNotifications = defineRoute({
  method: 'GET',
  path: '/notifications',
  summary: 'Your notifications in this tenant, newest first (`unread=true`: only those not read yet)',
  tag: 'notifications',
  member: 'any',
  deps,
  schema: {
    query: Type.Object({ ...PageQuery.properties, unread: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    response: Type.Array(NotificationItemView),
  },
  errors: [commonErrors.forbidden],
  async handler({ db, principal, query, tenant, deps }) {
    const userId = inboxOwner(principal);
    const where = `user_id = $1${query.unread ? ' and read_at is null' : ''}`;
    const { limit, offset } = pageWindow(query);
    const rows = await db.query<ItemRow>(`select ${itemColumns} from notification_items where ${where} order by created_at desc, id desc limit $2 offset $3`, [
      userId,
      limit,
      offset,
    ]);
    const total = (await db.one<{ total: number }>(`select count(*)::int as total from notification_items where ${where}`, [userId]))?.total ?? 0;
    const locale = await readerLocale(db, userId, tenant.locale);
    return Reply.list(
      rows.map((row) => presentItem(row, deps.plugins.plugins, locale)),
      paginate(query, total),
    );
  },
});

export const countUnread = defineRoute({
  method: 'GET',
  path: '/notifications/unread-count',
  summary: 'How many of your notifications in this tenant are unread',
  tag: 'notifications',
  member: 'any',
  schema: { response: Unread },
  errors: [commonErrors.forbidden],
  async handler({ db, principal }) {
    return { unread: await unreadCount(db, inboxOwner(principal)) };
  },
});

export const readNotification = defineRoute({
  method: 'POST',
  path: '/notifications/:id/read',
  summary: 'Mark one of your notifications read',
  tag: 'notifications',
  member: 'any',
  deps,
  schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: NotificationItemView },
  errors: [commonErrors.forbidden],
  async handler({ db, principal, params, tenant, deps }) {
    const userId = inboxOwner(principal);
    const row = await db.one<ItemRow & { changed: boolean }>(
      `with target as (select id, read_at from notification_items where id = $1 and user_id = $2 for update)
       update notification_items i set read_at = coalesce(i.read_at, now()), updated_at = case when i.read_at is null then now() else i.updated_at end
         from target where i.id = target.id returning ${itemColumns.replace(/(\w+)/g, 'i.$1')}, target.read_at is null as changed`,
      [params.id, userId],
    );
    if (!row) throw new NotFoundError('Notification not found');
    if (row.changed) await announce(db, [{ kind: 'unread', tenantId: tenant.id, userId }]);
    const { changed: _changed, ...item } = row;
    return presentItem(item, deps.plugins.plugins, await readerLocale(db, userId, tenant.locale));
  },
});

export const readAllNotifications = defineRoute({
  method: 'POST',
  path: '/notifications/read-all',
  summary: 'Mark all your notifications in this tenant read',
  tag: 'notifications',
  member: 'any',
  schema: { response: Exact({ updated: Type.Integer({ minimum: 0 }) }) },
  errors: [commonErrors.forbidden],
  async handler({ db, principal, tenant }) {
    const userId = inboxOwner(principal);
    const rows = await db.query('update notification_items set read_at = now(), updated_at = now() where user_id = $1 and read_at is null returning id', [
      userId,
    ]);
    if (rows.length > 0) await announce(db, [{ kind: 'unread', tenantId: tenant.id, userId }]);
    return { updated: rows.length };
  },
});

/** How often an open stream gets a comment, so proxies and browsers keep it. */
export const heartbeatMs = 25_000;

export const streamNotifications = defineRoute({
  method: 'GET',
  path: '/notifications/stream',
  summary:
    'Server-Sent Events of your inbox in this tenant (send `Accept: text/event-stream`): `notification` (the item and `unread`) as they arrive, `unread` after reads; a comment every 25 s',
  tag: 'notifications',
  member: 'any',
  deps: { stream: kernelRefs.notificationStream, database: kernelRefs.database },
  schema: { response: rawBody('text/event-stream', 'Server-Sent Events; read with fetch and the bearer header') },
  errors: [commonErrors.forbidden, commonErrors.bad_request],
  async handler({ principal, tenant, deps, ctx }) {
    const userId = inboxOwner(principal);
    // Asked for by EventSource and stream readers; a plain request (a link checker, a generic client reading to the
    // end) would wait forever.
    if (!/\btext\/event-stream\b/i.test(ctx.get('accept'))) throw new BadRequestError('Ask for the stream with Accept: text/event-stream');
    // Not the request's transaction: it would stay open (and hold a connection) for as long as the stream.
    const { unread, locale } = await runInTenant(deps.database, tenant.id, async (db) => ({
      unread: await unreadCount(db, userId),
      locale: await readerLocale(db, userId, tenant.locale),
    }));
    const events = eventQueue();
    const subscriber: StreamSubscriber = {
      tenantId: tenant.id,
      userId,
      locale,
      send: (event, data) => events.push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      end: () => events.end(),
    };
    const unsubscribe = await deps.stream.subscribe(subscriber);
    const heartbeat = setInterval(() => events.push(': heartbeat\n\n'), heartbeatMs);
    events.onEnd(() => {
      clearInterval(heartbeat);
      unsubscribe();
    });
    ctx.res.once('close', () => events.end());
    events.push(`retry: 3000\nevent: unread\ndata: ${JSON.stringify({ unread })}\n\n`);
    return Reply.stream(events, {
      contentType: 'text/event-stream; charset=utf-8',
      headers: { 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    });
  },
});

/** Chunks pushed as they come, read once; ended by the client leaving, the kernel stopping, or the reader. */
function eventQueue(): AsyncIterable<string> & { push(chunk: string): void; end(): void; onEnd(fn: () => void): void } {
  const chunks: string[] = [];
  let waiting: ((result: IteratorResult<string>) => void) | undefined;
  let ended = false;
  const endListeners: (() => void)[] = [];
  const end = () => {
    if (ended) return;
    ended = true;
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    for (const listener of endListeners) listener();
  };
  return {
    push(chunk) {
      if (ended) return;
      if (waiting) {
        waiting({ value: chunk, done: false });
        waiting = undefined;
      } else chunks.push(chunk);
    },
    end,
    onEnd: (fn) => void endListeners.push(fn),
    [Symbol.asyncIterator]() {
      return {
        next: () => {
          const chunk = chunks.shift();
          if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
          if (ended) return Promise.resolve({ value: undefined, done: true });
          return new Promise<IteratorResult<string>>((resolve) => (waiting = resolve));
        },
        return: () => {
          end();
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

/** The inbox routes. */
export const notificationRoutes: CoreRoute[] = [listNotifications, countUnread, readAllNotifications, readNotification, streamNotifications];
