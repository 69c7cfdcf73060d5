import { formatMoney, pagePath } from '@plinth/sdk';
import type { Scope } from '../deps.js';
import { queueOrderMail, type OrderMail } from './emails.js';

interface BuyerOrder {
  number: string;
  total: number;
  currency: string;
  public_token: string;
  user_id: string | null;
}

/**
 * Notifies an order's buyer through `template` (see notifications.ts), in the current transaction, once per `key`;
 * the link opens the order's page on the tenant's pages. A buyer without an account (an order never paid) has no
 * inbox and is not notified.
 */
async function notifyBuyer(scope: Scope, orderId: string, template: string, key: string, data: (order: BuyerOrder) => Record<string, string>): Promise<void> {
  const { deps, tenant } = scope;
  const [order] = await deps.db.query<BuyerOrder>(
    'select o.number, o.total, o.currency, o.public_token, c.user_id from shop_orders o join shop_customers c on c.id = o.customer_id where o.id = $1',
    [orderId],
  );
  if (!order?.user_id) return;
  await deps.notify.send({
    to: { userId: order.user_id },
    template,
    data: { number: order.number, shop: tenant.name, ...data(order) },
    link: pagePath(tenant.slug, `/orders/${order.public_token}`),
    key,
  });
}

/** Tells the buyer their order is paid (in-app: the receipt mail carries the invoice). */
export async function notifyPaid(scope: Scope, orderId: string): Promise<void> {
  await notifyBuyer(scope, orderId, 'shop.order-paid', `paid:${orderId}`, (order) => ({
    total: formatMoney(order.total, order.currency, scope.tenant.locale),
  }));
}

/** Tells the buyer their order has shipped (fulfilled). */
export async function notifyShipped(scope: Scope, orderId: string): Promise<void> {
  await notifyBuyer(scope, orderId, 'shop.order-shipped', `shipped:${orderId}`, () => ({}));
}

/** Announces a refund to the buyer: the refund mail (queued, listing what was refunded) and an in-app notification, each once per refund. */
export async function announceRefund(scope: Scope, mail: Extract<OrderMail, { kind: 'refund' }>): Promise<void> {
  await queueOrderMail(scope.deps, mail);
  await notifyBuyer(scope, mail.orderId, 'shop.order-refunded', `refund:${mail.refundId}`, (order) => ({
    amount: formatMoney(mail.amount, order.currency, scope.tenant.locale),
  }));
}
