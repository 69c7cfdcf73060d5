import { defineMigration } from '@plinth/sdk';

/** Templates, campaigns, their recipients (one row per contact, with an unguessable tracking token) and unsubscribes. */
export const createEmailMarketing = defineMigration({
  name: '003-create-email-marketing',
  async up({ createTenantTable, db }) {
    await createTenantTable('crm_templates', (table) => {
      table.text('name').notNullable();
      table.text('subject').notNullable();
      table.text('html').notNullable();
      table.text('text').notNullable();
    });
    await createTenantTable('crm_campaigns', (table) => {
      table.text('name').notNullable();
      table.uuid('template_id').notNullable().references('id').inTable('crm_templates');
      table.uuid('segment_id').notNullable().references('id').inTable('crm_segments');
      table.text('status').notNullable().defaultTo('draft');
      // What was sent, frozen when the send starts.
      table.text('subject');
      table.text('html');
      table.text('text');
      table.jsonb('links').notNullable().defaultTo('[]');
      table.text('tracking_base_url');
      table.timestamp('started_at', { useTz: true });
      table.timestamp('sent_at', { useTz: true });
    });
    await createTenantTable('crm_campaign_recipients', (table) => {
      table.uuid('campaign_id').notNullable().references('id').inTable('crm_campaigns').onDelete('CASCADE');
      table.uuid('contact_id').notNullable();
      table.text('email').notNullable();
      table.text('token').notNullable();
      table.text('status').notNullable().defaultTo('queued');
      table.integer('attempts').notNullable().defaultTo(0);
      table.text('error');
      table.timestamp('claimed_at', { useTz: true });
      table.timestamp('sent_at', { useTz: true });
      table.timestamp('opened_at', { useTz: true });
      table.timestamp('clicked_at', { useTz: true });
      table.timestamp('unsubscribed_at', { useTz: true });
      table.unique(['campaign_id', 'contact_id']);
      table.unique(['token']);
      table.index(['tenant_id', 'campaign_id', 'status']);
    });
    await createTenantTable('crm_unsubscribes', (table) => {
      table.text('email').notNullable();
      table.uuid('campaign_id');
    });
    await db.raw('create unique index crm_unsubscribes_email on crm_unsubscribes (tenant_id, lower(email))');
  },
  async down({ db }) {
    await db.schema.dropTable('crm_unsubscribes');
    await db.schema.dropTable('crm_campaign_recipients');
    await db.schema.dropTable('crm_campaigns');
    await db.schema.dropTable('crm_templates');
  },
});
