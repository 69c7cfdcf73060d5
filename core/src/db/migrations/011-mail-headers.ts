import type { Migration } from '../migrator.js';

/** Extra headers of outbox mail (`List-Unsubscribe` of campaign mail), kept as sent. */
export const mailHeaders: Migration = {
  name: '011-mail-headers',
  async up(db) {
    await db.schema.alterTable('mail_outbox', (table) => {
      table.jsonb('headers').notNullable().defaultTo('{}');
    });
  },
  async down(db) {
    await db.schema.alterTable('mail_outbox', (table) => {
      table.dropColumn('headers');
    });
  },
};
