import { defineMigration } from '@plinth/sdk';

/**
 * Imports read their CSV from a stored file (the kernel's file service, issue 18) instead of a database blob:
 * `file_id` names it, and `chunk_offsets` holds the byte offset where each chunk of `chunk_lines` starts, so that a
 * job run reads only the header and its chunk. The `csv` column stays for imports queued before this migration,
 * which the job still reads (and clears when they complete); new imports never write it.
 */
export const importFiles = defineMigration({
  name: '008-import-files',
  async up({ db }) {
    await db.schema.alterTable('crm_imports', (table) => {
      table.uuid('file_id');
      table.specificType('chunk_offsets', 'integer[]').notNullable().defaultTo('{}');
    });
  },
  async down({ db }) {
    await db.schema.alterTable('crm_imports', (table) => {
      table.dropColumns('file_id', 'chunk_offsets');
    });
  },
});
