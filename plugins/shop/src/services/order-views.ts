import type { TenantDb } from '@plinth/sdk';
import type { OrderEvent } from '../contract.js';

/** An order line as the API shows it. */
export interface OrderLineView {
  id: string;
  product_id: string | null;
  variant_id: string | null;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  total: number;
  refunded_quantity: number;
  refunded_amount: number;
}

/** An order as the API shows it. */
export interface OrderView {
  id: string;
  number: string;
  status: string;
  currency: string;
  subtotal: number;
  discount: number;
  discounts: { code: string; label: string; amount: number }[];
  shipping: number;
  shipping_rate: string | null;
  tax: number;
  total: number;
  refunded_amount: number;
  reservation: string;
  reserved_until: Date | null;
  payment_intent_id: string | null;
  source: string | null;
  external_id: string | null;
  invoice_number: string | null;
  customer: { id: string; email: string; name: string | null; user_id: string | null };
  placed_at: Date;
  paid_at: Date | null;
  lines: OrderLineView[];
}

/** The columns of an order row the API shows (joined with its customer and invoice). */
export const ORDER_SELECT = `
  select o.id, o.number, o.status, o.currency, o.subtotal, o.discount, o.discounts, o.shipping, o.shipping_rate, o.tax, o.total,
         o.refunded_amount, o.reservation, o.reserved_until, o.payment_intent_id, o.source, o.external_id, i.number as invoice_number,
         json_build_object('id', c.id, 'email', c.email, 'name', c.name, 'user_id', c.user_id) as customer, o.placed_at, o.paid_at
    from shop_orders o join shop_customers c on c.id = o.customer_id left join shop_invoices i on i.order_id = o.id`;

/** One order with its lines, or undefined (also for another tenant's order). */
export async function loadOrder(db: TenantDb, orderId: string): Promise<OrderView | undefined> {
  const [order] = await db.query<Omit<OrderView, 'lines'>>(`${ORDER_SELECT} where o.id = $1`, [orderId]);
  if (!order) return undefined;
  return { ...order, lines: await loadLines(db, orderId) };
}

/** An order's lines, in the order they were placed. */
export async function loadLines(db: TenantDb, orderId: string): Promise<OrderLineView[]> {
  return db.query<OrderLineView>(
    `select id, product_id, variant_id, sku, name, quantity, unit_price, total, refunded_quantity, refunded_amount
       from shop_order_lines where order_id = $1 order by position, id`,
    [orderId],
  );
}

/** The payload of `shop.order.*` events: the order, its customer and lines with each product's metadata. */
export async function orderEvent(db: TenantDb, orderId: string): Promise<OrderEvent> {
  const order = await loadOrder(db, orderId);
  if (!order) throw new Error(`order ${orderId} vanished inside its own transaction`);
  const lines = await db.query<{
    id: string;
    product_id: string | null;
    variant_id: string | null;
    sku: string;
    name: string;
    quantity: number;
    unit_price: number;
    total: number;
    metadata: Record<string, unknown>;
  }>(
    `select l.id, l.product_id, l.variant_id, l.sku, l.name, l.quantity, l.unit_price, l.total, coalesce(p.metadata, l.metadata) as metadata
       from shop_order_lines l left join shop_products p on p.id = l.product_id where l.order_id = $1 order by l.position, l.id`,
    [orderId],
  );
  return {
    orderId: order.id,
    number: order.number,
    currency: order.currency,
    total: order.total,
    customer: { id: order.customer.id, email: order.customer.email, name: order.customer.name, userId: order.customer.user_id },
    lines: lines.map((line) => ({
      lineId: line.id,
      productId: line.product_id ?? '',
      variantId: line.variant_id ?? '',
      sku: line.sku,
      name: line.name,
      quantity: line.quantity,
      unitPrice: line.unit_price,
      total: line.total,
      metadata: line.metadata,
    })),
  };
}

/** Appends to an order's history: a status change or a note. */
export async function recordHistory(
  db: TenantDb,
  orderId: string,
  entry: { kind: 'status' | 'note' | 'payment' | 'refund'; from?: string | null; to?: string | null; note?: string | null; actorId?: string | null },
): Promise<void> {
  await db.query('insert into shop_order_history (order_id, kind, from_status, to_status, note, actor_id) values ($1, $2, $3, $4, $5, $6)', [
    orderId,
    entry.kind,
    entry.from ?? null,
    entry.to ?? null,
    entry.note ?? null,
    entry.actorId ?? null,
  ]);
}
