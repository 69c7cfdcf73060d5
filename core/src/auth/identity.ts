import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';
import type { MaybePromise } from '../util/maybe-promise.js';

/** What every authenticated request checks about its user, cached and dropped on change. */
export interface UserState {
  status: 'active' | 'disabled';
  tokenVersion: number;
  isSuperAdmin: boolean;
  /** Sessions (refresh-token families) signed out within an access token's lifetime. */
  revokedSessions: string[];
}

export interface Identity {
  /** The user's state; a cached one comes without a promise. */
  stateOf(userId: string): MaybePromise<UserState | undefined>;
  /** Call after any change to the user's status, token version, role or sessions: the next request sees it. */
  forget(userId: string): Promise<void>;
}

export function createIdentity(database: Database, cache: Cache, accessTtlSeconds: number): Identity {
  return {
    stateOf: (userId) =>
      cache.peek<UserState>(`user:${userId}`) ??
      cache.getOrLoad(`user:${userId}`, 60_000, () =>
        runAsSystem(database, async (db) => {
          const user = await db.one<{ status: UserState['status']; token_version: number; is_super_admin: boolean }>(
            'select status, token_version, is_super_admin from users where id = $1',
            [userId],
          );
          if (!user) return undefined;
          const revoked = await db.query<{ family_id: string }>(
            `select distinct family_id from refresh_tokens where user_id = $1 and revoked_at > now() - make_interval(secs => $2)`,
            [userId, accessTtlSeconds + 60],
          );
          return {
            status: user.status,
            tokenVersion: user.token_version,
            isSuperAdmin: user.is_super_admin,
            revokedSessions: revoked.map((row) => row.family_id),
          };
        }),
      ),
    forget: (userId) => cache.delete(`user:${userId}`),
  };
}
