import { ValidationError } from '@plinth/sdk';
import type { PaymentIntent } from '@plinth/plugin-payments';
import type { Scope } from '../deps.js';
import { formatNumber, nextNumber } from './counters.js';
import { upsertCustomer } from './customers.js';
import { reserveStock } from './inventory.js';
import { markPaid } from './order-transitions.js';
import { countOrderStatus } from './metrics.js';
import { orderEvent, recordHistory } from './order-views.js';
import { priceLines, type LineRequest } from './pricing.js';
import { queueOrderMail } from './emails.js';
import { auditNewOrder } from './audit.js';

/** What placing an order needs: who buys and what; prices come from the catalogue. */
export interface NewOrder {
  customer: { email: string; name?: string | null; userId?: string | null };
  items: readonly LineRequest[];
  shippingRate?: string | null | undefined;
  cartId?: string;
  actorId?: string | null;
  /** Input path of the items in validation errors. */
  field?: string;
}

/**
 * Places a pending order: prices it, reserves its stock (`409 out_of_stock` when a unit is missing) until
 * `reservation_seconds` from now, hands it to payments when `checkout` is asked, numbers it (gap-free), emits
 * `shop.order.created` and schedules the release of an unpaid reservation. The number is taken last because its
 * counter row stays locked until commit: every other checkout of the tenant waits on it meanwhile.
 */
export async function createOrder(
  scope: Scope,
  input: NewOrder,
  options: { checkout?: boolean } = {},
): Promise<{ orderId: string; intent: PaymentIntent | null }> {
  const { deps, settings } = scope;
  if (!input.items.length) throw new ValidationError({ [input.field ?? 'items']: ['must hold at least one line'] });
  const priced = await priceLines(scope, mergeLines(input.items), {
    shippingRate: input.shippingRate,
    customerEmail: input.customer.email,
    field: input.field,
  });
  const unavailable = priced.lines.findIndex((line) => !line.available);
  if (unavailable >= 0) throw new ValidationError({ [`${input.field ?? 'items'}.${unavailable}.variant_id`]: ['is not on sale'] });

  const customer = await upsertCustomer(deps.db, input.customer);
  const [order] = await deps.db.query<{ id: string }>(
    `insert into shop_orders (number, customer_id, currency, subtotal, discount, discounts, shipping, shipping_rate, tax, total, cart_id, reserved_until)
       values ('unnumbered-' || gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11)) returning id`,
    [
      customer.id,
      priced.currency,
      priced.subtotal,
      priced.discount,
      JSON.stringify(priced.discounts),
      priced.shipping,
      priced.shippingRate,
      priced.tax,
      priced.total,
      input.cartId ?? null,
      settings.reservation_seconds,
    ],
  );
  const orderId = order!.id;
  let position = 0;
  for (const line of priced.lines) {
    await deps.db.query(
      `insert into shop_order_lines (order_id, product_id, variant_id, sku, name, quantity, unit_price, total, metadata, position)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [orderId, line.productId, line.variantId, line.sku, line.name, line.quantity, line.unitPrice, line.total, JSON.stringify(line.metadata), position++],
    );
  }
  await reserveStock(scope, priced.lines, { orderId, actorId: input.actorId ?? null });
  await recordHistory(deps.db, orderId, { kind: 'status', to: 'pending', note: 'Order placed', actorId: input.actorId ?? null });
  countOrderStatus(deps, 'pending');
  // Keyed by the order: paying or cancelling it cancels the expiry.
  await deps.jobs.enqueue('shop.order.expire', { orderId }, { key: orderId, delayMs: settings.reservation_seconds * 1000 });
  const free = priced.total === 0;
  const intent = options.checkout && !free ? await startCheckout(scope, orderId) : null;
  const number = formatNumber(settings.order_prefix, await nextNumber(deps.db, 'order'));
  await deps.db.query('update shop_orders set number = $2 where id = $1', [orderId, number]);
  await auditNewOrder(scope, orderId);
  await deps.events.emit('shop.order.created', await orderEvent(deps.db, orderId));
  if (options.checkout && free) await startCheckout(scope, orderId);
  return { orderId, intent };
}

/**
 * Hands a pending order to payments: one intent per order (`metadata.shop_order_id` links it back; asking again
 * returns the same intent). A free order is paid at once. Returns the intent, or null for a free order.
 */
export async function startCheckout(scope: Scope, orderId: string): Promise<PaymentIntent | null> {
  const { deps } = scope;
  const [order] = await deps.db.query<{ total: number; currency: string; payment_intent_id: string | null }>(
    "select total, currency, payment_intent_id from shop_orders where id = $1 and status = 'pending' for update",
    [orderId],
  );
  if (!order) return null;
  if (order.payment_intent_id) {
    const existing = await deps.payments.getIntent(order.payment_intent_id);
    if (existing && !['cancelled', 'failed'].includes(existing.status)) return existing;
  }
  if (order.total === 0) {
    await markPaid(scope, orderId, { intentId: null, amount: 0, currency: order.currency });
    return null;
  }
  const intent = await deps.payments.createIntent({
    amount: order.total,
    currency: order.currency,
    description: `Shop order ${orderId}`,
    metadata: { shop_order_id: orderId },
    idempotencyKey: `shop-order-${orderId}-${order.payment_intent_id ?? 'first'}`,
  });
  // The client secret is the payer's key to the intent (shown once, at creation): the hosted checkout pays with it.
  const secret = intent.client_secret ? deps.secrets.seal(intent.client_secret) : null;
  await deps.db.query('update shop_orders set payment_intent_id = $2, payment_client_secret = $3, updated_at = now() where id = $1', [
    orderId,
    intent.id,
    secret,
  ]);
  await recordHistory(deps.db, orderId, { kind: 'payment', note: `Payment intent ${intent.id} created` });
  await deps.audit.record({
    entity: 'order',
    verb: 'checkout_started',
    target: orderId,
    before: { payment_intent_id: order.payment_intent_id },
    after: { payment_intent_id: intent.id },
    data: { amount: order.total, currency: order.currency, provider: intent.provider },
  });
  // Paid by bank transfer or cash: the buyer gets the instructions by mail (sent once, after this commits).
  if (intent.next_action?.type === 'manual_payment') await queueOrderMail(deps, { kind: 'placed', orderId });
  return intent;
}

/** Adds up repeated variants so each is priced and reserved once. */
function mergeLines(items: readonly LineRequest[]): LineRequest[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.variantId, (merged.get(item.variantId) ?? 0) + item.quantity);
  return [...merged].map(([variantId, quantity]) => ({ variantId, quantity }));
}
