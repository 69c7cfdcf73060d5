import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * The current run of each keyed job (`enqueue(name, payload, { key })`): one row per tenant, job and key whose
 * `token` names the one queued run that may still go ahead. Enqueuing again replaces the token, cancelling
 * deletes the row; a run whose token is no longer here skips (see docs/plugins/jobs.md).
 */
export const jobKeys: Migration = {
  name: '013-job-keys',
  async up(db) {
    await createTenantTable(db, 'plinth_job_keys', (table) => {
      table.text('name').notNullable();
      table.text('key').notNullable();
      table.uuid('token').notNullable();
      // Set when a run claims the token: from then on a cancel is a no-op and only that agenda job may run it.
      table.text('job_id');
      table.timestamp('started_at', { useTz: true });
      table.unique(['tenant_id', 'name', 'key']);
    });
  },
  async down(db) {
    await db.schema.dropTable('plinth_job_keys');
  },
};
