import {
  listPage,
  type AnyRoute,
  likePattern,
  NotFoundError,
  Nullable,
  PageQuery,
  paginate,
  rawBody,
  Reply,
  type Static,
  type Stored,
  Timestamp,
  toJson,
  Type,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopPermissions as permissions } from '../permissions.js';
import { invoiceReply, loadInvoice } from '../services/invoices.js';
import { OrderStatus } from '../services/order-views.js';
import { IdParams } from './schemas.js';

const CustomerQuery = Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String({ maxLength: 200, description: 'Email or name contains' })) })]);
const Customer = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Nullable(Type.String()),
  user_id: Nullable(Type.String({ format: 'uuid' })),
  created_at: Timestamp,
  orders_count: Type.Integer(),
  total_spent: Type.Integer({ description: 'Paid, fulfilled and refunded orders, less refunds (minor units)' }),
});
type CustomerRow = Stored<Static<typeof Customer>, 'created_at'>;
const CustomerOrder = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  status: OrderStatus,
  currency: Type.String(),
  total: Type.Integer(),
  refunded_amount: Type.Integer(),
  placed_at: Timestamp,
  paid_at: Nullable(Timestamp),
});
type CustomerOrderRow = Stored<Static<typeof CustomerOrder>, 'placed_at' | 'paid_at'>;
const customerColumns = `c.id, c.email, c.name, c.user_id, c.created_at,
  (select count(*)::int from shop_orders o where o.customer_id = c.id) as orders_count,
  (select coalesce(sum(o.total - o.refunded_amount), 0)::int from shop_orders o where o.customer_id = c.id and o.status in ('paid', 'fulfilled', 'refunded')) as total_spent`;

/** `/api/v1/shop/customers` and `/orders/:id/invoice`. */
export function customerRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/customers',
      summary: 'List customers, newest first, with order count and amount spent',
      permission: permissions['orders.view'],
      schema: { query: CustomerQuery, response: Type.Array(Customer) },
      async handler({ query, deps }) {
        const values: unknown[] = [];
        const where = query.q ? `c.email ilike $${values.push(likePattern(query.q))} or c.name ilike $1` : '';
        const { items, total } = await listPage<CustomerRow>(
          deps.db,
          { select: customerColumns, from: 'shop_customers c', where, orderBy: 'c.created_at desc, c.id', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/customers/:id',
      summary: 'A customer with their order history',
      permission: permissions['orders.view'],
      schema: { params: IdParams, response: Type.Composite([Customer, Type.Object({ orders: Type.Array(CustomerOrder, { description: 'The latest 100' }) })]) },
      async handler({ params, deps }) {
        const [customer] = await deps.db.query<CustomerRow>(`select ${customerColumns} from shop_customers c where c.id = $1`, [params.id]);
        if (!customer) throw new NotFoundError('Customer not found');
        const orders = await deps.db.query<CustomerOrderRow>(
          'select id, number, status, currency, total, refunded_amount, placed_at, paid_at from shop_orders where customer_id = $1 order by placed_at desc, id desc limit 100',
          [params.id],
        );
        return toJson({ ...customer, orders });
      },
    }),
    route({
      method: 'GET',
      path: '/orders/:id/invoice',
      summary: "The order's invoice (PDF; HTML for invoices issued before PDFs), exactly as issued when the order was paid",
      permission: permissions['orders.view'],
      schema: { params: IdParams, response: rawBody('application/pdf', 'The invoice') },
      async handler({ params, deps, ctx }) {
        return invoiceReply(await loadInvoice(deps, ctx, params.id));
      },
    }),
  ];
}
