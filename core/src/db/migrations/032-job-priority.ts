import type { Migration } from '../migrator.js';

/**
 * The priority of a plugin's job waiting in the job outbox (`lowest` … `highest`), so a run the sweeper queues
 * after a crash keeps the priority it was enqueued with. Null: the job's default.
 */
export const jobPriority: Migration = {
  name: '032-job-priority',
  async up(db) {
    await db.schema.alterTable('plinth_job_outbox', (table) => {
      table.text('priority');
    });
  },
  async down(db) {
    await db.schema.alterTable('plinth_job_outbox', (table) => {
      table.dropColumn('priority');
    });
  },
};
