import { ConflictError, NotFoundError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';

/** What a session is now: as decided, or `expired` once an active one is past its end. */
export const supportStatuses = ['pending', 'active', 'expired', 'denied', 'ended'] as const;
export type SupportStatus = (typeof supportStatuses)[number];

export const SupportStatusSchema = Type.Union(supportStatuses.map((status) => Type.Literal(status)));

const RoleRef = Nullable(Exact({ id: Uuid, name: Type.String() }));

/** A support session as both sides see it. */
export const SupportSessionView = Exact({
  id: Uuid,
  tenant_id: Uuid,
  operator: Exact({ user_id: Uuid, email: Type.String(), name: Type.String() }),
  reason: Type.String(),
  minutes: Type.Integer({ description: 'How long the access lasts, counted from approval' }),
  status: SupportStatusSchema,
  read_only: Type.Boolean({ description: 'No role: the operator may read (GET) and nothing else' }),
  requested_role: RoleRef,
  role: RoleRef,
  decided_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
  ended_at: Nullable(Timestamp),
  ended_by: Nullable(Type.Union([Type.Literal('operator'), Type.Literal('tenant')])),
  created_at: Timestamp,
});

export interface SupportSessionRow {
  id: string;
  tenant_id: string;
  operator_user_id: string;
  operator_email: string;
  operator_name: string;
  reason: string;
  minutes: number;
  status: SupportStatus;
  requested_role_id: string | null;
  requested_role_name: string | null;
  role_id: string | null;
  role_name: string | null;
  decided_at: Date | null;
  expires_at: Date | null;
  ended_at: Date | null;
  ended_by: 'operator' | 'tenant' | null;
  created_at: Date;
}

/**
 * The kernel clock's time as an SQL literal: it decides `expired`, and a list's count query must not carry a
 * parameter it does not use. `toISOString` writes digits, `-`, `:`, `.`, `T` and `Z` only.
 */
export function sqlTime(now: Date): string {
  return `'${now.toISOString()}'::timestamptz`;
}

/** Columns of {@link SupportSessionRow} for a query on `support_sessions s` (`now`: {@link sqlTime}). */
export function sessionColumns(now: string): string {
  return `s.id, s.tenant_id, s.operator_user_id, s.operator_email, s.operator_name, s.reason, s.minutes,
    case when s.status = 'active' and s.expires_at <= ${now} then 'expired' else s.status end as status,
    s.requested_role_id, rr.name as requested_role_name, s.role_id, r.name as role_name,
    s.decided_at, s.expires_at, s.ended_at, s.ended_by, s.created_at`;
}

export const sessionJoins = 'left join roles rr on rr.id = s.requested_role_id left join roles r on r.id = s.role_id';

/** The status filter of a list, on the columns of {@link sessionColumns}. */
export function statusCondition(status: SupportStatus, now: string): string {
  if (status === 'active') return `s.status = 'active' and s.expires_at > ${now}`;
  if (status === 'expired') return `s.status = 'active' and s.expires_at <= ${now}`;
  return `s.status = '${status}'`;
}

export function presentSession(row: SupportSessionRow) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    operator: { user_id: row.operator_user_id, email: row.operator_email, name: row.operator_name },
    reason: row.reason,
    minutes: row.minutes,
    status: row.status,
    read_only: row.status === 'pending' ? row.requested_role_id === null : row.role_id === null,
    requested_role: row.requested_role_id ? { id: row.requested_role_id, name: row.requested_role_name! } : null,
    role: row.role_id ? { id: row.role_id, name: row.role_name! } : null,
    decided_at: iso(row.decided_at),
    expires_at: iso(row.expires_at),
    ended_at: iso(row.ended_at),
    ended_by: row.ended_by,
    created_at: row.created_at.toISOString(),
  };
}

/** One session by id (of the transaction's tenant, or any on the system path narrowed by `where`), or 404. */
export async function sessionById(db: ScopedDb, id: string, now: Date, where = 'true', values: unknown[] = []): Promise<SupportSessionRow> {
  const row = await db.one<SupportSessionRow>(`select ${sessionColumns(sqlTime(now))} from support_sessions s ${sessionJoins} where s.id = $1 and ${where}`, [
    id,
    ...values,
  ]);
  if (!row) throw new NotFoundError('Support session not found');
  return row;
}

/** Locks a session for a change, or 404; 409 when its status (as of `now`) is not one of `allowed`. */
export async function lockSession(db: ScopedDb, id: string, now: Date, allowed: readonly SupportStatus[], where = 'true', values: unknown[] = []) {
  const row = await db.one<{ id: string; tenant_id: string; operator_user_id: string; status: SupportStatus; minutes: number }>(
    `select s.id, s.tenant_id, s.operator_user_id, s.minutes,
       case when s.status = 'active' and s.expires_at <= ${sqlTime(now)} then 'expired' else s.status end as status
       from support_sessions s where s.id = $1 and ${where} for update`,
    [id, ...values],
  );
  if (!row) throw new NotFoundError('Support session not found');
  if (!allowed.includes(row.status)) throw new ConflictError(`This support session is ${row.status}`);
  return row;
}

/** A role of the tenant (the transaction's, or `tenantId` on the system path) by id, or 422 naming `field`. */
export async function tenantRole(db: ScopedDb, tenantId: string, roleId: string, field: string): Promise<{ id: string; name: string }> {
  const role = await db.one<{ id: string; name: string; builtin: string | null }>('select id, name, builtin from roles where id = $1 and tenant_id = $2', [
    roleId,
    tenantId,
  ]);
  // A customer's role is for the shop's customers, not for staff work.
  if (!role || role.builtin === 'customer') throw new ValidationError({ [field]: ['is not a staff role of this tenant'] });
  return role;
}
