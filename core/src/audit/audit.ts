import type { ScopedDb } from '../db/scoped-db.js';

/** Who did something, from where: filled in from the request. */
export interface AuditActor {
  userId?: string | null;
  tokenId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/** One audited fact: `action` is dotted and past tense (`member.removed`, `auth.login.failed`). */
export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  /** The organisation unit the target belongs to: readers scoped to units see only their units' entries. */
  unitId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Appends to a tenant's audit log inside the caller's transaction, so the
 * record and the change commit together: the transaction's tenant, or
 * `tenantId` when writing from the system path (creating a tenant, accepting an
 * invitation, host administration).
 */
export async function recordTenantAudit(db: ScopedDb, actor: AuditActor, entry: AuditEntry, tenantId?: string): Promise<void> {
  await db.query(
    // clock_timestamp(), not the transaction's now(): the entries of one request keep the order they were written in.
    `insert into audit_log (tenant_id, actor_user_id, actor_token_id, action, target_type, target_id, data, ip, user_agent, request_id, unit_id, created_at)
     values (coalesce($10::uuid, nullif(current_setting('app.tenant_id', true), '')::uuid), $1, $2, $3, $4, $5, $6, $7, $8, $9, $11, clock_timestamp())`,
    [
      actor.userId ?? null,
      actor.tokenId ?? null,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.data ?? {},
      actor.ip ?? null,
      actor.userAgent ?? null,
      actor.requestId ?? null,
      tenantId ?? null,
      entry.unitId ?? null,
    ],
  );
}

/** Appends to the host audit log (sign-ins, host administration); `db` must be on the system path. */
export async function recordHostAudit(db: ScopedDb, actor: AuditActor, entry: AuditEntry & { tenantId?: string | null }): Promise<void> {
  await db.query(
    `insert into host_audit_log (actor_user_id, subject_tenant, action, target_type, target_id, data, ip, user_agent, request_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      actor.userId ?? null,
      entry.tenantId ?? null,
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
