import type { Cache } from '../cache/cache.js';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets (for `Retry-After`). */
  retryAfterSeconds: number;
  count: number;
}

/**
 * Fixed-window counters in the kernel cache (shared through Redis across
 * processes when configured). keyv has no atomic increment, so under heavy
 * concurrency across processes a window may admit a few extra requests; the
 * limits are safeguards against abuse, not billing meters.
 */
export interface RateLimiter {
  /** Counts one event for `key` and says whether it is within `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /** Reads the count without adding to it. */
  peek(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  reset(key: string, windowMs: number): Promise<void>;
}

export function createRateLimiter(cache: Cache): RateLimiter {
  const windowKey = (key: string, windowMs: number, now: number) => `rl:${key}:${Math.floor(now / windowMs)}`;
  const result = (count: number, limit: number, windowMs: number, now: number): RateLimitResult => ({
    allowed: count <= limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((windowMs - (now % windowMs)) / 1000)),
  });
  return {
    async hit(key, limit, windowMs) {
      const now = Date.now();
      const slot = windowKey(key, windowMs, now);
      const count = ((await cache.get<number>(slot)) ?? 0) + 1;
      await cache.set(slot, count, windowMs);
      return result(count, limit, windowMs, now);
    },
    async peek(key, limit, windowMs) {
      const now = Date.now();
      const count = (await cache.get<number>(windowKey(key, windowMs, now))) ?? 0;
      return result(count + 1, limit, windowMs, now);
    },
    async reset(key, windowMs) {
      await cache.delete(windowKey(key, windowMs, Date.now()));
    },
  };
}
