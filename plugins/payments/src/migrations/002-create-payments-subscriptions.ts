import { defineMigration } from '@plinth/sdk';

/** Customers (payers at a provider), plans and subscriptions. */
export const createPaymentsSubscriptions = defineMigration({
  name: '002-create-payments-subscriptions',
  async up({ createTenantTable, db }) {
    await createTenantTable('payments_customers', (table) => {
      table.text('provider').notNullable();
      table.text('email').notNullable();
      table.text('name');
      table.text('provider_ref').notNullable();
      table.unique(['tenant_id', 'provider', 'email']);
    });
    await createTenantTable('payments_plans', (table) => {
      table.text('name').notNullable();
      table.integer('amount').notNullable();
      table.text('currency').notNullable();
      table.text('interval').notNullable();
      table.integer('interval_count').notNullable().defaultTo(1);
      table.integer('trial_days').notNullable().defaultTo(0);
      table.text('provider');
      table.boolean('active').notNullable().defaultTo(true);
      table.jsonb('metadata').notNullable().defaultTo('{}');
    });
    await db.raw(
      "alter table payments_plans add constraint payments_plans_valid check (amount > 0 and interval in ('day', 'week', 'month', 'year') and interval_count between 1 and 36 and trial_days >= 0)",
    );
    await createTenantTable('payments_subscriptions', (table) => {
      table.uuid('plan_id').notNullable().references('id').inTable('payments_plans');
      table.uuid('customer_id').notNullable().references('id').inTable('payments_customers');
      table.text('provider').notNullable();
      table.text('payment_method_ref').notNullable();
      table.text('status').notNullable();
      table.timestamp('current_period_start', { useTz: true }).notNullable();
      table.timestamp('current_period_end', { useTz: true }).notNullable();
      table.boolean('cancel_at_period_end').notNullable().defaultTo(false);
      table.timestamp('cancelled_at', { useTz: true });
      table.integer('dunning_attempts').notNullable().defaultTo(0);
      table.timestamp('next_attempt_at', { useTz: true });
      table.jsonb('metadata').notNullable().defaultTo('{}');
      table.index(['tenant_id', 'status', 'next_attempt_at']);
    });
  },
  async down({ db }) {
    for (const table of ['payments_subscriptions', 'payments_plans', 'payments_customers']) await db.schema.dropTable(table);
  },
});
