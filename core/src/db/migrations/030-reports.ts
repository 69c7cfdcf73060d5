import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * Reports (issue 24): `report_runs`, one per request for a plugin's report (or per slot of a schedule), with its
 * progress, the units its requester reaches (the rows it may read), and once done the file it wrote (a private file
 * of owner `core.reports`, removed with the run's expiry);
 * `report_schedules`, a report asked for on a cron in an IANA time zone and mailed to members, with fixed parameters
 * or a `period` (`from`/`to` worked out from each slot's time). Both are tenant
 * tables; the job system and the hourly sweep read them on the system path.
 */
export const reports: Migration = {
  name: '030-reports',
  async up(db) {
    await createTenantTable(db, 'report_schedules', (table) => {
      table.text('report').notNullable();
      table.text('plugin').notNullable();
      table.jsonb('params').notNullable().defaultTo('{}');
      table.text('format').notNullable();
      // Relative dates: each slot sets params.from/to (null: the parameters as stored).
      table.text('period');
      table.text('cron').notNullable();
      table.text('time_zone').notNullable();
      table.specificType('recipients', 'uuid[]').notNullable().defaultTo('{}');
      table.text('delivery').notNullable().defaultTo('attachment');
      table.boolean('enabled').notNullable().defaultTo(true);
      table.uuid('created_by').references('id').inTable('users').onDelete('SET NULL');
      table.timestamp('next_run_at', { useTz: true });
      table.timestamp('last_run_at', { useTz: true });
    });
    await db.raw("alter table report_schedules add constraint report_schedules_format_check check (format in ('csv', 'xlsx', 'pdf'))");
    await db.raw(
      "alter table report_schedules add constraint report_schedules_period_check check (period in ('yesterday', 'last_7_days', 'last_week', 'last_month'))",
    );
    await db.raw("alter table report_schedules add constraint report_schedules_delivery_check check (delivery in ('attachment', 'link'))");
    // The per-minute sweep finds due schedules across tenants by this index alone.
    await db.raw('create index report_schedules_due on report_schedules (next_run_at) where enabled');

    await createTenantTable(db, 'report_runs', (table) => {
      table.text('report').notNullable();
      table.text('plugin').notNullable();
      table.jsonb('params').notNullable().defaultTo('{}');
      table.text('format').notNullable();
      table.text('status').notNullable().defaultTo('queued');
      table.bigInteger('rows_done').notNullable().defaultTo(0);
      table.bigInteger('rows_total');
      table.text('error');
      table.uuid('file_id').references('id').inTable('files').onDelete('SET NULL');
      table.uuid('requested_by').references('id').inTable('users').onDelete('SET NULL');
      table.uuid('schedule_id').references('id').inTable('report_schedules').onDelete('SET NULL');
      // The organisation units the requester reaches for the report's permission (null: the whole tenant).
      table.specificType('unit_ids', 'uuid[]');
      table.timestamp('started_at', { useTz: true });
      table.timestamp('finished_at', { useTz: true });
      table.timestamp('expires_at', { useTz: true });
      table.index(['tenant_id', 'requested_by', 'created_at']);
    });
    await db.raw("alter table report_runs add constraint report_runs_format_check check (format in ('csv', 'xlsx', 'pdf'))");
    await db.raw("alter table report_runs add constraint report_runs_status_check check (status in ('queued', 'running', 'done', 'failed', 'expired'))");
    // The hourly sweep finds expired runs across tenants by this index alone.
    await db.raw("create index report_runs_expiring on report_runs (expires_at) where status = 'done'");
  },
  async down(db) {
    await db.schema.dropTable('report_runs');
    await db.schema.dropTable('report_schedules');
  },
};
