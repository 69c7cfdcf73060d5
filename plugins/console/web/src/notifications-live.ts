/**
 * The signed-in person's inbox in a workspace, kept live: the unread count and new items arrive over
 * `GET /notifications/stream` (Server-Sent Events read with `fetch`, so the bearer header goes with it — an
 * `EventSource` cannot send one), reconnecting with backoff; nothing polls. Marking read goes through here too, so
 * the bell, its panel and the inbox page agree without asking the server again.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, refreshSession, sessionHeaders } from './api';

/** An item of the inbox, as `GET /notifications` lists it. */
export interface InboxItem {
  id: string;
  category: string;
  /** The category's name in the person's language. */
  category_label: string;
  title: string;
  body: string;
  /** A console path (`/t/acme/p/shop/orders/1`) or a page of the workspace (`/c/acme/…`); null when it leads nowhere. */
  url: string | null;
  read_at: string | null;
  created_at: string;
}

/** What changed in a workspace's inbox: an item arrived, one was read, or all were (`id` null). */
export type InboxChange = { kind: 'added'; item: InboxItem } | { kind: 'read'; id: string | null; at: string };

type Listener = (tenant: string, change: InboxChange) => void;

const changeListeners = new Set<Listener>();
const unreadCounts = new Map<string, number>();
const unreadListeners = new Set<() => void>();
/** The workspace whose bell was shown last: the account page's preferences start with it. */
let lastTenant: string | undefined;

function setUnread(tenant: string, unread: number): void {
  if (unreadCounts.get(tenant) === unread) return;
  unreadCounts.set(tenant, unread);
  for (const listener of [...unreadListeners]) listener();
}

function emit(tenant: string, change: InboxChange): void {
  for (const listener of [...changeListeners]) listener(tenant, change);
}

/** The workspace whose notifications were shown last in this tab, if any. */
export function lastNotifiedTenant(): string | undefined {
  return lastTenant;
}

/** The unread count of a workspace's inbox (undefined until known); re-renders when it changes. */
export function useUnread(tenant: string): number | undefined {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    unreadListeners.add(listener);
    return () => void unreadListeners.delete(listener);
  }, []);
  return unreadCounts.get(tenant);
}

/** Calls `listener` with each change of the workspace's inbox while the calling component is shown. */
export function useInboxChanges(tenant: string, listener: (change: InboxChange) => void): void {
  useEffect(() => {
    const scoped: Listener = (which, change) => {
      if (which === tenant) listener(change);
    };
    changeListeners.add(scoped);
    return () => void changeListeners.delete(scoped);
  }, [tenant, listener]);
}

/** Marks one item read; the bell and open lists follow. */
export async function markRead(tenant: string, id: string): Promise<void> {
  const { data } = await call<InboxItem>('POST', `/notifications/${encodeURIComponent(id)}/read`, { tenant, body: {} });
  emit(tenant, { kind: 'read', id, at: data.read_at ?? new Date().toISOString() });
  await refreshUnread(tenant);
}

/** Marks every item read; answers how many were unread. */
export async function markAllRead(tenant: string): Promise<number> {
  const { data } = await call<{ updated: number }>('POST', '/notifications/read-all', { tenant, body: {} });
  emit(tenant, { kind: 'read', id: null, at: new Date().toISOString() });
  setUnread(tenant, 0);
  return data.updated;
}

async function refreshUnread(tenant: string): Promise<void> {
  const { data } = await call<{ unread: number }>('GET', '/notifications/unread-count', { tenant });
  setUnread(tenant, data.unread);
}

/** The first wait before reconnecting, and the longest: doubled after each failure in between. */
const firstRetryMs = 1_000;
const longestRetryMs = 30_000;

/**
 * Keeps the workspace's stream open while the calling component is shown (the shell's bell): the unread count,
 * new items, reads in other tabs. After a dropped connection it reconnects with growing waits (and reads the count
 * again, as events may have passed meanwhile); an expired access token is refreshed first.
 */
export function useNotificationStream(tenant: string): void {
  useEffect(() => {
    lastTenant = tenant;
    const stop = new AbortController();
    void follow(tenant, stop.signal);
    return () => stop.abort();
  }, [tenant]);
}

async function follow(tenant: string, signal: AbortSignal): Promise<void> {
  let wait = firstRetryMs;
  while (!signal.aborted) {
    let opened: boolean | null = false;
    try {
      // The stream starts with the unread count: events of the time it was closed are not missed.
      opened = await readStream(tenant, signal, () => (wait = firstRetryMs));
    } catch {
      // Dropped, refused or offline: try again after the wait.
    }
    if (signal.aborted || opened === null) return;
    await pause(wait + Math.random() * 250, signal);
    wait = Math.min(wait * 2, longestRetryMs);
  }
}

/**
 * Reads the stream until it ends; calls `onOpen` once it is accepted. Resolves null when reconnecting cannot help:
 * the session has ended, or the workspace refuses this person an inbox (a 4xx other than 429).
 */
async function readStream(tenant: string, signal: AbortSignal, onOpen: () => void): Promise<boolean | null> {
  let response = await open(tenant, signal);
  if (response.status === 401) {
    if (!(await refreshSession())) return null;
    response = await open(tenant, signal);
  }
  if (response.status >= 400 && response.status < 500 && response.status !== 429) return null;
  if (!response.ok || !response.body) return false;
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true;
    buffer += value.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      dispatch(tenant, buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

async function open(tenant: string, signal: AbortSignal): Promise<Response> {
  const headers = await sessionHeaders(tenant);
  return fetch('/api/v1/notifications/stream', { headers: { ...headers, accept: 'text/event-stream' }, signal, cache: 'no-store' });
}

/** One event of the stream (`event:` and `data:` lines; comments, the heartbeats, start with `:`). */
function dispatch(tenant: string, block: string): void {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return;
  let payload: { unread?: unknown } & Partial<InboxItem>;
  try {
    payload = JSON.parse(data.join('\n'));
  } catch {
    return;
  }
  if (name === 'notification' && typeof payload.id === 'string') {
    const { unread, ...item } = payload;
    emit(tenant, { kind: 'added', item: item as InboxItem });
    if (typeof unread === 'number') setUnread(tenant, unread);
  } else if (name === 'unread' && typeof payload.unread === 'number') {
    setUnread(tenant, payload.unread);
    // Read elsewhere (another tab): with nothing unread left, every item shown here is read too.
    if (payload.unread === 0) emit(tenant, { kind: 'read', id: null, at: new Date().toISOString() });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
