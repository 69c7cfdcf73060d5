import type { ScopedDb } from '../db/scoped-db.js';

/** The PostgreSQL channel inbox changes are announced on (one LISTEN connection per process, see notification-stream.ts). */
export const notificationChannel = 'plinth_notifications';

/** An inbox change for one person of one tenant: a new item, or reads that changed the unread count. */
export type InboxEvent = { kind: 'notification'; tenantId: string; userId: string; itemId: string } | { kind: 'unread'; tenantId: string; userId: string };

/**
 * Announces inbox changes in the transaction that made them: PostgreSQL delivers a `NOTIFY` at commit, and not at
 * all on rollback, so open streams never see an item that does not exist. Ids only: the listener reads the item
 * in the person's tenant.
 */
export async function announce(db: ScopedDb, events: readonly InboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query('select pg_notify($1, payload) from unnest($2::text[]) as payload', [notificationChannel, events.map((event) => JSON.stringify(event))]);
}

/** The event of a payload from the channel, or undefined for anything malformed. */
export function parseInboxEvent(payload: string | undefined): InboxEvent | undefined {
  try {
    const event = JSON.parse(payload ?? '') as Partial<InboxEvent> & { itemId?: string };
    if (typeof event.tenantId !== 'string' || typeof event.userId !== 'string') return undefined;
    if (event.kind === 'unread') return { kind: 'unread', tenantId: event.tenantId, userId: event.userId };
    if (event.kind === 'notification' && typeof event.itemId === 'string')
      return { kind: 'notification', tenantId: event.tenantId, userId: event.userId, itemId: event.itemId };
    return undefined;
  } catch {
    return undefined;
  }
}
