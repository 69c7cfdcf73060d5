import { Nullable, type Static, type Stored, type TenantDb, Timestamp, Type } from '@plinth/sdk';
import type { OrderEvent } from '../contract.js';

/** An order line as the API shows it. */
export const OrderLine = Type.Object({
  id: Type.String({ format: 'uuid' }),
  product_id: Nullable(Type.String({ format: 'uuid' })),
  variant_id: Nullable(Type.String({ format: 'uuid' })),
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: Type.Integer(),
  total: Type.Integer(),
  refunded_quantity: Type.Integer(),
  refunded_amount: Type.Integer(),
});
export type OrderLineView = Static<typeof OrderLine>;

export const OrderStatus = Type.Union(['pending', 'paid', 'fulfilled', 'cancelled', 'refunded'].map((status) => Type.Literal(status)));

/** A discount applied to an order or a cart. */
export const Discount = Type.Object({ code: Type.String(), label: Type.String(), amount: Type.Integer() });

/** An order as the API shows it, without its lines (lists). */
export const OrderSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  status: OrderStatus,
  currency: Type.String(),
  subtotal: Type.Integer(),
  discount: Type.Integer(),
  discounts: Type.Array(Discount),
  shipping: Type.Integer(),
  shipping_rate: Nullable(Type.String()),
  tax: Type.Integer(),
  total: Type.Integer(),
  refunded_amount: Type.Integer(),
  reservation: Type.Union(['held', 'committed', 'released', 'none'].map((state) => Type.Literal(state))),
  reserved_until: Nullable(Timestamp),
  payment_intent_id: Nullable(Type.String({ format: 'uuid' })),
  source: Nullable(Type.String()),
  external_id: Nullable(Type.String()),
  invoice_number: Nullable(Type.String()),
  customer: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    name: Nullable(Type.String()),
    user_id: Nullable(Type.String({ format: 'uuid' })),
  }),
  placed_at: Timestamp,
  paid_at: Nullable(Timestamp),
});
export type OrderSummaryRow = Stored<Static<typeof OrderSummary>, 'reserved_until' | 'placed_at' | 'paid_at'>;

/** An order with its lines, as the API shows it. */
export const Order = Type.Composite([OrderSummary, Type.Object({ lines: Type.Array(OrderLine) })]);
export type OrderView = OrderSummaryRow & { lines: OrderLineView[] };

/** The columns of an order row the API shows (joined with its customer and invoice). */
export const orderColumns = `o.id, o.number, o.status, o.currency, o.subtotal, o.discount, o.discounts, o.shipping, o.shipping_rate, o.tax, o.total,
  o.refunded_amount, o.reservation, o.reserved_until, o.payment_intent_id, o.source, o.external_id, i.number as invoice_number,
  json_build_object('id', c.id, 'email', c.email, 'name', c.name, 'user_id', c.user_id) as customer, o.placed_at, o.paid_at`;
export const orderFrom = 'shop_orders o join shop_customers c on c.id = o.customer_id left join shop_invoices i on i.order_id = o.id';
export const orderSelect = `select ${orderColumns} from ${orderFrom}`;

/** One order with its lines, or undefined (also for another tenant's order). */
export async function loadOrder(db: TenantDb, orderId: string): Promise<OrderView | undefined> {
  const [order] = await db.query<OrderSummaryRow>(`${orderSelect} where o.id = $1`, [orderId]);
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

/** Appends to an order's history: a status change, a payment event, a refund (with its `amount`) or a note. */
export async function recordHistory(
  db: TenantDb,
  orderId: string,
  entry: {
    kind: 'status' | 'note' | 'payment' | 'refund';
    from?: string | null;
    to?: string | null;
    note?: string | null;
    actorId?: string | null;
    amount?: number | null;
  },
): Promise<void> {
  await db.query('insert into shop_order_history (order_id, kind, from_status, to_status, note, actor_id, amount) values ($1, $2, $3, $4, $5, $6, $7)', [
    orderId,
    entry.kind,
    entry.from ?? null,
    entry.to ?? null,
    entry.note ?? null,
    entry.actorId ?? null,
    entry.amount ?? null,
  ]);
}
