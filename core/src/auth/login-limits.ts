import { RateLimitedError } from '@plinth/sdk';
import { recordHostAudit } from '../audit/audit.js';
import { runAsSystem } from '../db/scoped-db.js';
import type { AuditActor } from '../audit/audit.js';
import type { KernelServices } from '../kernel.js';

/** Failures allowed per account and per IP before sign-in answers 429. */
export const loginLimit = { failures: 10, windowMs: 15 * 60_000 };

/** One attempt at a secret (password, one-time code, reset token), counted before the secret is checked. */
export interface LimitedAttempt {
  /** The secret was wrong: the attempt stays counted, and is audited in its own transaction (the request's rolls back with the error). */
  failed(userId: string | null, action: string, data: Record<string, unknown>): Promise<void>;
  /**
   * Ends the attempt once the secret proved right (or in `finally`): unless it failed, its count is given back.
   * An attempt never ended (an unexpected error between) stays counted until its window ends.
   */
  end(): Promise<void>;
}

/**
 * Counts an attempt against every key at once, atomically, before the secret is checked: 16 guesses sent
 * together after 6 wrong ones get at most 4 checks, the rest 429 — checking first and counting after would
 * let them all through. The count is given back unless the attempt fails, so only failures use up the limit;
 * at most `loginLimit.failures` attempts per key are checked at the same time. 429 with `Retry-After` when
 * a key has no attempts left in its window.
 */
export async function beginAttempt(
  { deps: services, actor }: { deps: Pick<KernelServices, 'rateLimiter' | 'database'>; actor: AuditActor },
  keys: readonly string[],
): Promise<LimitedAttempt> {
  const limit = await services.rateLimiter.take(keys, loginLimit.failures, loginLimit.windowMs);
  if (!limit.allowed) throw new RateLimitedError(limit.retryAfterSeconds, 'Too many failed attempts; try again later');
  let failed = false;
  let ended = false;
  return {
    async failed(userId, action, data) {
      failed = true;
      await runAsSystem(services.database, (db) =>
        recordHostAudit(db, { ...actor, userId }, { action, targetType: 'user', ...(userId ? { targetId: userId } : {}), data }),
      );
    },
    async end() {
      if (ended) return;
      ended = true;
      if (!failed) await services.rateLimiter.giveBack(keys);
    },
  };
}
