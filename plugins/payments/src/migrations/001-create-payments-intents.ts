import { defineMigration } from '@plinth/sdk';

const tables = [
  'payments_webhook_events',
  'payments_idempotency_keys',
  'payments_transactions',
  'payments_refunds',
  'payments_intent_history',
  'payments_intents',
  'payments_providers',
];

/** Providers (sealed credentials), intents with their history, refunds, money movements, idempotency keys, received webhooks. */
export const createPaymentsIntents = defineMigration({
  name: '001-create-payments-intents',
  async up({ createTenantTable, db }) {
    await createTenantTable('payments_providers', (table) => {
      table.text('name').notNullable();
      table.boolean('enabled').notNullable().defaultTo(true);
      table.text('credentials_sealed').notNullable();
      table.specificType('credential_keys', 'text[]').notNullable().defaultTo('{}');
      table.unique(['tenant_id', 'name']);
    });
    await createTenantTable('payments_intents', (table) => {
      table.text('provider').notNullable();
      table.text('provider_ref');
      table.text('status').notNullable();
      table.integer('amount').notNullable();
      table.text('currency').notNullable();
      table.integer('amount_captured').notNullable().defaultTo(0);
      table.integer('amount_refunded').notNullable().defaultTo(0);
      table.text('description');
      table.jsonb('metadata').notNullable().defaultTo('{}');
      table.jsonb('next_action');
      table.text('failure_reason');
      table.uuid('subscription_id');
      table.unique(['tenant_id', 'provider', 'provider_ref']);
      table.index(['tenant_id', 'status']);
    });
    await db.raw(
      'alter table payments_intents add constraint payments_intents_amounts check (amount > 0 and amount_captured >= 0 and amount_refunded >= 0 and amount_refunded <= amount_captured)',
    );
    await db.raw('create index payments_intents_metadata on payments_intents using gin (metadata jsonb_path_ops)');
    await createTenantTable('payments_intent_history', (table) => {
      table.uuid('intent_id').notNullable().references('id').inTable('payments_intents').onDelete('CASCADE');
      table.text('from_status');
      table.text('to_status').notNullable();
      table.text('source').notNullable();
      table.text('provider_event_id');
      table.index(['tenant_id', 'intent_id']);
    });
    await createTenantTable('payments_refunds', (table) => {
      table.uuid('intent_id').notNullable().references('id').inTable('payments_intents').onDelete('CASCADE');
      table.integer('amount').notNullable();
      table.text('currency').notNullable();
      table.text('status').notNullable();
      table.text('reason');
      table.jsonb('metadata').notNullable().defaultTo('{}');
      table.text('provider_ref');
      table.unique(['tenant_id', 'provider_ref']);
      table.index(['tenant_id', 'intent_id']);
    });
    await createTenantTable('payments_transactions', (table) => {
      table.uuid('intent_id').notNullable().references('id').inTable('payments_intents').onDelete('CASCADE');
      table.uuid('refund_id').references('id').inTable('payments_refunds').onDelete('CASCADE');
      table.text('type').notNullable();
      table.text('provider').notNullable();
      table.integer('amount').notNullable();
      table.text('currency').notNullable();
      table.index(['tenant_id', 'intent_id']);
    });
    await createTenantTable('payments_idempotency_keys', (table) => {
      table.text('scope').notNullable();
      table.text('key').notNullable();
      table.text('request_hash').notNullable();
      table.integer('response_status');
      table.jsonb('response');
      table.unique(['tenant_id', 'scope', 'key']);
    });
    await createTenantTable('payments_webhook_events', (table) => {
      table.text('provider').notNullable();
      table.text('event_id').notNullable();
      table.text('type').notNullable();
      table.unique(['tenant_id', 'provider', 'event_id']);
    });
  },
  async down({ db }) {
    for (const table of tables) await db.schema.dropTable(table);
  },
});
