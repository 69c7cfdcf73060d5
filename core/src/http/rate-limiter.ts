import type { Cache } from '../cache/cache.js';
import type { CountResult, CountState } from '../cache/counters.js';
import { andThen } from '../util/maybe-promise.js';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets (for `Retry-After`). */
  retryAfterSeconds: number;
  count: number;
}

/**
 * Windowed counters in the kernel cache's atomic counters: one Redis script per call when Redis is configured
 * (shared by every process of the host), plain synchronous arithmetic in memory otherwise — then `hit`, `take`
 * and `peek` return their result directly, not a promise, and the hot request path does not wait on them.
 * An event is counted only when it is allowed, so a burst cannot slip through between a read and a write:
 * at most `limit` events are admitted per window, however many arrive at once. A window starts with its key's
 * first counted event and lasts `windowMs`.
 */
export interface RateLimiter {
  /** Counts one event for `key` if that keeps it within `limit` per `windowMs`; a refused event is not counted. */
  hit(key: string, limit: number, windowMs: number): RateLimitResult | Promise<RateLimitResult>;
  /** Like `hit` for several keys at once, all or nothing: refused when any of them is full. */
  take(keys: readonly string[], limit: number, windowMs: number): RateLimitResult | Promise<RateLimitResult>;
  /** Gives back one event counted by `take` on each key (an attempt that turned out not to count). */
  giveBack(keys: readonly string[]): void | Promise<void>;
  /** Whether one more event would be allowed, without counting it. */
  peek(key: string, limit: number, windowMs: number): RateLimitResult | Promise<RateLimitResult>;
  /** Forgets the count of `key` (its window starts again). */
  reset(key: string): void | Promise<void>;
}

/** The key of a tenant's requests-per-minute meter: counted by the request pipeline, read by the host admin. */
export function tenantRequestsKey(tenantId: string): string {
  return `tenant:${tenantId}`;
}

export function createRateLimiter(cache: Cache): RateLimiter {
  const { counters } = cache;
  const slot = (key: string) => `rl:${key}`;
  const result = (outcome: CountResult, windowMs: number): RateLimitResult => ({
    allowed: outcome.taken,
    count: outcome.count,
    retryAfterSeconds: Math.max(1, Math.ceil((outcome.ttlMs > 0 ? outcome.ttlMs : windowMs) / 1000)),
  });
  const slots = (keys: readonly string[]) => keys.map(slot);
  const take = (keys: readonly string[], limit: number, windowMs: number) =>
    andThen(counters.take(slots(keys), limit, windowMs), (outcome) => result(outcome, windowMs));
  return {
    hit: (key, limit, windowMs) => take([key], limit, windowMs),
    take,
    giveBack: (keys) => counters.giveBack(slots(keys)),
    peek: (key, limit, windowMs) =>
      andThen(counters.read(slot(key)), (state: CountState) =>
        result({ taken: state.count + 1 <= limit, count: state.count + 1, ttlMs: state.ttlMs }, windowMs),
      ),
    reset: (key) => counters.delete(slot(key)),
  };
}
