import { defineMigration } from '@plinth/sdk';

/** Categories, products, variants and the stock movement ledger. */
export const createShopCatalogue = defineMigration({
  name: '001-create-shop-catalogue',
  async up({ createTenantTable, db }) {
    await createTenantTable('shop_categories', (table) => {
      table.text('name').notNullable();
      table.text('slug').notNullable();
      table.uuid('parent_id').references('id').inTable('shop_categories').onDelete('set null');
      table.integer('position').notNullable().defaultTo(0);
      table.unique(['tenant_id', 'slug']);
    });
    await createTenantTable('shop_products', (table) => {
      table.text('name').notNullable();
      table.text('slug').notNullable();
      table.text('description').notNullable().defaultTo('');
      table.jsonb('images').notNullable().defaultTo('[]');
      table.text('status').notNullable().defaultTo('draft');
      table.text('seo_title');
      table.text('seo_description');
      table.jsonb('metadata').notNullable().defaultTo('{}');
      table.uuid('category_id').references('id').inTable('shop_categories').onDelete('set null');
      table.text('source');
      table.text('external_id');
      table.unique(['tenant_id', 'slug']);
      table.unique(['tenant_id', 'source', 'external_id']);
      table.index(['tenant_id', 'status']);
    });
    await db.raw("alter table shop_products add constraint shop_products_status_check check (status in ('draft', 'active', 'archived'))");
    await createTenantTable('shop_variants', (table) => {
      table.uuid('product_id').notNullable().references('id').inTable('shop_products').onDelete('cascade');
      table.text('sku').notNullable();
      table.text('name').notNullable().defaultTo('');
      table.integer('price').notNullable();
      table.integer('compare_at_price');
      table.jsonb('attributes').notNullable().defaultTo('{}');
      table.integer('stock').notNullable().defaultTo(0);
      table.integer('weight_grams');
      table.integer('position').notNullable().defaultTo(0);
      table.text('external_id');
      table.unique(['tenant_id', 'sku']);
      table.index(['tenant_id', 'product_id']);
    });
    await db.raw(
      'alter table shop_variants add constraint shop_variants_stock_check check (stock >= 0), add constraint shop_variants_price_check check (price >= 0)',
    );
    await createTenantTable('shop_stock_movements', (table) => {
      table.uuid('variant_id').notNullable().references('id').inTable('shop_variants').onDelete('cascade');
      table.integer('quantity').notNullable();
      table.text('reason').notNullable();
      table.uuid('order_id');
      table.text('note');
      table.uuid('actor_id');
      table.index(['tenant_id', 'variant_id', 'created_at']);
    });
  },
  async down({ db }) {
    for (const name of ['shop_stock_movements', 'shop_variants', 'shop_products', 'shop_categories']) await db.schema.dropTable(name);
  },
});
