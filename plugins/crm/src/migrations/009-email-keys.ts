import { defineMigration } from '@plinth/sdk';

/**
 * Emails are matched case-insensitively through a stored key, `email_key = lower(email)`, instead of an index on
 * `lower(email)`. Under forced row-level security PostgreSQL may not use an expression index whose function is not
 * leakproof (`lower` is not) for the application role: every `lower(email) = …` lookup was a scan of the tenant's
 * contacts or unsubscribes (a contact read with 100,000 unsubscribes took 320 ms; an upsert from a bio-page capture
 * or a checkout scanned every contact). A plain column compared with `=` can use its index.
 */
export const emailKeys = defineMigration({
  name: '009-email-keys',
  async up({ db }) {
    for (const table of ['crm_contacts', 'crm_unsubscribes']) {
      await db.raw(`alter table ${table} add column email_key text generated always as (lower(email)) stored`);
    }
    await db.raw('create unique index crm_contacts_email_key_live on crm_contacts (tenant_id, email_key) where deleted_at is null');
    await db.raw('drop index crm_contacts_email_live');
    await db.raw('create unique index crm_unsubscribes_email_key on crm_unsubscribes (tenant_id, email_key)');
    await db.raw('drop index crm_unsubscribes_email');
  },
  async down({ db }) {
    await db.raw('create unique index crm_contacts_email_live on crm_contacts (tenant_id, lower(email)) where deleted_at is null');
    await db.raw('create unique index crm_unsubscribes_email on crm_unsubscribes (tenant_id, lower(email))');
    for (const table of ['crm_contacts', 'crm_unsubscribes']) await db.raw(`alter table ${table} drop column email_key`);
  },
});
