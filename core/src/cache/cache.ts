import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import { withTimeout } from '../util/timeout.js';

/**
 * The kernel's key-value cache: keyv over an in-process Map by default, or
 * Redis when `REDIS_URL` is set (shared by every process of the host).
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** True when the store answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  close(): Promise<void>;
}

export interface CacheOptions {
  redisUrl?: string | undefined;
  /** Prefix of every key, so several hosts can share one Redis. */
  namespace?: string;
  onError?: (error: unknown) => void;
}

export function createCache(options: CacheOptions): Cache {
  const store = options.redisUrl ? new KeyvRedis(options.redisUrl, { connectionTimeout: 2000, throwOnConnectError: false, throwOnErrors: true }) : new Map();
  const keyv = new Keyv({ store, namespace: options.namespace ?? 'plinth', throwOnErrors: true });
  keyv.on('error', (error: unknown) => options.onError?.(error));
  return {
    kind: options.redisUrl ? 'redis' : 'memory',
    get: <T>(key: string) => keyv.get<T>(key),
    async set(key, value, ttlMs) {
      await keyv.set(key, value, ttlMs);
    },
    async delete(key) {
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
