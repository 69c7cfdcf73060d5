import type { Migration } from '../migrator.js';

/**
 * A user's avatar and a tenant's logo as stored files (issue 18). Files live in a tenant (its forced-RLS `files`
 * table), users do not: an avatar names the tenant it was uploaded to beside the file, and goes with that tenant.
 * Both files are core's (`owner_plugin = 'core'`), public, and attached to `user:<id>` or `tenant:logo`.
 */
export const profileImages: Migration = {
  name: '016-profile-images',
  async up(db) {
    await db.schema.alterTable('users', (table) => {
      table.uuid('avatar_file_id');
      table.uuid('avatar_tenant_id').references('id').inTable('tenants').onDelete('SET NULL');
    });
    await db.schema.alterTable('tenants', (table) => {
      table.uuid('logo_file_id');
    });
  },
  async down(db) {
    await db.schema.alterTable('tenants', (table) => {
      table.dropColumn('logo_file_id');
    });
    await db.schema.alterTable('users', (table) => {
      table.dropColumns('avatar_file_id', 'avatar_tenant_id');
    });
  },
};
