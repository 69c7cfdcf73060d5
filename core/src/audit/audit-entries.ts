import type { Knex } from 'knex';
import type { ScopedDb } from '../db/scoped-db.js';
import type { UnitTree } from '../units/unit-tree.js';
import { applyAuditFilters, type AuditExportQuery } from './audit-query.js';

/** An audit entry as read for the API and the export. */
export interface AuditRow {
  id: string;
  action: string;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_email: string | null;
  actor_name: string | null;
  target_type: string | null;
  target_id: string | null;
  unit_id: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Date;
}

/** A unit's path as one line, or null when the tree no longer has it (entries outlive their units). */
export function unitLabel(tree: UnitTree, unitId: string | null): string | null {
  return unitId && tree.byId.has(unitId) ? tree.path(unitId).join(' › ') : null;
}

/**
 * The tenant's entries with their actors, filtered as asked. Row Level Security limits audit_log (and the
 * tenant_users view) to the request's tenant, and, for a reader whose role is held in units only, to those units'
 * entries.
 */
export function auditEntries(db: ScopedDb, query: AuditExportQuery, tree: UnitTree): Knex.QueryBuilder {
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
      'a.unit_id',
      'a.data',
      'a.ip',
      'a.user_agent',
      'a.request_id',
      'a.created_at',
    );
  applyAuditFilters(builder, query);
  if (query.target_type !== undefined) builder.where('a.target_type', query.target_type);
  if (query.target_id !== undefined) builder.where('a.target_id', query.target_id);
  if (query.unit !== undefined) {
    // A deleted unit is no longer in the tree, but its entries keep its id.
    const subtree = tree.subtree(query.unit);
    builder.whereIn('a.unit_id', subtree.length > 0 ? subtree : [query.unit]);
  }
  return builder;
}
