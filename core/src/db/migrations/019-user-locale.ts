import type { Migration } from '../migrator.js';

/** A user's chosen language (BCP 47, e.g. `ar`); null: follow the tenant's locale and the browser. Validated where it is set. */
export const userLocale: Migration = {
  name: '019-user-locale',
  async up(db) {
    await db.schema.alterTable('users', (table) => {
      table.text('locale').nullable();
    });
  },
  async down(db) {
    await db.schema.alterTable('users', (table) => {
      table.dropColumn('locale');
    });
  },
};
