import { listPage, type PageQuery, pagePath, type Static, type Stored, type TenantDb, toJson, Type } from '@plinth/sdk';
import { Discount, OrderLine, OrderSummary, loadLines } from './order-views.js';

/** One of the caller's own orders, as "my orders" shows it. */
export const MyOrderSummary = Type.Composite([
  Type.Pick(OrderSummary, [
    'id',
    'number',
    'status',
    'currency',
    'subtotal',
    'discount',
    'shipping',
    'tax',
    'total',
    'refunded_amount',
    'invoice_number',
    'placed_at',
    'paid_at',
  ]),
  Type.Object({ receipt_path: Type.String({ description: 'The order’s receipt page: `/c/<tenant>/orders/<token>`' }) }),
]);
type MyOrderRow = Stored<Omit<Static<typeof MyOrderSummary>, 'receipt_path'>, 'placed_at' | 'paid_at'> & { public_token: string };

/** One of the caller's orders with its lines and discounts. */
export const MyOrder = Type.Composite([MyOrderSummary, Type.Object({ discounts: Type.Array(Discount), lines: Type.Array(OrderLine) })]);

const columns = `o.id, o.number, o.status, o.currency, o.subtotal, o.discount, o.shipping, o.tax, o.total, o.refunded_amount,
  i.number as invoice_number, o.placed_at, o.paid_at, o.public_token`;
const from = 'shop_orders o join shop_customers c on c.id = o.customer_id left join shop_invoices i on i.order_id = o.id';

function view(tenantSlug: string, row: MyOrderRow): Static<typeof MyOrderSummary> {
  const { public_token: token, ...order } = row;
  return { ...toJson(order), receipt_path: pagePath(tenantSlug, `/orders/${token}`) };
}

/**
 * The orders whose buyer is `userId` (their customer record is linked to that user: signed-in purchases, and guest
 * purchases once paid), newest first. Another buyer's orders are never among them.
 */
export async function myOrders(
  db: TenantDb,
  tenantSlug: string,
  userId: string,
  query: PageQuery,
): Promise<{ items: Static<typeof MyOrderSummary>[]; total: number }> {
  const { items, total } = await listPage<MyOrderRow>(
    db,
    { select: columns, from, where: ['c.user_id = $1'], orderBy: 'o.placed_at desc, o.id desc', values: [userId] },
    query,
  );
  return { items: items.map((row) => view(tenantSlug, row)), total };
}

/** One of `userId`'s orders, or undefined (also for an order of someone else). */
export async function myOrder(db: TenantDb, tenantSlug: string, userId: string, orderId: string): Promise<Static<typeof MyOrder> | undefined> {
  const [row] = await db.query<MyOrderRow & { discounts: Static<typeof Discount>[] }>(
    `select ${columns}, o.discounts from ${from} where o.id = $1 and c.user_id = $2`,
    [orderId, userId],
  );
  if (!row) return undefined;
  const { discounts, ...rest } = row;
  return { ...view(tenantSlug, rest), discounts, lines: await loadLines(db, orderId) };
}
