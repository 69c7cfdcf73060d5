import type { Cache } from '../cache/cache.js';
import { sha256 } from '../crypto/secrets.js';
import type { Database } from '../db/database.js';
import { runInTenant } from '../db/scoped-db.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';

/** Prefix of every API token, so a leaked token is recognisable (and scannable) as Plinth's. */
export const apiTokenPrefix = 'plt_';

export interface ApiTokenGrant {
  id: string;
  permissions: string[];
  createdBy: string | null;
  expiresAt: string | null;
}

export interface ApiTokenAuth {
  /** The token's grant in `tenantId`, or undefined when unknown, revoked, expired or another tenant's (a cached one without a promise). */
  verify(tenantId: string, secret: string): MaybePromise<ApiTokenGrant | undefined>;
  forget(tenantId: string, tokenHash: string): Promise<void>;
}

export function createApiTokenAuth(database: Database, cache: Cache, onUsed: (tenantId: string, tokenId: string) => void): ApiTokenAuth {
  const lastMarked = new Map<string, number>();
  const current = (tenantId: string, grant: ApiTokenGrant | undefined) => {
    if (!grant || (grant.expiresAt && new Date(grant.expiresAt).getTime() <= Date.now())) return undefined;
    // last_used_at is written at most once a minute per token, off the request path.
    const now = Date.now();
    if ((lastMarked.get(grant.id) ?? 0) < now - 60_000) {
      lastMarked.set(grant.id, now);
      onUsed(tenantId, grant.id);
    }
    return grant;
  };
  return {
    verify(tenantId, secret) {
      const hash = sha256(secret);
      const key = `api-token:${tenantId}:${hash}`;
      const grant =
        cache.peek<ApiTokenGrant>(key) ??
        cache.getOrLoad(key, 60_000, () =>
          runInTenant(database, tenantId, (db) =>
            db.one<ApiTokenGrant>(
              `select id, permissions, created_by as "createdBy", expires_at as "expiresAt"
                 from api_tokens where token_hash = $1 and revoked_at is null`,
              [hash],
            ),
          ),
        );
      return andThen(grant, (found) => current(tenantId, found));
    },
    forget: (tenantId, tokenHash) => cache.delete(`api-token:${tenantId}:${tokenHash}`),
  };
}
