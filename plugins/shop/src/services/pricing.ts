import { ValidationError } from '@plinth/sdk';
import type { Scope } from '../deps.js';
import type { CartDiscount } from '../hooks.js';

/** A line as asked for: which variant and how many. Prices never come from the client. */
export interface LineRequest {
  variantId: string;
  quantity: number;
}

/** A line priced from the catalogue. */
export interface PricedLine {
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  total: number;
  metadata: Record<string, unknown>;
  /** False when the product is no longer on sale (not active): such lines are left out of the totals. */
  available: boolean;
}

/** Totals computed on the server: subtotal − discount + shipping + tax = total, all in minor units. */
export interface PricedCart {
  currency: string;
  lines: PricedLine[];
  subtotal: number;
  discounts: CartDiscount[];
  discount: number;
  shippingRate: string | null;
  shipping: number;
  tax: number;
  total: number;
}

interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  product_name: string;
  variant_name: string;
  price: number;
  metadata: Record<string, unknown>;
  status: string;
}

/**
 * Prices `requests` from the tenant's catalogue (another tenant's variants are invisible, hence unknown),
 * runs the `shop.cart.discounts` waterfall, then shipping and tax from the settings. `field` names the input
 * path in validation errors (`items`, `lines`).
 */
export async function priceLines(
  scope: Scope,
  requests: readonly LineRequest[],
  options: { shippingRate?: string | null | undefined; customerEmail?: string | null; field?: string } = {},
): Promise<PricedCart> {
  const { deps, settings } = scope;
  const currency = settings.currency ?? scope.tenant.currency;
  const field = options.field ?? 'items';
  const ids = [...new Set(requests.map((request) => request.variantId))];
  const rows = ids.length
    ? await deps.db.query<VariantRow>(
        `select v.id, v.product_id, v.sku, p.name as product_name, v.name as variant_name, v.price, p.metadata, p.status
           from shop_variants v join shop_products p on p.id = v.product_id where v.id = any($1::uuid[])`,
        [ids],
      )
    : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const errors: Record<string, string[]> = {};
  requests.forEach((request, index) => {
    if (!byId.has(request.variantId)) errors[`${field}.${index}.variant_id`] = ['unknown variant'];
  });
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const lines = requests.map((request): PricedLine => {
    const row = byId.get(request.variantId)!;
    return {
      variantId: row.id,
      productId: row.product_id,
      sku: row.sku,
      name: row.variant_name ? `${row.product_name} – ${row.variant_name}` : row.product_name,
      quantity: request.quantity,
      unitPrice: row.price,
      total: row.price * request.quantity,
      metadata: row.metadata,
      available: row.status === 'active',
    };
  });
  const priced = lines.filter((line) => line.available);
  const subtotal = priced.reduce((sum, line) => sum + line.total, 0);

  const offered = await deps.hooks.call(
    'shop.cart.discounts',
    { subtotal, discounts: [] },
    {
      currency,
      customerEmail: options.customerEmail ?? null,
      lines: priced.map(({ variantId, productId, sku, quantity, unitPrice, metadata }) => ({ variantId, productId, sku, quantity, unitPrice, metadata })),
    },
  );
  const discounts: CartDiscount[] = [];
  let discount = 0;
  for (const offer of offered.discounts) {
    const amount = Math.min(Math.floor(offer.amount), subtotal - discount);
    if (!(amount > 0)) continue;
    discounts.push({ code: offer.code, label: offer.label, amount });
    discount += amount;
  }

  const rates = settings.shipping_rates;
  let shippingRate: string | null = null;
  let shipping = 0;
  if (rates.length && priced.length) {
    const rate = options.shippingRate ? rates.find((candidate) => candidate.code === options.shippingRate) : rates[0];
    if (!rate) throw new ValidationError({ shipping_rate: [`must be one of: ${rates.map((candidate) => candidate.code).join(', ')}`] });
    shippingRate = rate.code;
    shipping = rate.free_over !== undefined && subtotal - discount >= rate.free_over ? 0 : rate.amount;
  } else if (options.shippingRate) {
    throw new ValidationError({ shipping_rate: ['this shop has no shipping rates'] });
  }
  const taxable = subtotal - discount + (settings.tax_on_shipping ? shipping : 0);
  const tax = Math.round((taxable * settings.tax_rate_bps) / 10_000);
  return { currency, lines, subtotal, discounts, discount, shippingRate, shipping, tax, total: subtotal - discount + shipping + tax };
}
