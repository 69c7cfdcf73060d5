import { defineMigration } from '@plinth/sdk';

/** Channels (credentials sealed), templates, notification rules, the send log and members' in-app inbox. */
export const createMessaging = defineMigration({
  name: '002-create-messaging',
  async up({ createTenantTable }) {
    await createTenantTable('integrations_channels', (table) => {
      table.text('name').notNullable();
      table.text('kind').notNullable();
      table.text('provider').notNullable();
      table.jsonb('config').notNullable().defaultTo('{}');
      table.text('credentials_sealed');
      table.boolean('enabled').notNullable().defaultTo(true);
      table.unique(['tenant_id', 'name']);
    });
    await createTenantTable('integrations_templates', (table) => {
      table.text('name').notNullable();
      table.text('kind').notNullable();
      table.text('event');
      table.text('subject');
      table.text('body').notNullable();
      table.text('html');
      table.unique(['tenant_id', 'name']);
    });
    await createTenantTable('integrations_rules', (table) => {
      table.text('name').notNullable();
      table.text('event').notNullable();
      table.text('condition');
      table.uuid('template_id').notNullable().references('id').inTable('integrations_templates').onDelete('RESTRICT');
      table.uuid('channel_id').references('id').inTable('integrations_channels').onDelete('RESTRICT');
      table.jsonb('recipient').notNullable();
      table.boolean('enabled').notNullable().defaultTo(true);
    });
    await createTenantTable('integrations_sends', (table) => {
      table.uuid('rule_id').references('id').inTable('integrations_rules').onDelete('SET NULL');
      table.uuid('event_id').notNullable();
      table.text('event_name').notNullable();
      table.uuid('channel_id').references('id').inTable('integrations_channels').onDelete('SET NULL');
      table.text('kind').notNullable();
      table.text('recipient').notNullable();
      table.text('subject');
      table.text('body').notNullable();
      table.text('html');
      table.text('status').notNullable().defaultTo('pending');
      table.integer('attempt_count').notNullable().defaultTo(0);
      table.text('last_error');
      table.text('provider_message_id');
      table.timestamp('sent_at', { useTz: true });
      table.unique(['tenant_id', 'rule_id', 'event_id', 'recipient']);
    });
    await createTenantTable('integrations_inbox', (table) => {
      table.uuid('user_id').notNullable();
      table.text('title').notNullable();
      table.text('body').notNullable();
      table.text('event_name');
      table.timestamp('read_at', { useTz: true });
      table.index(['tenant_id', 'user_id', 'created_at']);
    });
  },
  async down({ db }) {
    for (const name of ['integrations_inbox', 'integrations_sends', 'integrations_rules', 'integrations_templates', 'integrations_channels']) {
      await db.schema.dropTable(name);
    }
  },
});
