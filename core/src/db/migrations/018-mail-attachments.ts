import type { Migration } from '../migrator.js';

/**
 * Attachments of outbox mail (the receipt's invoice PDF), kept with the mail they came with:
 * `[{ "filename", "content_type", "content": <base64> }]`, in the order sent. The mailer caps their total at 10 MiB.
 */
export const mailAttachments: Migration = {
  name: '018-mail-attachments',
  async up(db) {
    await db.schema.alterTable('mail_outbox', (table) => {
      table.jsonb('attachments').notNullable().defaultTo('[]');
    });
  },
  async down(db) {
    await db.schema.alterTable('mail_outbox', (table) => {
      table.dropColumn('attachments');
    });
  },
};
