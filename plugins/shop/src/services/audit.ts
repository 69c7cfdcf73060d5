import type { TenantDb } from '@plinth/sdk';
import type { Deps, Scope } from '../deps.js';

/**
 * What the shop's audit entries leave out. A buyer's email and name are personal data: an order's entries say
 * that they were given, never what they are (the order itself keeps them, behind `shop.orders.view`).
 */
export const customerFields = ['customer_email', 'customer_name'] as const;

/** A product's columns the log compares (timestamps move on every write; variants have entries of their own). */
const productAuditColumns =
  'id, name, slug, description, images, image_file_ids, image_alt, status, seo_title, seo_description, metadata, category_id, unit_id';

/** A product's audited fields (those the shop's code reads by name typed). */
export type ProductRecord = Record<string, unknown> & { id: string; name: string; slug: string; image_file_ids: string[]; unit_id: string | null };

/**
 * The product's audited fields, or undefined (missing, or outside the caller's units); `lock` holds the row for the
 * rest of the transaction, so that the entry's `before` is what the change replaced.
 */
export async function productRecord(db: TenantDb, id: string, lock = false): Promise<ProductRecord | undefined> {
  return db.one<ProductRecord>(`select ${productAuditColumns} from shop_products where id = $1${lock ? ' for update' : ''}`, [id]);
}

/** Deletes a product, returning its audited fields (undefined when it is not there, or outside the caller's units). */
export async function deleteProductRecord(db: TenantDb, id: string): Promise<ProductRecord | undefined> {
  const [row] = await db.query<ProductRecord>(`delete from shop_products where id = $1 returning ${productAuditColumns}`, [id]);
  return row;
}

/** An order's state as its entries compare it: what a transition changes. */
type OrderState = {
  status: string;
  refunded_amount: number;
  reservation: string;
  payment_intent_id: string | null;
};
const orderStateColumns = 'status, refunded_amount, reservation, payment_intent_id';

function orderState(order: OrderState): OrderState {
  return { status: order.status, refunded_amount: order.refunded_amount, reservation: order.reservation, payment_intent_id: order.payment_intent_id };
}

/**
 * Records a change of an order (`shop.order.<verb>`): its state before (as the transition locked it) and now, and
 * `data` (an amount, a reason, a note). Orders belong to no unit: the log shows their entries to tenant-wide readers.
 */
export async function auditOrder(
  deps: Pick<Deps, 'db' | 'audit'>,
  before: OrderState & { id: string },
  verb: string,
  data?: Record<string, unknown>,
): Promise<void> {
  const after = await deps.db.one<OrderState>(`select ${orderStateColumns} from shop_orders where id = $1`, [before.id]);
  await deps.audit.record({
    entity: 'order',
    verb,
    target: before.id,
    before: orderState(before),
    after: after ? orderState(after) : null,
    ...(data ? { data } : {}),
  });
}

/** Records a new order: its number, totals and lines; the buyer's email and name redacted. */
export async function auditNewOrder({ deps }: Scope, orderId: string): Promise<void> {
  const order = await deps.db.one<Record<string, unknown>>(
    `select o.number, o.status, o.currency, o.subtotal, o.discount, o.shipping, o.tax, o.total, o.cart_id,
       c.email as customer_email, c.name as customer_name,
       (select coalesce(json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'unit_price', l.unit_price) order by l.position), '[]')
          from shop_order_lines l where l.order_id = o.id) as lines
     from shop_orders o join shop_customers c on c.id = o.customer_id where o.id = $1`,
    [orderId],
  );
  await deps.audit.record({ entity: 'order', verb: 'created', target: orderId, after: order ?? null, redact: customerFields });
}
