import type { AuditActor, AuditEntry } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';

/**
 * Appends to the audit log of `tenantId` from the system path, where no
 * tenant is set (creating a tenant, changing its row, accepting an
 * invitation), inside the caller's transaction so the record commits with the change.
 */
export async function recordAuditOfTenant(db: ScopedDb, tenantId: string, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (tenant_id, actor_user_id, actor_token_id, action, target_type, target_id, data, ip, user_agent, request_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      tenantId,
      actor.userId ?? null,
      actor.tokenId ?? null,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.data ?? {},
      actor.ip ?? null,
      actor.userAgent ?? null,
      actor.requestId ?? null,
    ],
  );
}
