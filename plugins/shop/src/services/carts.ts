import { randomBytes } from 'node:crypto';
import { NotFoundError, Nullable, type Static, type TenantDb, Type, ValidationError } from '@plinth/sdk';
import type { Scope } from '../deps.js';
import { ShippingRate } from '../settings.js';
import { outOfStock, shopErrors } from '../errors.js';
import { Discount } from './order-views.js';
import { priceLines } from './pricing.js';

/** A cart as buyers see it: every price is the server's. */
export const Cart = Type.Object({
  token: Type.String(),
  status: Type.String({ description: '`open`, or `checked_out`' }),
  currency: Type.String(),
  lines: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      variant_id: Type.String({ format: 'uuid' }),
      product_id: Type.String({ format: 'uuid' }),
      sku: Type.String(),
      name: Type.String(),
      quantity: Type.Integer(),
      unit_price: Type.Integer(),
      total: Type.Integer(),
      available: Type.Boolean({ description: 'False when the product is no longer on sale: left out of the totals' }),
    }),
  ),
  subtotal: Type.Integer(),
  discounts: Type.Array(Discount),
  discount: Type.Integer(),
  shipping_rate: Nullable(Type.String()),
  shipping: Type.Integer(),
  tax: Type.Integer(),
  total: Type.Integer(),
  shipping_rates: Type.Array(ShippingRate),
});

/** A cart row. */
export interface CartRow {
  id: string;
  token: string;
  user_id: string | null;
  status: string;
}

/** A new cart; a signed-in buyer's cart is theirs alone. The token is the anonymous buyer's key to it. */
export async function createCart(db: TenantDb, userId: string | null): Promise<CartRow> {
  const [cart] = await db.query<CartRow>('insert into shop_carts (token, user_id) values ($1, $2) returning id, token, user_id, status', [
    randomBytes(24).toString('base64url'),
    userId,
  ]);
  return cart!;
}

/** The cart with `token`; 404 when unknown, another tenant's, or another signed-in user's. */
export async function findCart(db: TenantDb, token: string, userId: string | null, options: { lock?: boolean } = {}): Promise<CartRow> {
  const [cart] = await db.query<CartRow>(`select id, token, user_id, status from shop_carts where token = $1${options.lock ? ' for update' : ''}`, [token]);
  if (!cart || (cart.user_id !== null && cart.user_id !== userId)) throw new NotFoundError('Cart not found');
  return cart;
}

/** Refuses changes to a cart already checked out. */
export function requireOpen(cart: CartRow): void {
  if (cart.status !== 'open') throw shopErrors.cart_closed('This cart has been checked out; start a new cart');
}

/** The cart's lines as items to price. */
export async function cartItems(db: TenantDb, cartId: string): Promise<{ lineId: string; variantId: string; quantity: number }[]> {
  const rows = await db.query<{ id: string; variant_id: string; quantity: number }>(
    'select id, variant_id, quantity from shop_cart_lines where cart_id = $1 order by created_at, id',
    [cartId],
  );
  return rows.map((row) => ({ lineId: row.id, variantId: row.variant_id, quantity: row.quantity }));
}

/**
 * Sets a line's quantity (adds the line if new): only variants of active products of this tenant, and never more
 * than is in stock right now (`409 out_of_stock`; stock is only reserved at checkout).
 */
export async function setCartLine(db: TenantDb, cartId: string, variantId: string, quantity: number, field: string): Promise<void> {
  const [variant] = await db.query<{ sku: string; stock: number }>(
    "select v.sku, v.stock from shop_variants v join shop_products p on p.id = v.product_id where v.id = $1 and p.status = 'active'",
    [variantId],
  );
  if (!variant) throw new ValidationError({ [field]: ['unknown variant'] });
  if (variant.stock < quantity) throw outOfStock(variantId, variant.sku);
  await db.query(
    `insert into shop_cart_lines (cart_id, variant_id, quantity) values ($1, $2, $3)
       on conflict (tenant_id, cart_id, variant_id) do update set quantity = excluded.quantity, updated_at = now()`,
    [cartId, variantId, quantity],
  );
  await db.query('update shop_carts set updated_at = now() where id = $1', [cartId]);
}

/** The cart as buyers see it: lines and server-computed totals, with the shop's shipping rates to choose from. */
export async function cartView(scope: Scope, cart: CartRow, shippingRate?: string): Promise<Static<typeof Cart>> {
  const items = await cartItems(scope.deps.db, cart.id);
  const priced = await priceLines(scope, items, { shippingRate, field: 'lines' });
  return {
    token: cart.token,
    status: cart.status,
    currency: priced.currency,
    lines: priced.lines.map((line, index) => ({
      id: items[index]!.lineId,
      variant_id: line.variantId,
      product_id: line.productId,
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      total: line.total,
      available: line.available,
    })),
    subtotal: priced.subtotal,
    discounts: priced.discounts,
    discount: priced.discount,
    shipping_rate: priced.shippingRate,
    shipping: priced.shipping,
    tax: priced.tax,
    total: priced.total,
    shipping_rates: scope.settings.shipping_rates,
  };
}
