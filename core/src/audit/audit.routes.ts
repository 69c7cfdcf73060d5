import { Type } from '@sinclair/typebox';
import { Exact, Nullable, rawBody, Timestamp, Uuid } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { corePermissions } from '../rbac/permissions.js';
import type { UnitTree } from '../units/unit-tree.js';
import { auditEntries, unitLabel, type AuditRow } from './audit-entries.js';
import { auditCsv } from './audit-export.js';
import { AuditExportQuery, AuditQuery, auditPageOf } from './audit-query.js';

const AuditEntryView = Exact({
  id: Uuid,
  action: Type.String(),
  actor: Exact({ user_id: Nullable(Uuid), email: Nullable(Type.String()), name: Nullable(Type.String()), token_id: Nullable(Uuid) }),
  target: Exact({ type: Nullable(Type.String()), id: Nullable(Type.String()) }),
  unit: Nullable(
    Exact({ id: Uuid, label: Nullable(Type.String({ description: 'The unit’s path (`College of Science › Physics`); null once the unit is deleted' })) }),
  ),
  data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What the entry records; a plugin’s changes are under `changes`: `{ field: { from, to } }`, or `{ redacted: true }`',
  }),
  ip: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  created_at: Timestamp,
});

/** An audit entry as the API shows it: who (a member, with their email and name while they are one; or an API token), what, on what, where, from where. */
function presentEntry(row: AuditRow, tree: UnitTree) {
  return {
    id: row.id,
    action: row.action,
    actor: { user_id: row.actor_user_id, email: row.actor_email, name: row.actor_name, token_id: row.actor_token_id },
    target: { type: row.target_type, id: row.target_id },
    unit: row.unit_id ? { id: row.unit_id, label: unitLabel(tree, row.unit_id) } : null,
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
  summary: "The tenant's audit log, newest first (filter by action or prefix, actor, target, unit and below, time)",
  tag: 'audit',
  permission: corePermissions['audit.view'],
  deps: { orgUnits: kernelRefs.orgUnits },
  schema: { query: AuditQuery, response: Type.Array(AuditEntryView) },
  errors: [],
  async handler({ db, query, deps, tenant }) {
    const tree = await deps.orgUnits.treeOf(tenant.id);
    const { rows, pagination } = await auditPageOf<AuditRow>(auditEntries(db, query, tree), query);
    return Reply.list(
      rows.map((row) => presentEntry(row, tree)),
      pagination,
    );
  },
});

export const exportAuditLog = defineRoute({
  method: 'GET',
  path: '/audit-log/export',
  summary: "The tenant's audit log as CSV, newest first, with the list's filters (streamed)",
  tag: 'audit',
  permission: corePermissions['audit.view'],
  rateLimit: { per: 'principal', max: 30, windowSeconds: 3600 },
  deps: { orgUnits: kernelRefs.orgUnits },
  schema: {
    query: AuditExportQuery,
    response: rawBody('text/csv', 'One line per entry: time, actor, action, target, unit, changes, other data, IP, request id'),
  },
  errors: [],
  async handler({ db, query, deps, tenant }) {
    const tree = await deps.orgUnits.treeOf(tenant.id);
    return Reply.stream(auditCsv(auditEntries(db, query, tree), tree), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="audit-log.csv"', 'cache-control': 'no-store' },
    });
  },
});

/** Routes for the tenant audit log. */
export const auditRoutes: CoreRoute[] = [listAuditLog, exportAuditLog];
