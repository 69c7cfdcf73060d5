import { LRUCache } from 'lru-cache';

/**
 * The near cache: a bounded in-process tier in front of Redis, so a per-request lookup that hits answers without a
 * round trip (and without a promise, through `peek`). Redis stays the truth: every write of any process publishes
 * the key on `<prefix>invalidate`, and each process's subscriber drops its copy. What a lost message can cost is
 * bounded: an entry lives at most its own TTL and `maxAgeMs`, and while the subscriber is not subscribed the tier
 * is empty and not filled.
 */
export interface NearCacheOptions {
  /** Most entries held (10,000); the least recently used goes first. */
  max?: number;
  /** Longest an entry is held, whatever its TTL in Redis (30 s): the bound on a missed invalidation. */
  maxAgeMs?: number;
  /** The clock of the tier's expiry (ms); tests pass a fake one. */
  now?: () => number;
  /** Test hooks: the subscription became live (true) or was lost (false); a message dropped `key`. */
  onSubscription?: (live: boolean) => void;
  onInvalidated?: (key: string) => void;
}

/** What the tier needs of a node-redis client of its own: pub/sub takes the whole connection. */
export interface SubscriberClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  on(event: 'error' | 'end' | 'reconnecting' | 'ready', listener: (error?: unknown) => void): unknown;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  destroy(): void;
}

/** A value read from Redis and the time it has left there (undefined: no expiry). */
export interface Fetched {
  value: unknown;
  ttlMs: number | undefined;
}

export interface NearTier {
  /** The held value, when the subscription is live and the entry is fresh. Starts the subscriber on first use. */
  peek(key: string): unknown;
  /**
   * Reads through the tier: a held value, or `fetch()`'s, which is then held unless the key was invalidated
   * while the fetch was in flight (it may have read the old value) or the subscription is not live.
   */
  read(key: string, fetch: () => Promise<Fetched | undefined>): Promise<unknown>;
  /** Drops this process's copy of `key` (a write here), and makes reads in flight of it not fill. */
  drop(key: string): void;
  close(): Promise<void>;
}

export const nearCacheDefaults = { max: 10_000, maxAgeMs: 30_000 };
const resubscribeDelayMs = 5000;

/**
 * `subscriber()` makes the second connection (not yet connected); the tier connects it and subscribes to `channel`
 * on first use, so a process that never reads the cache opens nothing.
 */
export function createNearTier(
  subscriber: () => SubscriberClient,
  channel: string,
  options: NearCacheOptions,
  onError: ((error: unknown) => void) | undefined,
): NearTier {
  const maxAgeMs = options.maxAgeMs ?? nearCacheDefaults.maxAgeMs;
  const now = options.now ?? Date.now;
  const entries = new LRUCache<string, { value: unknown; expires: number }>({ max: options.max ?? nearCacheDefaults.max });
  const generations = invalidationGenerations();
  let live = false;
  let client: SubscriberClient | undefined;
  let closed = false;

  // Whatever happened to the subscription, a message may have been missed: nothing held before may be trusted,
  // nor any read in flight.
  const resync = (nowLive: boolean) => {
    entries.clear();
    generations.invalidateAll();
    if (live !== nowLive) {
      live = nowLive;
      options.onSubscription?.(nowLive);
    }
  };
  const onMessage = (key: string) => {
    drop(key);
    options.onInvalidated?.(key);
  };
  const drop = (key: string) => {
    entries.delete(key);
    generations.invalidate(key);
  };

  const start = () => {
    if (client || closed) return;
    const sub = (client = subscriber());
    let subscribed = false;
    // An error (lost connection, reconnect attempt) drops everything; the tier stays live only if the connection
    // survived it. After a reconnect node-redis subscribes again before it says `ready`.
    sub.on('error', (error) => {
      resync(subscribed && sub.isReady);
      onError?.(error);
    });
    sub.on('end', () => resync(false));
    sub.on('reconnecting', () => resync(false));
    sub.on('ready', () => {
      if (subscribed) resync(true);
    });
    // Until the first subscription is confirmed the tier stays empty; a failed SUBSCRIBE is tried again.
    const subscribe = async () => {
      try {
        await sub.subscribe(channel, onMessage);
        subscribed = true;
        if (!closed) resync(sub.isReady);
      } catch (error) {
        if (closed) return;
        onError?.(error);
        setTimeout(() => void subscribe(), resubscribeDelayMs).unref();
      }
    };
    // node-redis keeps trying to connect (reads meanwhile go to Redis, or fail there); it rejects only when closed.
    sub.connect().then(subscribe, (error: unknown) => {
      if (!closed) onError?.(error);
    });
  };

  const peek = (key: string) => {
    start();
    if (!live) return undefined;
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (now() >= entry.expires) {
      entries.delete(key);
      return undefined;
    }
    return entry.value;
  };

  return {
    peek,
    async read(key, fetch) {
      const held = peek(key);
      if (held !== undefined) return held;
      const begun = generations.begin(key);
      let fetched: Fetched | undefined;
      try {
        fetched = await fetch();
      } finally {
        const fresh = generations.end(key, begun);
        if (fetched !== undefined && fresh && live) {
          const ageMs = Math.min(maxAgeMs, fetched.ttlMs ?? Infinity);
          if (ageMs > 0) entries.set(key, { value: fetched.value, expires: now() + ageMs });
        }
      }
      return fetched?.value;
    },
    drop,
    async close() {
      closed = true;
      resync(false);
      if (client?.isOpen) client.destroy();
    },
  };
}

/**
 * Says whether a key was invalidated while a read of it was in flight: a global generation counts invalidations;
 * a key's last one is kept only while reads of it are in flight, so the bookkeeping is bounded by them.
 */
function invalidationGenerations() {
  let generation = 0;
  let all = 0; // the generation of the last invalidation of every key
  const reading = new Map<string, { readers: number; invalidated: number }>();
  return {
    begin(key: string) {
      const entry = reading.get(key);
      if (entry) entry.readers += 1;
      else reading.set(key, { readers: 1, invalidated: 0 });
      return generation;
    },
    /** Ends a read begun at `begun`: true when neither the key nor everything was invalidated since. */
    end(key: string, begun: number) {
      const entry = reading.get(key)!;
      entry.readers -= 1;
      if (entry.readers === 0) reading.delete(key);
      return entry.invalidated <= begun && all <= begun;
    },
    invalidate(key: string) {
      generation += 1;
      const entry = reading.get(key);
      if (entry) entry.invalidated = generation;
    },
    invalidateAll() {
      generation += 1;
      all = generation;
    },
  };
}
