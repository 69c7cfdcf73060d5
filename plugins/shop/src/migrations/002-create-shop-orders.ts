import { defineMigration } from '@plinth/sdk';

/** Customers, carts, orders with lines and history, invoices and the per-tenant counters numbering them. */
export const createShopOrders = defineMigration({
  name: '002-create-shop-orders',
  async up({ createTenantTable, db }) {
    await createTenantTable('shop_customers', (table) => {
      table.text('email').notNullable();
      table.text('name');
      table.uuid('user_id');
      table.unique(['tenant_id', 'email']);
    });
    await createTenantTable('shop_carts', (table) => {
      table.text('token').notNullable().unique();
      table.uuid('user_id');
      table.text('status').notNullable().defaultTo('open');
    });
    await createTenantTable('shop_cart_lines', (table) => {
      table.uuid('cart_id').notNullable().references('id').inTable('shop_carts').onDelete('cascade');
      table.uuid('variant_id').notNullable().references('id').inTable('shop_variants').onDelete('cascade');
      table.integer('quantity').notNullable();
      table.unique(['cart_id', 'variant_id']);
    });
    await createTenantTable('shop_orders', (table) => {
      table.text('number').notNullable();
      table.uuid('customer_id').notNullable().references('id').inTable('shop_customers');
      table.text('status').notNullable().defaultTo('pending');
      table.text('currency').notNullable();
      table.integer('subtotal').notNullable();
      table.integer('discount').notNullable().defaultTo(0);
      table.jsonb('discounts').notNullable().defaultTo('[]');
      table.integer('shipping').notNullable().defaultTo(0);
      table.text('shipping_rate');
      table.integer('tax').notNullable().defaultTo(0);
      table.integer('total').notNullable();
      table.integer('refunded_amount').notNullable().defaultTo(0);
      table.text('reservation').notNullable().defaultTo('held');
      table.timestamp('reserved_until', { useTz: true });
      table.uuid('payment_intent_id');
      table.uuid('cart_id');
      table.text('source');
      table.text('external_id');
      table.timestamp('placed_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('paid_at', { useTz: true });
      table.unique(['tenant_id', 'number']);
      table.unique(['tenant_id', 'source', 'external_id']);
      table.unique(['tenant_id', 'cart_id']);
      table.index(['tenant_id', 'status', 'placed_at']);
      table.index(['tenant_id', 'customer_id']);
    });
    await db.raw(
      "alter table shop_orders add constraint shop_orders_status_check check (status in ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded'))," +
        " add constraint shop_orders_reservation_check check (reservation in ('held', 'committed', 'released', 'none'))",
    );
    await createTenantTable('shop_order_lines', (table) => {
      table.uuid('order_id').notNullable().references('id').inTable('shop_orders').onDelete('cascade');
      table.uuid('product_id').references('id').inTable('shop_products').onDelete('set null');
      table.uuid('variant_id').references('id').inTable('shop_variants').onDelete('set null');
      table.text('sku').notNullable();
      table.text('name').notNullable();
      table.integer('quantity').notNullable();
      table.integer('unit_price').notNullable();
      table.integer('total').notNullable();
      table.integer('refunded_quantity').notNullable().defaultTo(0);
      table.integer('refunded_amount').notNullable().defaultTo(0);
      table.jsonb('metadata').notNullable().defaultTo('{}');
      table.integer('position').notNullable().defaultTo(0);
      table.index(['tenant_id', 'order_id']);
    });
    await createTenantTable('shop_order_history', (table) => {
      table.uuid('order_id').notNullable().references('id').inTable('shop_orders').onDelete('cascade');
      table.text('kind').notNullable();
      table.text('from_status');
      table.text('to_status');
      table.text('note');
      table.uuid('actor_id');
      table.index(['tenant_id', 'order_id', 'created_at']);
    });
    await createTenantTable('shop_counters', (table) => {
      table.text('name').notNullable();
      table.integer('value').notNullable();
      table.unique(['tenant_id', 'name']);
    });
    await createTenantTable('shop_invoices', (table) => {
      table.uuid('order_id').notNullable().references('id').inTable('shop_orders').onDelete('cascade');
      table.integer('sequence').notNullable();
      table.text('number').notNullable();
      table.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.unique(['tenant_id', 'order_id']);
      table.unique(['tenant_id', 'sequence']);
    });
  },
  async down({ db }) {
    for (const name of [
      'shop_invoices',
      'shop_counters',
      'shop_order_history',
      'shop_order_lines',
      'shop_orders',
      'shop_cart_lines',
      'shop_carts',
      'shop_customers',
    ]) {
      await db.schema.dropTable(name);
    }
  },
});
