import { corePermissions } from '../rbac/permissions.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { AuditQuery, auditPage } from './audit-query.js';
import { Type } from '@sinclair/typebox';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';

interface AuditRow {
  id: string;
  action: string;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  target_type: string | null;
  target_id: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Date;
}

const AuditEntryView = Exact({
  id: Uuid,
  action: Type.String(),
  actor: Exact({ user_id: Nullable(Uuid), email: Nullable(Type.String()), name: Nullable(Type.String()), token_id: Nullable(Uuid) }),
  target: Exact({ type: Nullable(Type.String()), id: Nullable(Type.String()) }),
  data: Type.Record(Type.String(), Type.Unknown()),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  created_at: Timestamp,
});

/** An audit entry as the API shows it: who (a member, with their email and name while they are one; or an API token), what, on what, from where. */
function presentEntry(row: AuditRow) {
  return {
    id: row.id,
    action: row.action,
    actor: { user_id: row.actor_user_id, email: row.actor_email, name: row.actor_name, token_id: row.actor_token_id },
    target: { type: row.target_type, id: row.target_id },
    data: row.data,
    ip: row.ip,
    user_agent: row.user_agent,
    request_id: row.request_id,
    created_at: row.created_at.toISOString(),
  };
}

export const listAuditLog = defineRoute({
  method: 'GET',
  path: '/audit-log',
  summary: "The tenant's audit log, newest first (filter by action or prefix, actor, time)",
  tag: 'audit',
  permission: corePermissions['audit.view'],
  schema: { query: AuditQuery, response: Type.Array(AuditEntryView) },
  errors: [],
  async handler({ db, query }) {
    // Row Level Security limits audit_log (and the tenant_users view) to the request's tenant.
    const builder = db
      .table('audit_log as a')
      .leftJoin('tenant_users as u', 'u.user_id', 'a.actor_user_id')
      .select(
        'a.id',
        'a.action',
        'a.actor_user_id',
        'a.actor_token_id',
        'u.email as actor_email',
        'u.name as actor_name',
        'a.target_type',
        'a.target_id',
        'a.data',
        'a.ip',
        'a.user_agent',
        'a.request_id',
        'a.created_at',
      );
    const { rows, pagination } = await auditPage<AuditRow>(builder, query);
    return Reply.list(rows.map(presentEntry), pagination);
  },
});

/** Routes for the tenant audit log. */
export const auditRoutes: CoreRoute[] = [listAuditLog];
