import type { Clock } from '@plinth/sdk';
import { recordHostAudit, recordTenantAudit } from '../audit/audit.js';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';
import type { TenantAccess, TenantAccessService } from '../rbac/tenant-access.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';

/** A host operator's running support session in one tenant: what lets them in, and what every request records. */
export interface SupportSession {
  id: string;
  tenantId: string;
  operatorUserId: string;
  reason: string;
  /** ISO timestamp: the session lets nobody in from then on. */
  expiresAt: string;
  /** No role approved: the operator may read (GET, HEAD) and nothing else. */
  readOnly: boolean;
  /**
   * The operator's access in the tenant: `kind: 'support'`, `membershipId` the session's id (there is no
   * membership); read-only holds `*` (the pipeline refuses every write), a role its effective permissions.
   */
  access: TenantAccess;
}

/** One request an operator made in a support session, as both audit logs record it. */
export interface SupportRequest {
  tenantId: string;
  method: string;
  path: string;
  status?: number;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface SupportAccessService {
  /**
   * The operator's running session in the tenant, or undefined (none, not yet approved, ended, or past its
   * expiry by the kernel's clock). Cached for at most a minute and forgotten on every change; the expiry is
   * checked on every call, so the cache never extends a session.
   */
  accessOf(tenantId: string, userId: string): MaybePromise<SupportSession | undefined>;
  /** Records one request of the session in the tenant's audit log and the host's, on the system path (refused requests too). */
  recordRequest(session: SupportSession, request: SupportRequest): Promise<void>;
  /** Drops the cached session of an operator in a tenant (after a request, approval, denial or end). */
  forget(tenantId: string, userId: string): Promise<void>;
}

interface ActiveRow {
  id: string;
  reason: string;
  expires_at: Date;
  role_name: string | null;
  role_builtin: string | null;
  role_permissions: string[] | null;
}

/** What the cache holds: `null` when the operator has no running session (so a miss is not a query per request). */
interface Cached {
  session: Omit<SupportSession, 'tenantId' | 'operatorUserId'> | null;
}

const cacheTtlMs = 60_000;

export function createSupportAccess(services: { database: Database; cache: Cache; clock: Clock; tenantAccess: TenantAccessService }): SupportAccessService {
  const { database, cache, clock, tenantAccess } = services;
  const keyOf = (tenantId: string, userId: string) => `support:${tenantId}:${userId}`;

  const load = (tenantId: string, userId: string) =>
    runAsSystem(database, async (db): Promise<Cached> => {
      const row = await db.one<ActiveRow>(
        `select s.id, s.reason, s.expires_at, r.name as role_name, r.builtin as role_builtin, r.permissions as role_permissions
           from support_sessions s left join roles r on r.id = s.role_id
          where s.tenant_id = $1 and s.operator_user_id = $2 and s.status = 'active' and s.expires_at > $3
          order by s.expires_at desc limit 1`,
        [tenantId, userId, clock.now()],
      );
      if (!row) return { session: null };
      const readOnly = row.role_name === null;
      const permissions = readOnly ? ['*'] : (await tenantAccess.grantsIn(tenantId))({ builtin: row.role_builtin, permissions: row.role_permissions ?? [] });
      return {
        session: {
          id: row.id,
          reason: row.reason,
          expiresAt: row.expires_at.toISOString(),
          readOnly,
          access: {
            membershipId: row.id,
            kind: 'support',
            roles: readOnly ? ['support'] : ['support', row.role_name!],
            permissions,
            unitGrants: [],
            ...(readOnly ? { readOnly: true as const } : {}),
          },
        },
      };
    });

  const running = (tenantId: string, userId: string, cached: Cached | undefined): SupportSession | undefined => {
    const session = cached?.session;
    if (!session || Date.parse(session.expiresAt) <= clock.now().getTime()) return undefined;
    return { ...session, tenantId, operatorUserId: userId };
  };

  return {
    accessOf(tenantId, userId) {
      const key = keyOf(tenantId, userId);
      const hit = cache.peek<Cached>(key);
      if (hit) return running(tenantId, userId, hit);
      const loaded = cache.getOrLoad(key, cacheTtlMs, () => load(tenantId, userId));
      return andThen(loaded, (found) => running(tenantId, userId, found));
    },
    recordRequest: (session, request) =>
      runAsSystem(database, async (db) => {
        const actor = { userId: session.operatorUserId, ip: request.ip, userAgent: request.userAgent, requestId: request.requestId };
        const entry = {
          action: 'support.request',
          targetType: 'support_session',
          targetId: session.id,
          data: {
            method: request.method,
            path: request.path,
            ...(request.status === undefined ? {} : { status: request.status }),
            reason: session.reason,
            session_id: session.id,
            read_only: session.readOnly,
          },
        };
        await recordTenantAudit(db, actor, entry, request.tenantId);
        await recordHostAudit(db, actor, { ...entry, tenantId: request.tenantId });
      }),
    forget: (tenantId, userId) => cache.delete(keyOf(tenantId, userId)),
  };
}
