import { ValidationError } from '@plinth/sdk';
import type { ExternalOrder, ExternalProduct, ShopSyncApi } from '../contract.js';
import type { Scope } from '../deps.js';
import { formatNumber, nextNumber } from './counters.js';
import { productsLimit } from './product-limit.js';
import { upsertCustomer } from './customers.js';
import { recordHistory } from './order-views.js';
import { slugify } from './slugs.js';

/** What the sync service works with: it prices nothing, so it needs no tenant (a service is built with its tenant's id only). */
type SyncScope = Pick<Scope, 'deps' | 'settings'>;

/**
 * The {@link ShopSyncApi} connectors use: upserts keyed by (source, externalId). A repeat with the same data
 * changes no row (updates are guarded by `is distinct from`); imported orders take no stock and emit no events,
 * since they happened elsewhere.
 */
export function createShopSync(scope: SyncScope): ShopSyncApi {
  const { db } = scope.deps;
  return {
    async upsertProduct(product: ExternalProduct) {
      requireKey(product.source, product.externalId);
      const images = JSON.stringify(product.images ?? []);
      const [existing] = await db.query<{ id: string }>('select id from shop_products where source = $1 and external_id = $2 for update', [
        product.source,
        product.externalId,
      ]);
      let productId = existing?.id;
      if (productId) {
        await db.query(
          `update shop_products set name = $2, description = $3, status = $4, images = $5::jsonb, updated_at = now()
             where id = $1 and (name, description, status, images) is distinct from ($2, $3, $4, $5::jsonb)`,
          [productId, product.name, product.description ?? '', product.status, images],
        );
      } else {
        // A synced product counts against the plan like one created by hand: the connector reports the refusal.
        await scope.deps.limits.ensure(productsLimit, 1);
        const slug = await freeSlug(scope, slugify(product.name) || `product-${product.externalId}`);
        const [created] = await db.query<{ id: string }>(
          'insert into shop_products (name, slug, description, status, images, source, external_id) values ($1, $2, $3, $4, $5::jsonb, $6, $7) returning id',
          [product.name, slug, product.description ?? '', product.status, images, product.source, product.externalId],
        );
        productId = created!.id;
      }
      for (const variant of product.variants) {
        const [row] = await db.query<{ id: string; product_id: string }>('select id, product_id from shop_variants where sku = $1 for update', [variant.sku]);
        if (row && row.product_id !== productId) throw new ValidationError({ [`variants.${variant.sku}`]: ['SKU belongs to another product'] });
        if (row) {
          await db.query(
            `update shop_variants set name = $2, price = $3, stock = coalesce($4, stock), external_id = $5, updated_at = now()
               where id = $1 and (name, price, stock, external_id) is distinct from ($2, $3, coalesce($4, stock), $5)`,
            [row.id, variant.name ?? '', variant.price, variant.stock, variant.externalId],
          );
        } else {
          const [created] = await db.query<{ id: string }>(
            'insert into shop_variants (product_id, sku, name, price, stock, external_id) values ($1, $2, $3, $4, $5, $6) returning id',
            [productId, variant.sku, variant.name ?? '', variant.price, variant.stock ?? 0, variant.externalId],
          );
          if (variant.stock)
            await db.query("insert into shop_stock_movements (variant_id, quantity, reason) values ($1, $2, 'imported')", [created!.id, variant.stock]);
        }
      }
      return { productId, created: !existing };
    },

    async upsertOrder(order: ExternalOrder) {
      requireKey(order.source, order.externalId);
      const [existing] = await db.query<{ id: string; status: string }>(
        'select id, status from shop_orders where source = $1 and external_id = $2 for update',
        [order.source, order.externalId],
      );
      if (existing) {
        if (existing.status !== order.status) {
          await db.query('update shop_orders set status = $2, updated_at = now() where id = $1', [existing.id, order.status]);
          await recordHistory(db, existing.id, { kind: 'status', from: existing.status, to: order.status, note: `Synced from ${order.source}` });
        }
        return { orderId: existing.id, created: false };
      }
      const customer = await upsertCustomer(db, { email: order.customer.email, name: order.customer.name ?? null });
      const number = formatNumber(scope.settings.order_prefix, await nextNumber(db, 'order'));
      const subtotal = order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
      const [created] = await db.query<{ id: string }>(
        `insert into shop_orders (number, customer_id, status, currency, subtotal, total, reservation, source, external_id, placed_at, paid_at)
           values ($1, $2, $3, $4, $5, $6, 'none', $7, $8, $9, case when $3 in ('paid', 'fulfilled', 'refunded') then $9::timestamptz end) returning id`,
        [number, customer.id, order.status, order.currency.toUpperCase(), subtotal, order.total, order.source, order.externalId, order.placedAt],
      );
      let position = 0;
      for (const line of order.lines) {
        const [variant] = await db.query<{ id: string; product_id: string }>('select id, product_id from shop_variants where sku = $1', [line.sku]);
        await db.query(
          `insert into shop_order_lines (order_id, product_id, variant_id, sku, name, quantity, unit_price, total, position)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            created!.id,
            variant?.product_id ?? null,
            variant?.id ?? null,
            line.sku,
            line.name,
            line.quantity,
            line.unitPrice,
            line.unitPrice * line.quantity,
            position++,
          ],
        );
      }
      await recordHistory(db, created!.id, { kind: 'status', to: order.status, note: `Imported from ${order.source}` });
      return { orderId: created!.id, created: true };
    },
  };
}

function requireKey(source: string, externalId: string): void {
  if (!source || !externalId)
    throw new ValidationError({ ...(source ? {} : { source: ['is required'] }), ...(externalId ? {} : { externalId: ['is required'] }) });
}

/** `base`, or `base-2`, `base-3`… whichever is free in the tenant. */
async function freeSlug(scope: SyncScope, base: string): Promise<string> {
  const rows = await scope.deps.db.query<{ slug: string }>("select slug from shop_products where slug = $1 or slug like $1 || '-%'", [base]);
  const taken = new Set(rows.map((row) => row.slug));
  if (!taken.has(base)) return base;
  for (let suffix = 2; ; suffix++) if (!taken.has(`${base}-${suffix}`)) return `${base}-${suffix}`;
}
