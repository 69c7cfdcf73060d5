import { LRUCache } from 'lru-cache';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';

/** What every authenticated request checks about its user, cached and dropped on change. */
export interface UserState {
  status: 'active' | 'disabled';
  tokenVersion: number;
  isSuperAdmin: boolean;
  /** The address is proved (`users.email_verified_at`): routes with `verifiedEmail` refuse the user until it is. */
  emailVerified: boolean;
  /** The user's live sessions (refresh-token families neither revoked nor expired): an access token's `sid` must be one. */
  liveSessions: string[];
}

export interface Identity {
  /** The user's state; a cached one comes without a promise. */
  stateOf(userId: string): MaybePromise<UserState | undefined>;
  /**
   * The user's state for an access token of session `sessionId`. A cached state that lacks the session (one started
   * since it was cached, on this process or another) is read again from the database, once: the answer lists the
   * session if and only if it is live. A session found dead stays dead (a family never comes back), so a token of
   * an ended session is refused from memory after its first refusal.
   */
  stateForSession(userId: string, sessionId: string): MaybePromise<UserState | undefined>;
  /** Call after any change to the user's status, token version, role, email verification or sessions: the next request sees it. */
  forget(userId: string): Promise<void>;
}

const ttlMs = 60_000;

export function createIdentity(database: Database, cache: Cache): Identity {
  const load = (userId: string) =>
    runAsSystem(database, async (db) => {
      const user = await db.one<{ status: UserState['status']; token_version: number; is_super_admin: boolean; email_verified: boolean }>(
        'select status, token_version, is_super_admin, email_verified_at is not null as email_verified from users where id = $1',
        [userId],
      );
      if (!user) return undefined;
      const live = await db.query<{ family_id: string }>(
        // A family lives while none of its tokens is revoked (a replayed refresh token revokes all but the one it spent).
        'select family_id from refresh_tokens where user_id = $1 and expires_at > now() group by family_id having bool_and(revoked_at is null)',
        [userId],
      );
      const state: UserState = {
        status: user.status,
        tokenVersion: user.token_version,
        isSuperAdmin: user.is_super_admin,
        emailVerified: user.email_verified,
        liveSessions: live.map((row) => row.family_id),
      };
      return state;
    });
  const stateOf = (userId: string): MaybePromise<UserState | undefined> =>
    cache.peek<UserState>(`user:${userId}`) ?? cache.getOrLoad(`user:${userId}`, ttlMs, () => load(userId));
  // Sessions confirmed dead by a fresh read, per process: their tokens cost no further reads.
  const dead = new LRUCache<string, true>({ max: 50_000 });
  const reread = async (userId: string, sessionId: string) => {
    await cache.delete(`user:${userId}`);
    const state = await stateOf(userId);
    if (state && !state.liveSessions.includes(sessionId)) dead.set(`${userId}:${sessionId}`, true);
    return state;
  };
  return {
    stateOf,
    stateForSession(userId, sessionId) {
      return andThen(stateOf(userId), (state) => {
        if (!state || state.liveSessions.includes(sessionId) || dead.has(`${userId}:${sessionId}`)) return state;
        return reread(userId, sessionId);
      });
    },
    forget: (userId) => cache.delete(`user:${userId}`),
  };
}
