import pg from 'pg';
import type { Plugin } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { runInTenant } from '../db/scoped-db.js';
import type { Logger } from '../logger.js';
import { itemColumns, presentItem, unreadCount, type ItemRow } from './inbox.js';
import { notificationChannel, parseInboxEvent, type InboxEvent } from './notification-events.js';

/** One open stream: what it is sent, and how it is ended. */
export interface StreamSubscriber {
  tenantId: string;
  userId: string;
  /** The reader's language, for category labels. */
  locale: string;
  send(event: 'notification' | 'unread', data: unknown): void;
  end(): void;
}

/**
 * Live inbox events for this process's open streams (GET /notifications/stream): one LISTEN connection, opened with
 * the first stream and kept (reconnecting after a loss), fans each event out to the streams of its person and
 * tenant. After a reconnection every stream gets its unread count again, since events of the gap were lost.
 */
export interface NotificationStream {
  /** Adds a stream once the connection listens (so nothing committed after this resolves is missed); returns its removal. */
  subscribe(subscriber: StreamSubscriber): Promise<() => void>;
  /** Open streams in this process. */
  size(): number;
  /** Ends every stream and the LISTEN connection (the kernel's stop), before the HTTP server drains. */
  close(): Promise<void>;
}

/** Wait before the LISTEN connection tries again. */
const reconnectMs = 1000;

export function createNotificationStream(options: {
  databaseUrl: string | undefined;
  database: Database;
  logger: Logger;
  plugins: () => readonly Plugin[];
}): NotificationStream {
  const { database, logger } = options;
  const subscribers = new Map<string, Set<StreamSubscriber>>();
  let client: pg.Client | undefined;
  let listening: Promise<void> | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const keyOf = (tenantId: string, userId: string) => `${tenantId}:${userId}`;

  const deliver = async (event: InboxEvent) => {
    const streams = subscribers.get(keyOf(event.tenantId, event.userId));
    if (!streams || streams.size === 0) return;
    const read = await runInTenant(database, event.tenantId, async (db) => ({
      item:
        event.kind === 'notification'
          ? await db.one<ItemRow>(`select ${itemColumns} from notification_items where id = $1 and user_id = $2`, [event.itemId, event.userId])
          : undefined,
      unread: await unreadCount(db, event.userId),
    }));
    for (const stream of streams) {
      if (read.item) stream.send('notification', { ...presentItem(read.item, options.plugins(), stream.locale), unread: read.unread });
      else stream.send('unread', { unread: read.unread });
    }
  };

  const refreshAll = () => {
    for (const streams of subscribers.values()) {
      const first = streams.values().next().value;
      if (first) void deliver({ kind: 'unread', tenantId: first.tenantId, userId: first.userId }).catch(() => undefined);
    }
  };

  const connect = async (): Promise<void> => {
    if (!options.databaseUrl) throw new Error('the notification stream needs the database URL');
    const next = new pg.Client({ connectionString: options.databaseUrl, application_name: 'plinth-notifications', keepAlive: true });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'notification listener lost its connection; reconnecting');
      lost(next);
    });
    next.on('end', () => lost(next));
    next.on('notification', (message) => {
      if (message.channel !== notificationChannel) return;
      const event = parseInboxEvent(message.payload);
      if (event) deliver(event).catch((error: unknown) => logger.warn({ err: error }, 'notification not streamed'));
    });
    await next.connect();
    await next.query(`listen ${notificationChannel}`);
    client = next;
  };

  const reconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (closed || subscribers.size === 0) return;
      ensureListening().then(refreshAll, reconnect);
    }, reconnectMs);
    timer.unref();
  };

  const lost = (which: pg.Client) => {
    if (client !== which) return;
    client = undefined;
    listening = undefined;
    which.end().catch(() => undefined);
    reconnect();
  };

  const ensureListening = (): Promise<void> => {
    listening ??= connect().catch((error: unknown) => {
      listening = undefined;
      throw error;
    });
    return listening;
  };

  return {
    async subscribe(subscriber) {
      if (closed) throw new Error('the notification stream is closed');
      await ensureListening();
      const key = keyOf(subscriber.tenantId, subscriber.userId);
      const streams = subscribers.get(key) ?? new Set();
      streams.add(subscriber);
      subscribers.set(key, streams);
      return () => {
        streams.delete(subscriber);
        if (streams.size === 0 && subscribers.get(key) === streams) subscribers.delete(key);
      };
    },
    size: () => [...subscribers.values()].reduce((total, streams) => total + streams.size, 0),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const streams of subscribers.values()) for (const stream of streams) stream.end();
      subscribers.clear();
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
