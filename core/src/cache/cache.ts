import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import { withTimeout } from '../util/timeout.js';
import { memoryCounters, redisCounters, type Counters, type ScriptClient } from './counters.js';
import { createNearTier, type NearCacheOptions, type NearTier, type SubscriberClient } from './near-cache.js';
import { tracedCache } from '../telemetry/spans.js';
import { tracing } from '../telemetry/tracing.js';

/**
 * The kernel's key-value cache: an in-process LRU by default, or Redis
 * (through keyv) when `REDIS_URL` is set (shared by every process of the host), with a near cache in each process
 * in front of it (near-cache.ts), kept coherent by invalidation messages.
 */
export interface Cache {
  /** The cached value; a hit of the memory store or the near tier is the very object kept there: never mutate it. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * The value when it can be had without waiting: the in-memory store, and with Redis the near cache, answer hits
   * synchronously; a miss answers undefined (then use {@link getOrLoad}). Per-request lookups try it first.
   */
  peek<T>(key: string): T | undefined;
  /**
   * The cached value, or `load()`'s result stored for `ttlMs` (undefined results are not stored, nor are
   * results of loads that began before the key was last deleted). Cached values are shared: never mutate them.
   */
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T | undefined>): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** True when the store answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** Atomic counters (rate limits), in the same store and under the same prefix. */
  readonly counters: Counters;
  close(): Promise<void>;
}

export interface CacheOptions {
  redisUrl?: string | undefined;
  /** Prefix of every key, as is (`plinth:` by default; `PLINTH_REDIS_PREFIX`), so several hosts can share one Redis. */
  namespace?: string;
  onError?: (error: unknown) => void;
  /** With Redis, the in-process tier in front of it (near-cache.ts): its bounds, or false for none. */
  near?: NearCacheOptions | false;
}

/** Deleting a key leaves a tombstone for a while, so a slower concurrent load cannot put the stale value back. */
const tombstonePrefix = 'deleted:';
const tombstoneTtlMs = 120_000;

// Synchronous, so the kernel builds it like any other service (a factory resolved by awilix); the Redis client
// connects on first use.
export function createCache(options: CacheOptions): Cache {
  const namespace = options.namespace ?? 'plinth:';
  // In Redis a key is the prefix and the key, nothing else (`plinth:tenant:…`): keyv adds no namespace of its own.
  const redis = options.redisUrl
    ? new KeyvRedis(options.redisUrl, { connectionTimeout: 2000, throwOnConnectError: false, throwOnErrors: true, namespace, keyPrefixSeparator: '' })
    : undefined;
  const store = redis ? redisStore(redis, namespace, options.onError, nearTier(redis, namespace, options)) : memoryStore(100_000);
  const peek = <T>(key: string) => store.peek(key) as T | undefined;
  const get = <T>(key: string) => store.get(key) as Promise<T | undefined>;
  const cache: Cache = {
    kind: redis ? 'redis' : 'memory',
    counters: redis ? redisCounters(() => redis.getClient() as unknown as Promise<ScriptClient>, namespace) : memoryCounters(),
    get,
    peek,
    async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T | undefined>) {
      const cached = peek<T>(key) ?? (await get<T>(key));
      if (cached !== undefined) return cached;
      const started = Date.now();
      const loaded = await load();
      // A load that began before the key was invalidated may have read the old row: answer with it, but do not keep it.
      // The tombstone is read from Redis itself, not the near tier, which may not have heard of it yet.
      const invalidated = (await store.get(`${tombstonePrefix}${key}`, true)) as number | undefined;
      if (loaded !== undefined && !(invalidated !== undefined && invalidated >= started)) await store.set(key, loaded, ttlMs);
      return loaded;
    },
    set: (key, value, ttlMs) => store.set(key, value, ttlMs),
    async delete(key) {
      await store.set(`${tombstonePrefix}${key}`, Date.now(), tombstoneTtlMs);
      await store.delete(key);
    },
    async ping(timeoutMs = 1000) {
      try {
        const probe = `health:${process.pid}`;
        await withTimeout(store.set(probe, 1, 5000), timeoutMs);
        return (await withTimeout(get(probe), timeoutMs)) === 1;
      } catch {
        return false;
      }
    },
    close: () => store.close(),
  };
  return tracing ? tracedCache(cache) : cache;
}

/** Where values live: `peek` answers without waiting when it can (memory, the near tier), else undefined. */
interface Store {
  peek(key: string): unknown;
  /** `fresh`: from the store of record (Redis), never a copy near by. */
  get(key: string, fresh?: boolean): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The near cache's subscriber: a second connection with the main one's options, named after its channel
 * (`<prefix>invalidate`) so that `CLIENT LIST` says what it is.
 */
function nearTier(redis: KeyvRedis<unknown>, namespace: string, options: CacheOptions): NearTier | undefined {
  if (options.near === false) return undefined;
  const channel = `${namespace}invalidate`;
  const main = redis.client as unknown as { duplicate(overrides: { name: string }): SubscriberClient };
  return createNearTier(() => main.duplicate({ name: channel.replace(/\s/g, '_') }), channel, options.near ?? {}, options.onError);
}

/**
 * Redis through keyv: values as JSON, expiry by Redis; with a near tier, reads answer from it when they can, and
 * each write drops this process's copy, then (once Redis has the new state) tells every process to drop theirs.
 */
function redisStore(redis: KeyvRedis<unknown>, namespace: string, onError: ((error: unknown) => void) | undefined, near: NearTier | undefined): Store {
  const keyv = new Keyv({ store: redis, namespace, useKeyPrefix: false, throwOnErrors: true });
  keyv.on('error', (error: unknown) => onError?.(error));
  const channel = `${namespace}invalidate`;
  const fetch = async (key: string) => {
    const raw = await keyv.getRaw(key);
    return raw === undefined ? undefined : { value: raw.value, ttlMs: typeof raw.expires === 'number' ? raw.expires - Date.now() : undefined };
  };
  // Dropped before the write (reads of this process already in flight do not fill) and after it (nor do those that
  // began during it, which may have read the old value); the message goes out once Redis has the new state. A
  // process without a tier of its own still tells the others.
  const written = async (key: string, write: () => Promise<unknown>) => {
    near?.drop(key);
    await write();
    near?.drop(key);
    await ((await redis.getClient()) as unknown as PublishClient).publish(channel, key);
  };
  return {
    peek: (key) => near?.peek(key),
    get: (key, fresh) => (near && !fresh ? near.read(key, () => fetch(key)) : keyv.get(key)),
    set: (key, value, ttlMs) => written(key, () => keyv.set(key, value, ttlMs)),
    delete: (key) => written(key, () => keyv.delete(key)),
    async close() {
      await near?.close();
      await keyv.disconnect().catch(() => undefined);
    },
  };
}

interface PublishClient {
  publish(channel: string, message: string): Promise<number>;
}

/** In process: a bounded LRU of values kept by reference (no serialisation), each with its expiry (ms since the epoch). */
function memoryStore(max: number): Store {
  const lru = new LRUCache<string, { value: unknown; expires: number }>({ max });
  const peek = (key: string) => {
    const entry = lru.get(key);
    if (entry === undefined) return undefined;
    if (Date.now() > entry.expires) {
      lru.delete(key);
      return undefined;
    }
    return entry.value;
  };
  return {
    peek,
    get: (key) => Promise.resolve(peek(key)),
    set(key, value, ttlMs) {
      if (value !== undefined) lru.set(key, { value, expires: ttlMs === undefined ? Infinity : Date.now() + ttlMs });
      return Promise.resolve();
    },
    delete(key) {
      lru.delete(key);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
