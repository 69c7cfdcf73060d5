import { defineMigration } from '@plinth/sdk';

/** Saved filters, and CSV imports with their progress. */
export const createSegmentsAndImports = defineMigration({
  name: '002-create-segments-and-imports',
  async up({ createTenantTable }) {
    await createTenantTable('crm_segments', (table) => {
      table.text('name').notNullable();
      table.jsonb('filter').notNullable().defaultTo('{}');
    });
    await createTenantTable('crm_imports', (table) => {
      table.text('status').notNullable().defaultTo('queued');
      table.text('on_duplicate').notNullable();
      table.jsonb('mapping').notNullable();
      /** The uploaded file, kept until the import completes. */
      table.text('csv');
      /** Lines of the rows the check refused, and the first line of each chunk the job applies. */
      table.specificType('invalid_lines', 'integer[]').notNullable().defaultTo('{}');
      table.specificType('chunk_lines', 'integer[]').notNullable().defaultTo('{}');
      table.integer('total_rows').notNullable();
      table.integer('processed_rows').notNullable().defaultTo(0);
      table.integer('created_count').notNullable().defaultTo(0);
      table.integer('updated_count').notNullable().defaultTo(0);
      table.integer('skipped_count').notNullable().defaultTo(0);
      table.integer('failed_count').notNullable().defaultTo(0);
      table.jsonb('errors').notNullable().defaultTo('[]');
      table.uuid('created_by');
      table.timestamp('finished_at', { useTz: true });
    });
  },
  async down({ db }) {
    await db.schema.dropTable('crm_imports');
    await db.schema.dropTable('crm_segments');
  },
});
