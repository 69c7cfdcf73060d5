import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import { withTimeout } from '../util/timeout.js';
import { memoryCounters, redisCounters, type Counters, type ScriptClient } from './counters.js';

/**
 * The kernel's key-value cache: an in-process LRU by default, or Redis
 * (through keyv) when `REDIS_URL` is set (shared by every process of the host).
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * The value when it can be had without waiting: the in-memory store answers hits synchronously; a miss, and
   * Redis, answer undefined (then use {@link getOrLoad}). Per-request lookups try it first.
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
  const store = redis ? redisStore(redis, namespace, options.onError) : memoryStore(100_000);
  const peek = <T>(key: string) => store.peek(key) as T | undefined;
  const get = <T>(key: string) => store.get(key) as Promise<T | undefined>;
  return {
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
      const invalidated = await get<number>(`${tombstonePrefix}${key}`);
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
}

/** Where values live: `peek` answers without waiting when it can (memory), else undefined (Redis). */
interface Store {
  peek(key: string): unknown;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Redis through keyv: values as JSON, expiry by Redis. */
function redisStore(redis: KeyvRedis<unknown>, namespace: string, onError: ((error: unknown) => void) | undefined): Store {
  const keyv = new Keyv({ store: redis, namespace, useKeyPrefix: false, throwOnErrors: true });
  keyv.on('error', (error: unknown) => onError?.(error));
  return {
    peek: () => undefined,
    get: (key) => keyv.get(key),
    async set(key, value, ttlMs) {
      await keyv.set(key, value, ttlMs);
    },
    async delete(key) {
      await keyv.delete(key);
    },
    async close() {
      await keyv.disconnect().catch(() => undefined);
    },
  };
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
