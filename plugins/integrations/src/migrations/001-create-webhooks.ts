import { defineMigration } from '@plinth/sdk';

/** Outgoing webhooks: endpoints (secrets sealed), deliveries (one message per event and endpoint) and their attempts. */
export const createWebhooks = defineMigration({
  name: '001-create-webhooks',
  async up({ createTenantTable }) {
    await createTenantTable('integrations_endpoints', (table) => {
      table.text('url').notNullable();
      table.specificType('events', 'text[]').notNullable();
      table.text('description').notNullable().defaultTo('');
      table.boolean('enabled').notNullable().defaultTo(true);
      table.text('secret_sealed').notNullable();
      table.text('previous_secret_sealed');
      table.timestamp('previous_secret_expires_at', { useTz: true });
      table.timestamp('secret_rotated_at', { useTz: true });
      table.text('disabled_reason');
      table.timestamp('disabled_at', { useTz: true });
      table.timestamp('failing_since', { useTz: true });
    });
    await createTenantTable('integrations_deliveries', (table) => {
      table.uuid('endpoint_id').notNullable().references('id').inTable('integrations_endpoints').onDelete('CASCADE');
      table.text('message_id').notNullable();
      table.uuid('event_id');
      table.text('event_name').notNullable();
      table.text('body').notNullable();
      table.text('status').notNullable().defaultTo('pending');
      table.integer('attempt_count').notNullable().defaultTo(0);
      table.timestamp('next_attempt_at', { useTz: true });
      table.integer('last_status');
      table.text('last_error');
      table.timestamp('completed_at', { useTz: true });
      table.unique(['tenant_id', 'endpoint_id', 'event_id']);
      table.index(['tenant_id', 'endpoint_id', 'created_at']);
    });
    await createTenantTable('integrations_delivery_attempts', (table) => {
      table.uuid('delivery_id').notNullable().references('id').inTable('integrations_deliveries').onDelete('CASCADE');
      table.integer('attempt').notNullable();
      table.boolean('manual').notNullable().defaultTo(false);
      table.text('url').notNullable();
      table.jsonb('request_headers').notNullable();
      table.text('request_body').notNullable();
      table.integer('response_status');
      table.jsonb('response_headers');
      table.text('response_body');
      table.text('error');
      table.integer('duration_ms').notNullable();
      table.timestamp('attempted_at', { useTz: true }).notNullable();
      table.index(['tenant_id', 'delivery_id']);
    });
  },
  async down({ db }) {
    await db.schema.dropTable('integrations_delivery_attempts');
    await db.schema.dropTable('integrations_deliveries');
    await db.schema.dropTable('integrations_endpoints');
  },
});
