import type { Migration } from '../migrator.js';

/** A tenant's time zone (IANA), locale (BCP 47) and default currency (ISO 4217), validated where they are set. */
export const tenantLocale: Migration = {
  name: '014-tenant-locale',
  async up(db) {
    await db.schema.alterTable('tenants', (table) => {
      table.text('time_zone').notNullable().defaultTo('UTC');
      table.text('locale').notNullable().defaultTo('en');
      table.text('currency').notNullable().defaultTo('USD');
    });
  },
  async down(db) {
    await db.schema.alterTable('tenants', (table) => {
      table.dropColumns('time_zone', 'locale', 'currency');
    });
  },
};
