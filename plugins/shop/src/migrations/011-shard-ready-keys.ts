import { shardReadyMigration, type ShardReadySpec } from '@plinth/sdk';

/**
 * The plugin's tenant tables become distributable by `tenant_id` (ADR 0014 of Plinth): primary keys `(id, tenant_id)`
 * and foreign keys between them `(tenant_id, x_id) → (tenant_id, id)`, so a row can only point at a row of its own
 * tenant. Cart tokens and public order tokens (random) become unique per tenant, with a plain index for the lookup by
 * token; a cart line is unique per (cart, variant) of the tenant. Every row is kept; the down restores the previous
 * keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'shop_categories',
    'shop_products',
    'shop_variants',
    'shop_stock_movements',
    'shop_counters',
    'shop_customers',
    'shop_carts',
    'shop_cart_lines',
    'shop_orders',
    'shop_order_lines',
    'shop_order_history',
    'shop_invoices',
  ],
  uniques: [
    { table: 'shop_carts', name: 'shop_carts_token_unique', columns: ['token'] },
    { table: 'shop_orders', name: 'shop_orders_public_token_unique', columns: ['public_token'] },
    { table: 'shop_cart_lines', name: 'shop_cart_lines_cart_id_variant_id_unique', columns: ['cart_id', 'variant_id'], lookup: false },
  ],
};

export const shardReadyKeys = shardReadyMigration('011-shard-ready-keys', spec);
