import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * Host billing (issue 26): what the host sells its tenants, and what each tenant pays (docs/billing.md, ADR 0015).
 * - `billing_plans` (host table): a plan's prices (`[{ currency, interval, amount }]`, amounts in minor units), trial
 *   length, limits (`{ members: 5, 'crm.contacts': 1000 }`; a key absent: the host's default for a core quota,
 *   unlimited for a plugin's limit; `null`: unlimited) and the plugins it includes (`null`: every plugin without a
 *   price). `free` is the default plan, with no price: a host that bills no one sees no change.
 * - `billing_plugin_prices` (host table): a plugin sold as an add-on, with its prices.
 * - `billing_events` (host table): each provider event applied once (`(provider, event_id)`).
 * - `tenant_subscriptions` (tenant table, one per tenant): the plan, its state with the provider, the dunning episode,
 *   the tenant's billing details (country, tax id) and `version`, bumped by every change (idempotency keys).
 * - `tenant_subscription_addons`, `billing_invoices` (tenant tables): add-ons running, invoices with their lines.
 * - `tenants.billing_status`: `ok`, `read_only` or `suspended` by dunning — apart from `status`, a host
 *   administrator's suspension, so paying lifts only what dunning did.
 */
export const billing: Migration = {
  name: '034-billing',
  async up(db) {
    await db.schema.createTable('billing_plans', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('key').notNullable().unique();
      table.text('name').notNullable();
      table.text('description').notNullable().defaultTo('');
      table.jsonb('prices').notNullable().defaultTo('[]');
      table.integer('trial_days').notNullable().defaultTo(0);
      table.jsonb('limits').notNullable().defaultTo('{}');
      table.specificType('plugins', 'text[]');
      table.boolean('is_default').notNullable().defaultTo(false);
      table.boolean('public').notNullable().defaultTo(true);
      table.integer('sort').notNullable().defaultTo(0);
      // The provider's ids for this plan (Stripe: product, and a price per `${currency}:${interval}`).
      table.jsonb('provider_refs').notNullable().defaultTo('{}');
      table.timestamp('archived_at', { useTz: true });
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.raw("alter table billing_plans add constraint billing_plans_key_check check (key ~ '^[a-z][a-z0-9-]{1,40}$')");
    await db.raw('alter table billing_plans add constraint billing_plans_trial_check check (trial_days between 0 and 365)');
    await db.raw('create unique index billing_plans_one_default on billing_plans (is_default) where is_default');
    await db.raw("insert into billing_plans (key, name, description, is_default) values ('free', 'Free', '', true)");

    await db.schema.createTable('billing_plugin_prices', (table) => {
      table.text('plugin').primary();
      table.jsonb('prices').notNullable().defaultTo('[]');
      table.jsonb('provider_refs').notNullable().defaultTo('{}');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });

    await db.schema.createTable('billing_events', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('provider').notNullable();
      table.text('event_id').notNullable();
      table.text('type').notNullable();
      table.timestamp('occurred_at', { useTz: true }).notNullable();
      table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.unique(['provider', 'event_id']);
    });

    await db.raw("alter table tenants add column billing_status text not null default 'ok'");
    await db.raw("alter table tenants add constraint tenants_billing_status_check check (billing_status in ('ok', 'read_only', 'suspended'))");

    await createTenantTable(db, 'tenant_subscriptions', (table) => {
      table.uuid('plan_id').notNullable().references('id').inTable('billing_plans');
      table.text('status').notNullable().defaultTo('active');
      table.text('currency');
      table.text('interval');
      table.text('provider');
      table.text('provider_customer_id');
      table.text('provider_subscription_id');
      table.timestamp('current_period_start', { useTz: true });
      table.timestamp('current_period_end', { useTz: true });
      table.timestamp('trial_ends_at', { useTz: true });
      table.boolean('cancel_at_period_end').notNullable().defaultTo(false);
      table.timestamp('canceled_at', { useTz: true });
      // The dunning episode: since when a renewal is unpaid, and how many notices went out.
      table.timestamp('past_due_since', { useTz: true });
      table.integer('dunning_notices').notNullable().defaultTo(0);
      // For display only (`{ brand, last4, exp_month, exp_year }`); the provider holds the card.
      table.jsonb('payment_method');
      // Minor units owed back to the tenant (a downgrade's proration), taken off the next invoice.
      table.bigInteger('credit_balance').notNullable().defaultTo(0);
      table.text('billing_name');
      table.text('billing_email');
      table.text('country');
      table.text('tax_id');
      table.jsonb('address');
      table.integer('version').notNullable().defaultTo(1);
      // The provider's time of the newest state applied: an older event's state is not applied over it.
      table.timestamp('provider_synced_at', { useTz: true });
      table.unique(['tenant_id']);
    });
    await db.raw(
      "alter table tenant_subscriptions add constraint tenant_subscriptions_status_check check (status in ('trialing', 'active', 'past_due', 'read_only', 'suspended', 'canceled'))",
    );
    await db.raw("alter table tenant_subscriptions add constraint tenant_subscriptions_interval_check check (interval in ('month', 'year'))");
    await db.raw("alter table tenant_subscriptions add constraint tenant_subscriptions_country_check check (country ~ '^[A-Z]{2}$')");
    await db.raw(
      'create unique index tenant_subscriptions_provider_id on tenant_subscriptions (tenant_id, provider, provider_subscription_id) where provider_subscription_id is not null',
    );
    // Renewals and dunning find due subscriptions across tenants by these indexes alone.
    await db.raw('create index tenant_subscriptions_period_end on tenant_subscriptions (current_period_end) where provider is not null');
    await db.raw('create index tenant_subscriptions_past_due on tenant_subscriptions (past_due_since) where past_due_since is not null');
    // Stripe's webhooks find the tenant holding a customer (docs/billing.md §Stripe).
    await db.raw('create index tenant_subscriptions_customer on tenant_subscriptions (provider_customer_id) where provider_customer_id is not null');
    // Every tenant, existing or new, has a subscription: the default plan's.
    await db.raw('insert into tenant_subscriptions (tenant_id, plan_id) select t.id, p.id from tenants t cross join billing_plans p where p.is_default');

    await createTenantTable(db, 'tenant_subscription_addons', (table) => {
      table.uuid('subscription_id').notNullable().references('id').inTable('tenant_subscriptions').onDelete('CASCADE');
      table.text('plugin').notNullable();
      table.text('status').notNullable().defaultTo('active');
      table.text('provider_item_id');
      table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('ended_at', { useTz: true });
    });
    await db.raw("alter table tenant_subscription_addons add constraint tenant_subscription_addons_status_check check (status in ('active', 'ended'))");
    await db.raw("create unique index tenant_subscription_addons_running on tenant_subscription_addons (tenant_id, plugin) where status = 'active'");

    await db.raw('create sequence billing_invoice_numbers');
    await createTenantTable(db, 'billing_invoices', (table) => {
      table.text('number').notNullable();
      table.text('status').notNullable().defaultTo('open');
      table.text('currency').notNullable();
      table.bigInteger('subtotal').notNullable();
      table.bigInteger('tax').notNullable().defaultTo(0);
      table.decimal('tax_rate', 6, 3);
      table.bigInteger('total').notNullable();
      table.bigInteger('amount_paid').notNullable().defaultTo(0);
      // `[{ kind: 'plan' | 'addon' | 'proration' | 'credit', description, amount, period_start, period_end }]`
      table.jsonb('lines').notNullable().defaultTo('[]');
      table.text('billing_name');
      table.text('country');
      table.text('tax_id');
      table.timestamp('period_start', { useTz: true });
      table.timestamp('period_end', { useTz: true });
      table.text('provider');
      table.text('provider_invoice_id');
      table.text('hosted_url');
      table.integer('attempt_count').notNullable().defaultTo(0);
      table.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('paid_at', { useTz: true });
      table.unique(['tenant_id', 'number']);
      table.index(['tenant_id', 'issued_at']);
    });
    await db.raw(
      "alter table billing_invoices add constraint billing_invoices_status_check check (status in ('draft', 'open', 'paid', 'void', 'uncollectible'))",
    );
    await db.raw(
      'create unique index billing_invoices_provider_id on billing_invoices (tenant_id, provider, provider_invoice_id) where provider_invoice_id is not null',
    );

    await db.raw('grant select, insert, update, delete on billing_plans, billing_plugin_prices, billing_events to plinth_system');
    await db.raw('grant select on billing_plans, billing_plugin_prices to plinth_app');
    await db.raw('grant usage on sequence billing_invoice_numbers to plinth_app, plinth_system');
    // A tenant imported from another host moves the numbers past its invoices' (billing/transfer-billing.ts).
    await db.raw('grant select, update on sequence billing_invoice_numbers to plinth_system');
  },
  async down(db) {
    await db.schema.dropTable('billing_invoices');
    await db.raw('drop sequence billing_invoice_numbers');
    await db.schema.dropTable('tenant_subscription_addons');
    await db.schema.dropTable('tenant_subscriptions');
    await db.raw('alter table tenants drop column billing_status');
    await db.schema.dropTable('billing_events');
    await db.schema.dropTable('billing_plugin_prices');
    await db.schema.dropTable('billing_plans');
  },
};
