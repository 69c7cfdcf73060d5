import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * Effects of jobs recorded by key (`ctx.once`), so that a job run again after a crash skips what it already
 * did; jobs a plugin queued, written in the transaction that queued them until the job system has them (so a
 * crash between the commit and the queueing loses none); and the idempotency key of outbox mail (its
 * Message-ID), so the outbox keeps one mail per key.
 */
export const jobEffects: Migration = {
  name: '012-job-effects',
  async up(db) {
    await createTenantTable(db, 'plinth_job_effects', (table) => {
      table.text('key').notNullable();
      table.unique(['tenant_id', 'key']);
    });
    await createTenantTable(db, 'plinth_job_outbox', (table) => {
      table.text('name').notNullable();
      table.jsonb('data').notNullable();
      table.timestamp('run_at', { useTz: true });
    });
    await db.schema.alterTable('mail_outbox', (table) => {
      table.text('message_id').unique();
    });
  },
  async down(db) {
    await db.schema.alterTable('mail_outbox', (table) => {
      table.dropColumn('message_id');
    });
    await db.schema.dropTable('plinth_job_outbox');
    await db.schema.dropTable('plinth_job_effects');
  },
};
