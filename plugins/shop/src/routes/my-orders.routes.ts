import { actingUserId, type AnyRoute, NotFoundError, PageQuery, paginate, rawBody, Reply, type RequestContext, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopPermissions as permissions } from '../permissions.js';
import { invoiceReply, loadInvoice } from '../services/invoices.js';
import { MyOrder, myOrder, MyOrderSummary, myOrders } from '../services/my-orders.js';
import { IdParams } from './schemas.js';

/** The signed-in buyer; an API token acting for no user has no orders of its own. */
function buyer(ctx: RequestContext<unknown>): string {
  const userId = actingUserId(ctx);
  if (!userId) throw new NotFoundError('Order not found');
  return userId;
}

/**
 * `/api/v1/shop/my/orders`: a buyer's own orders, receipts and invoices (`shop.orders.own`, which customers hold).
 * Only orders whose customer is the caller: another's is 404, as if it did not exist. Guest orders are linked to
 * the account holding the buyer's email, so a signed-in caller must have verified theirs (`403 email_unverified`).
 */
export function myOrderRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/my/orders',
      summary: "The caller's own orders, newest first",
      permission: permissions['orders.own'],
      // Guest orders join an account by its email: only a proved address may see them.
      verifiedEmail: true,
      schema: { query: PageQuery, response: Type.Array(MyOrderSummary) },
      async handler({ query, deps, ctx }) {
        const userId = actingUserId(ctx);
        if (!userId) return Reply.list([], paginate(query, 0));
        const { items, total } = await myOrders(deps.db, ctx.tenant.slug, userId, query);
        return Reply.list(items, paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/my/orders/:id',
      summary: 'One of the caller’s orders with its lines',
      permission: permissions['orders.own'],
      // Guest orders join an account by its email: only a proved address may see them.
      verifiedEmail: true,
      schema: { params: IdParams, response: MyOrder },
      async handler({ params, deps, ctx }) {
        const order = await myOrder(deps.db, ctx.tenant.slug, buyer(ctx), params.id);
        if (!order) throw new NotFoundError('Order not found');
        return order;
      },
    }),
    route({
      method: 'GET',
      path: '/my/orders/:id/invoice',
      summary: 'The invoice (PDF) of one of the caller’s paid orders',
      permission: permissions['orders.own'],
      // Guest orders join an account by its email: only a proved address may see them.
      verifiedEmail: true,
      schema: { params: IdParams, response: rawBody('application/pdf', 'The invoice') },
      async handler({ params, deps, ctx }) {
        if (!(await myOrder(deps.db, ctx.tenant.slug, buyer(ctx), params.id))) throw new NotFoundError('Order not found');
        return invoiceReply(await loadInvoice(deps, ctx, params.id));
      },
    }),
  ];
}
