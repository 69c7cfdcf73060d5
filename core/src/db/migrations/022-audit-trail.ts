import type { Migration } from '../migrator.js';
import { unitPredicate } from '../tenant-tables.js';

/**
 * The audit trail of issue 22. Entries may belong to an organisation unit (`unit_id`, with no foreign key: an entry
 * outlives its unit); a reader scoped to units sees only their units' entries (a restrictive SELECT policy for the
 * runtime role; entries of no unit are for whole-tenant readers). The log is append-only for tenant work: the
 * runtime role may insert and read, never update or delete; only the system path (retention) deletes.
 */
export const auditTrail: Migration = {
  name: '022-audit-trail',
  async up(db) {
    await db.raw('alter table audit_log add column unit_id uuid');
    await db.raw('create index audit_log_unit_idx on audit_log (tenant_id, unit_id, created_at)');
    await db.raw('create index audit_log_target_idx on audit_log (tenant_id, target_type, target_id)');
    // Retention deletes across tenants by age alone.
    await db.raw('create index audit_log_created_idx on audit_log (created_at)');
    await db.raw('revoke update, delete on audit_log from plinth_app');
    await db.raw(`create policy unit_scope on audit_log as restrictive for select to plinth_app using (${unitPredicate('audit_log')})`);
  },
  async down(db) {
    await db.raw('drop policy unit_scope on audit_log');
    await db.raw('grant update, delete on audit_log to plinth_app');
    await db.raw('drop index audit_log_created_idx');
    await db.raw('drop index audit_log_target_idx');
    await db.raw('drop index audit_log_unit_idx');
    await db.raw('alter table audit_log drop column unit_id');
  },
};
