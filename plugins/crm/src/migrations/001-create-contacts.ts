import { defineMigration } from '@plinth/sdk';

/** Contacts (searchable through a generated tsvector, unique email per tenant among live rows) and their interactions. */
export const createContacts = defineMigration({
  name: '001-create-contacts',
  async up({ createTenantTable, db }) {
    await createTenantTable('crm_contacts', (table) => {
      table.text('name');
      table.text('email').notNullable();
      table.text('phone');
      table.text('company');
      table.specificType('tags', 'text[]').notNullable().defaultTo('{}');
      table.jsonb('custom_fields').notNullable().defaultTo('{}');
      table.text('source');
      table.integer('score').notNullable().defaultTo(0);
      table.uuid('owner_id');
      table.timestamp('deleted_at', { useTz: true });
      table.uuid('merged_into');
    });
    // Words of the name, company and email (split at its punctuation, so `doe` finds john.doe@x.com): the source of
    // crm_contact_words, the search index (see 004).
    await db.raw(`alter table crm_contacts add column search tsvector generated always as (
      to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(company, '') || ' ' || regexp_replace(email, '[^[:alnum:]]+', ' ', 'g'))
    ) stored`);
    await db.raw('create unique index crm_contacts_email_live on crm_contacts (tenant_id, lower(email)) where deleted_at is null');
    // Live ids with their tenant: counts of a search check liveness without visiting the table.
    await db.raw('create index crm_contacts_live on crm_contacts (tenant_id, id) where deleted_at is null');
    await db.raw('create index crm_contacts_tags on crm_contacts using gin (tags)');
    await db.raw('create index crm_contacts_created on crm_contacts (tenant_id, created_at desc, id)');
    await db.raw('create index crm_contacts_owner on crm_contacts (tenant_id, owner_id)');
    await db.raw('create index crm_contacts_source on crm_contacts (tenant_id, source)');
    await db.raw('create index crm_contacts_score on crm_contacts (tenant_id, score)');

    await createTenantTable('crm_interactions', (table) => {
      table.uuid('contact_id').notNullable().references('id').inTable('crm_contacts').onDelete('CASCADE');
      table.text('type').notNullable();
      table.text('subject').notNullable();
      table.text('content');
      table.text('channel');
      table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.uuid('actor_id');
      table.index(['tenant_id', 'contact_id', 'occurred_at']);
    });
  },
  async down({ db }) {
    await db.schema.dropTable('crm_interactions');
    await db.schema.dropTable('crm_contacts');
  },
});
