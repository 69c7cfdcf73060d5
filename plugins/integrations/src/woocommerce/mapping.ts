import type { ExternalOrder, ExternalProduct } from '@plinth/plugin-shop';

/** The parts of a WooCommerce (REST v3 / webhook) order this connector reads. */
export interface WooOrder {
  id: number;
  status: string;
  currency: string;
  total: string;
  date_created_gmt?: string | null;
  date_created?: string | null;
  billing?: { email?: string; first_name?: string; last_name?: string };
  line_items?: { product_id?: number; variation_id?: number; sku?: string; name?: string; quantity?: number; price?: number | string; total?: string }[];
}

/** The parts of a WooCommerce product this connector reads. */
export interface WooProduct {
  id: number;
  name: string;
  status: string;
  description?: string;
  sku?: string;
  price?: string;
  regular_price?: string;
  manage_stock?: boolean;
  stock_quantity?: number | null;
  images?: { src?: string }[];
}

/** Currencies without minor units (ISO 4217 exponent 0). */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);

/** A WooCommerce decimal amount ("12.30") in minor units (1230); throws on a non-number. */
export function toMinorUnits(amount: string | number | undefined, currency: string): number {
  const value = typeof amount === 'number' ? amount : Number.parseFloat(amount ?? '');
  if (!Number.isFinite(value)) throw new MappingError(`not an amount: ${String(amount)}`);
  return Math.round(value * (ZERO_DECIMAL.has(currency.toUpperCase()) ? 1 : 100));
}

/** The WooCommerce data cannot be mapped (answered 422, logged). */
export class MappingError extends Error {
  override name = 'MappingError';
}

const ORDER_STATUS: Record<string, ExternalOrder['status']> = {
  pending: 'pending',
  'on-hold': 'pending',
  failed: 'pending',
  'checkout-draft': 'pending',
  processing: 'paid',
  completed: 'fulfilled',
  cancelled: 'cancelled',
  trash: 'cancelled',
  refunded: 'refunded',
};

/** A WooCommerce order as the shop's {@link ExternalOrder}. */
export function mapOrder(order: WooOrder, source: string): ExternalOrder {
  const status = ORDER_STATUS[order.status];
  if (!status) throw new MappingError(`unknown order status ${order.status}`);
  const email = order.billing?.email;
  if (!email) throw new MappingError(`order ${order.id} has no billing email`);
  const currency = (order.currency || '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new MappingError(`order ${order.id} has no currency`);
  const name = [order.billing?.first_name, order.billing?.last_name].filter(Boolean).join(' ');
  return {
    source,
    externalId: String(order.id),
    status,
    currency,
    customer: { email, ...(name ? { name } : {}) },
    lines: (order.line_items ?? []).map((line) => {
      const quantity = line.quantity ?? 1;
      const sku = line.sku || `woo-${line.variation_id || line.product_id}`;
      const unitPrice =
        line.price !== undefined && line.price !== '' ? toMinorUnits(line.price, currency) : Math.round(toMinorUnits(line.total, currency) / quantity);
      return { sku, name: line.name ?? sku, quantity, unitPrice };
    }),
    total: toMinorUnits(order.total, currency),
    placedAt: toIso(order.date_created_gmt ? `${order.date_created_gmt}Z` : order.date_created),
  };
}

const PRODUCT_STATUS: Record<string, ExternalProduct['status']> = {
  publish: 'active',
  draft: 'draft',
  pending: 'draft',
  private: 'draft',
  future: 'draft',
  trash: 'archived',
};

/** A WooCommerce product (its own price and stock as one variant) as the shop's {@link ExternalProduct}. */
export function mapProduct(product: WooProduct, source: string, currency: string): ExternalProduct {
  const status = PRODUCT_STATUS[product.status];
  if (!status) throw new MappingError(`unknown product status ${product.status}`);
  if (!product.name) throw new MappingError(`product ${product.id} has no name`);
  const price = product.price || product.regular_price;
  return {
    source,
    externalId: String(product.id),
    name: product.name,
    ...(product.description ? { description: product.description } : {}),
    status,
    images: (product.images ?? []).flatMap((image) => (image.src ? [image.src] : [])),
    variants: [
      {
        externalId: String(product.id),
        sku: product.sku || `woo-${product.id}`,
        price: price ? toMinorUnits(price, currency) : 0,
        stock: product.manage_stock ? (product.stock_quantity ?? 0) : null,
      },
    ],
  };
}

function toIso(value: string | null | undefined): string {
  const date = value ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new MappingError(`not a date: ${String(value)}`);
  return date.toISOString();
}
