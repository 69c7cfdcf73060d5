import { defineMigration } from '@plinth/sdk';

/** Inbound: generic sources and what they received; WooCommerce connections and the records synced from them. */
export const createInbound = defineMigration({
  name: '003-create-inbound',
  async up({ createTenantTable }) {
    await createTenantTable('integrations_inbound_sources', (table) => {
      table.text('name').notNullable();
      table.text('secret_sealed').notNullable();
      table.boolean('enabled').notNullable().defaultTo(true);
    });
    await createTenantTable('integrations_inbound_messages', (table) => {
      table.uuid('source_id').notNullable().references('id').inTable('integrations_inbound_sources').onDelete('CASCADE');
      table.text('content_type');
      table.jsonb('headers').notNullable();
      table.text('body').notNullable();
      table.jsonb('payload');
      table.index(['tenant_id', 'source_id', 'created_at']);
    });
    await createTenantTable('integrations_woo_connections', (table) => {
      table.text('name').notNullable();
      table.text('store_url').notNullable();
      table.text('consumer_key').notNullable();
      table.text('currency').notNullable();
      table.text('consumer_secret_sealed').notNullable();
      table.text('webhook_secret_sealed').notNullable();
      table.boolean('enabled').notNullable().defaultTo(true);
      table.timestamp('last_reconciled_at', { useTz: true });
      table.text('last_error');
    });
    await createTenantTable('integrations_woo_records', (table) => {
      table.uuid('connection_id').notNullable().references('id').inTable('integrations_woo_connections').onDelete('CASCADE');
      table.text('kind').notNullable();
      table.text('external_id').notNullable();
      table.uuid('shop_id').notNullable();
      table.text('fingerprint').notNullable();
      table.jsonb('mapped').notNullable();
      table.unique(['tenant_id', 'connection_id', 'kind', 'external_id']);
    });
  },
  async down({ db }) {
    for (const name of ['integrations_woo_records', 'integrations_woo_connections', 'integrations_inbound_messages', 'integrations_inbound_sources']) {
      await db.schema.dropTable(name);
    }
  },
});
