import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * Support access (issue 22): a host operator's time-limited, audited access to one tenant. A tenant table, so the
 * tenant's owners list and decide their own requests under RLS; the host side reads it on the system path. The
 * operator's email and name are kept as they were when asked: a tenant's transaction cannot read `users`.
 * `status` is what was decided (`pending`, `active`, `denied`, `ended`); an `active` row past `expires_at` is shown
 * as `expired` and lets nobody in.
 */
export const supportAccess: Migration = {
  name: '023-support-access',
  async up(db) {
    await createTenantTable(db, 'support_sessions', (table) => {
      table.uuid('operator_user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('operator_email').notNullable();
      table.text('operator_name').notNullable();
      table.text('reason').notNullable();
      table.integer('minutes').notNullable();
      table.text('status').notNullable();
      // The role the operator asked for (null: read-only), and the one in force once active (null: read-only).
      table.uuid('requested_role_id').references('id').inTable('roles').onDelete('SET NULL');
      table.uuid('role_id').references('id').inTable('roles').onDelete('SET NULL');
      table.uuid('decided_by').references('id').inTable('users').onDelete('SET NULL');
      table.timestamp('decided_at', { useTz: true });
      table.timestamp('expires_at', { useTz: true });
      table.timestamp('ended_at', { useTz: true });
      table.text('ended_by');
      table.index(['tenant_id', 'operator_user_id', 'status']);
    });
    await db.raw("alter table support_sessions add constraint support_sessions_status_check check (status in ('pending', 'active', 'denied', 'ended'))");
    await db.raw("alter table support_sessions add constraint support_sessions_ended_by_check check (ended_by in ('operator', 'tenant'))");
    await db.raw('alter table support_sessions add constraint support_sessions_minutes_check check (minutes > 0)');
    await db.raw("alter table support_sessions add constraint support_sessions_active_check check (status <> 'active' or expires_at is not null)");
  },
  async down(db) {
    await db.schema.dropTable('support_sessions');
  },
};
