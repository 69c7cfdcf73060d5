import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * Files (issue 18): one row per stored object, owned by a plugin (`core` for core's own) and, once attached, by
 * one of its records; and each tenant's storage use, kept in step with the rows in the same transactions. Usage
 * is a tenant table (one row per tenant) rather than a column on `tenants`: tenant work (role `plinth_app`)
 * cannot write `tenants`, and under forced RLS a tenant can only ever move its own counter.
 */
export const files: Migration = {
  name: '015-files',
  async up(db) {
    await createTenantTable(db, 'files', (table) => {
      table.text('owner_plugin').notNullable();
      table.text('owner_id');
      table.text('visibility').notNullable().defaultTo('private');
      table.text('storage_key').notNullable();
      table.text('name').notNullable();
      table.text('content_type').notNullable();
      table.bigInteger('size').notNullable();
      table.text('checksum').notNullable();
      table.integer('width');
      table.integer('height');
      table.jsonb('variants').notNullable().defaultTo('{}');
      table.uuid('created_by');
      // Null until a record claims the file: an unattached file older than a day is an orphan and is swept.
      table.timestamp('attached_at', { useTz: true });
      table.unique(['tenant_id', 'storage_key']);
      table.index(['tenant_id', 'owner_plugin', 'owner_id']);
    });
    await db.raw("alter table files add constraint files_visibility_check check (visibility in ('public', 'private'))");
    await db.raw('alter table files add constraint files_size_check check (size > 0)');
    await db.raw('create index files_orphans on files (created_at) where attached_at is null');

    await createTenantTable(db, 'storage_usage', (table) => {
      table.bigInteger('bytes').notNullable().defaultTo(0);
      table.integer('files').notNullable().defaultTo(0);
      table.unique(['tenant_id']);
    });
    await db.raw('alter table storage_usage add constraint storage_usage_bytes_check check (bytes >= 0 and files >= 0)');
  },
  async down(db) {
    await db.schema.dropTable('storage_usage');
    await db.schema.dropTable('files');
  },
};
