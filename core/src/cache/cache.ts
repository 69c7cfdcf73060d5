import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import { withTimeout } from '../util/timeout.js';
import { memoryCounters, redisCounters, type Counters, type ScriptClient } from './counters.js';

/**
 * The kernel's key-value cache: keyv over an in-process Map by default, or
 * Redis when `REDIS_URL` is set (shared by every process of the host).
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
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
  // In memory, values are kept by reference (no serialisation) in a bounded LRU; Redis stores JSON.
  const namespace = options.namespace ?? 'plinth:';
  // In Redis a key is the prefix and the key, nothing else (`plinth:tenant:…`): keyv adds no namespace of its own.
  const store = options.redisUrl
    ? new KeyvRedis(options.redisUrl, { connectionTimeout: 2000, throwOnConnectError: false, throwOnErrors: true, namespace, keyPrefixSeparator: '' })
    : undefined;
  const keyv = store
    ? new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true })
    : new Keyv({ store: boundedMap(100_000), namespace, serialize: undefined, deserialize: undefined });
  keyv.on('error', (error: unknown) => options.onError?.(error));
  return {
    kind: options.redisUrl ? 'redis' : 'memory',
    counters: store ? redisCounters(() => store.getClient() as unknown as Promise<ScriptClient>, namespace) : memoryCounters(),
    get: <T>(key: string) => keyv.get<T>(key),
    async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T | undefined>) {
      const cached = await keyv.get<T>(key);
      if (cached !== undefined) return cached;
      const started = Date.now();
      const loaded = await load();
      // A load that began before the key was invalidated may have read the old row: answer with it, but do not keep it.
      const invalidated = await keyv.get<number>(`${tombstonePrefix}${key}`);
      if (loaded !== undefined && !(invalidated !== undefined && invalidated >= started)) await keyv.set(key, loaded, ttlMs);
      return loaded;
    },
    async set(key, value, ttlMs) {
      await keyv.set(key, value, ttlMs);
    },
    async delete(key) {
      await keyv.set(`${tombstonePrefix}${key}`, Date.now(), tombstoneTtlMs);
      await keyv.delete(key);
    },
    async ping(timeoutMs = 1000) {
      try {
        const probe = `health:${process.pid}`;
        await withTimeout(keyv.set(probe, 1, 5000), timeoutMs);
        return (await withTimeout(keyv.get(probe), timeoutMs)) === 1;
      } catch {
        return false;
      }
    },
    async close() {
      await keyv.disconnect().catch(() => undefined);
    },
  };
}

/** A Map-like LRU for keyv: keyv keeps the expiry with each value, so the store's own TTL argument is ignored. */
function boundedMap(max: number) {
  const lru = new LRUCache<string, object>({ max });
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: object) => {
      lru.set(key, value);
      return true;
    },
    delete: (key: string) => lru.delete(key),
    has: (key: string) => lru.has(key),
    clear: () => lru.clear(),
  };
}
