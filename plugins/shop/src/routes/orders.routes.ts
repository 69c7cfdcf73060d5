import {
  listPage,
  actingUserId,
  type AnyRoute,
  ForbiddenError,
  likePattern,
  Money,
  NotFoundError,
  Nullable,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type Stored,
  Timestamp,
  toJson,
  Type,
  ValidationError,
  Widget,
  withStatus,
} from '@plinth/sdk';
import { paymentsErrors } from '@plinth/plugin-payments';
import type { Builders, Scope } from '../deps.js';
import { invalidTransition, shopErrors } from '../errors.js';
import { shopPermissions as permissions } from '../permissions.js';
import { createOrder, startCheckout } from '../services/orders.js';
import { cancelOrder, fulfilOrder, lockOrder, refundOrder, refundOrderAmount } from '../services/order-transitions.js';
import { loadOrder, Order, orderColumns, orderFrom, OrderSummary, recordHistory, type OrderSummaryRow } from '../services/order-views.js';
import { salesRange, SalesQuery, salesReport, SalesReport } from '../services/sales.js';
import { CustomerInput, IdParams, LineInput, Quantity } from './schemas.js';

const OrderStatus = Type.Union(['pending', 'paid', 'fulfilled', 'cancelled', 'refunded'].map((status) => Type.Literal(status)));
const OrderQuery = Type.Composite([
  PageQuery,
  Type.Object({
    status: Type.Optional(OrderStatus),
    customer_id: Type.Optional(Type.String({ format: 'uuid' })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Order number or customer email contains' })),
  }),
]);
const NewOrderBody = Type.Object(
  {
    customer: CustomerInput,
    items: Type.Array(LineInput, { minItems: 1, maxItems: 100, title: 'Items' }),
    shipping_rate: Type.Optional(Type.String({ maxLength: 40, title: 'Shipping rate', description: 'The code of one of the shop’s shipping rates' })),
  },
  { additionalProperties: false },
);
const NoteBody = Type.Object(
  { note: Type.Optional(Widget(Type.String({ minLength: 1, maxLength: 2000, title: 'Note' }), 'textarea')) },
  { additionalProperties: false },
);
const RefundBody = Type.Object(
  {
    lines: Type.Optional(
      Type.Array(Type.Object({ line_id: Type.String({ format: 'uuid', title: 'Order line' }), quantity: Quantity }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 100,
        title: 'Lines refunded',
        description: 'What is refunded, by line and quantity; or give `amount` instead',
      }),
    ),
    amount: Type.Optional(
      Money({ minimum: 1, title: 'Amount', description: "An amount to refund (minor units of the order's currency), not tied to lines; or give `lines`" }),
    ),
    restock: Type.Optional(Type.Boolean({ default: false, title: 'Restock', description: 'Put the refunded units back in stock' })),
    reason: Type.Optional(Widget(Type.String({ maxLength: 500, title: 'Reason' }), 'textarea')),
  },
  { additionalProperties: false },
);

const HistoryEntry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.Union([Type.Literal('status'), Type.Literal('note'), Type.Literal('payment'), Type.Literal('refund')]),
  from_status: Nullable(Type.String()),
  to_status: Nullable(Type.String()),
  note: Nullable(Type.String()),
  actor_id: Nullable(Type.String({ format: 'uuid' })),
  amount: Nullable(Type.Integer({ description: "A refund's amount, in minor units of the order's currency" })),
  created_at: Timestamp,
});
type HistoryRow = Stored<Static<typeof HistoryEntry>, 'created_at'>;
/** The order's payment intent, as payments shows it. */
const PaymentIntent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  provider: Type.String(),
  status: Type.Union(
    ['requires_payment_method', 'requires_action', 'processing', 'succeeded', 'failed', 'cancelled', 'partially_refunded', 'refunded'].map((status) =>
      Type.Literal(status),
    ),
  ),
  amount: Type.Integer(),
  currency: Type.String(),
  amount_captured: Type.Integer(),
  amount_refunded: Type.Integer(),
  description: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  next_action: Nullable(Type.Object({ type: Type.String() }, { additionalProperties: true })),
  failure_reason: Type.Optional(Nullable(Type.String())),
  created_at: Timestamp,
  updated_at: Timestamp,
});

async function lockedOrNotFound(scope: Scope, id: string) {
  const order = await lockOrder(scope, id);
  if (!order) throw new NotFoundError('Order not found');
  return order;
}

/** The order as the API shows it, or 404. */
async function orderOrNotFound(scope: Scope, id: string): Promise<Static<typeof Order>> {
  const order = await loadOrder(scope.deps.db, id);
  if (!order) throw new NotFoundError('Order not found');
  return toJson(order);
}

/** `/api/v1/shop/orders`: orders for staff, their status machine, refunds and notes. */
/** What a refund through payments can answer besides the order's own state. */
const refundErrors = [paymentsErrors.not_refundable, paymentsErrors.refund_exceeds_captured, paymentsErrors.provider_unavailable];

export function orderRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/orders',
      summary: 'List orders, newest first (filter by status, customer; `q` matches number or email)',
      permission: permissions['orders.view'],
      schema: { query: OrderQuery, response: Type.Array(OrderSummary) },
      async handler({ query, deps }) {
        const where: string[] = [];
        const values: unknown[] = [];
        if (query.status) where.push(`o.status = $${values.push(query.status)}`);
        if (query.customer_id) where.push(`o.customer_id = $${values.push(query.customer_id)}`);
        if (query.q) where.push(`(o.number ilike $${values.push(likePattern(query.q))} or c.email ilike $${values.length})`);
        const { items, total } = await listPage<OrderSummaryRow>(
          deps.db,
          { select: orderColumns, from: orderFrom, where, orderBy: 'o.placed_at desc, o.id desc', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/orders',
      summary: 'Place an order for a customer from items (prices, tax, shipping and stock computed here); pending until paid',
      errors: [shopErrors.out_of_stock, paymentsErrors.provider_unavailable],
      permission: permissions['orders.manage'],
      schema: { body: NewOrderBody, response: withStatus(Order, 201) },
      async handler({ body, deps, ctx }) {
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        const { orderId } = await createOrder(scope, {
          customer: { email: body.customer.email, name: body.customer.name ?? null },
          items: body.items.map((item) => ({ variantId: item.variant_id, quantity: item.quantity })),
          shippingRate: body.shipping_rate,
          actorId: actingUserId(ctx),
        });
        return Reply.created(await orderOrNotFound(scope, orderId));
      },
    }),
    route({
      method: 'GET',
      path: '/sales',
      summary: "Sales per day of the tenant's zone: orders paid, revenue, refunds and top products, per currency (at most a year)",
      permission: permissions['orders.view'],
      schema: { query: SalesQuery, response: SalesReport },
      async handler({ query, deps, ctx }) {
        const range = salesRange(query, ctx.tenant.timeZone);
        return salesReport(deps.db, range, ctx.tenant.timeZone, ctx.settings.currency ?? ctx.tenant.currency);
      },
    }),
    route({
      method: 'GET',
      path: '/orders/:id',
      summary: 'An order with its lines and history',
      permission: permissions['orders.view'],
      schema: { params: IdParams, response: Type.Composite([Order, Type.Object({ history: Type.Array(HistoryEntry) })]) },
      async handler({ params, deps, ctx }) {
        const order = await orderOrNotFound({ deps, settings: ctx.settings, tenant: ctx.tenant }, params.id);
        const history = await deps.db.query<HistoryRow>(
          'select id, kind, from_status, to_status, note, actor_id, amount, created_at from shop_order_history where order_id = $1 order by created_at, id',
          [params.id],
        );
        return { ...order, history: toJson(history) };
      },
    }),
    route({
      method: 'POST',
      path: '/orders/:id/checkout',
      summary: 'Hand a pending order to payments: its payment intent (the same one when asked again)',
      errors: [shopErrors.invalid_status, paymentsErrors.provider_unavailable],
      permission: permissions['orders.manage'],
      schema: {
        params: IdParams,
        response: Type.Object({ order: Order, payment_intent: Nullable(PaymentIntent, { description: 'null: a free order, paid at once' }) }),
      },
      async handler({ params, deps, ctx }) {
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        const order = await lockedOrNotFound(scope, params.id);
        if (order.status !== 'pending') throw invalidTransition(order.status, 'checked out');
        const intent = await startCheckout(scope, params.id);
        return { order: await orderOrNotFound(scope, params.id), payment_intent: intent };
      },
    }),
    route({
      method: 'POST',
      path: '/orders/:id/fulfil',
      summary: 'Mark a paid order fulfilled',
      errors: [shopErrors.invalid_status],
      permission: permissions['orders.manage'],
      schema: { params: IdParams, body: NoteBody, response: Order },
      async handler({ params, body, deps, ctx }) {
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        await fulfilOrder(scope, await lockedOrNotFound(scope, params.id), actingUserId(ctx), body.note ?? null);
        return orderOrNotFound(scope, params.id);
      },
    }),
    route({
      method: 'POST',
      path: '/orders/:id/cancel',
      summary: 'Cancel a pending order (stock released) or a paid one (refunded in full, stock returned)',
      errors: [shopErrors.invalid_status, ...refundErrors],
      permission: permissions['orders.manage'],
      schema: { params: IdParams, body: NoteBody, response: Order },
      async handler({ params, body, deps, ctx }) {
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        const order = await lockedOrNotFound(scope, params.id);
        if (order.status === 'paid' && !ctx.can(permissions['orders.refund'], { unit: null })) {
          throw new ForbiddenError('Cancelling a paid order refunds it: shop.orders.refund is needed');
        }
        await cancelOrder(scope, order, actingUserId(ctx), body.note ?? null);
        return orderOrNotFound(scope, params.id);
      },
    }),
    route({
      method: 'POST',
      path: '/orders/:id/refunds',
      summary: 'Refund lines (partially, by quantity; optionally restocked) or an amount of a paid or fulfilled order through payments',
      errors: [shopErrors.invalid_status, ...refundErrors],
      permission: permissions['orders.refund'],
      schema: { params: IdParams, body: RefundBody, response: withStatus(Type.Object({ refund_amount: Type.Integer(), order: Order }), 201) },
      async handler({ params, body, deps, ctx }) {
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        const order = await lockedOrNotFound(scope, params.id);
        if ((body.lines === undefined) === (body.amount === undefined)) throw new ValidationError({ lines: ['give either lines or amount'] });
        const { amount } = body.lines
          ? await refundOrder(scope, order, {
              lines: body.lines.map((line) => ({ lineId: line.line_id, quantity: line.quantity })),
              restock: body.restock ?? false,
              reason: body.reason ?? null,
              actorId: actingUserId(ctx),
            })
          : await refundOrderAmount(scope, order, { amount: body.amount!, reason: body.reason ?? null, actorId: actingUserId(ctx) });
        return Reply.created({ refund_amount: amount, order: await orderOrNotFound(scope, params.id) });
      },
    }),
    route({
      method: 'POST',
      path: '/orders/:id/notes',
      summary: "Add a note to an order's history",
      permission: permissions['orders.manage'],
      schema: {
        params: IdParams,
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: withStatus(Type.Object({ order_id: Type.String({ format: 'uuid' }), note: Type.String() }), 201),
      },
      async handler({ params, body, deps, ctx }) {
        await lockedOrNotFound({ deps, settings: ctx.settings, tenant: ctx.tenant }, params.id);
        await recordHistory(deps.db, params.id, { kind: 'note', note: body.note, actorId: actingUserId(ctx) });
        await deps.audit.record({ entity: 'order', verb: 'noted', target: params.id, data: { note: body.note } });
        return Reply.created({ order_id: params.id, note: body.note });
      },
    }),
  ];
}
