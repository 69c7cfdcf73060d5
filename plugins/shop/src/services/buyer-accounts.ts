import type { Scope } from '../deps.js';

/**
 * Gives the buyer of an order being paid an account, in the payment's transaction (before `shop.order.paid`, so
 * its payload names the user): a guest buyer's email becomes a customer of the tenant through core's
 * `customers.ensure` (a staff member's email stays staff), and the order's customer row is linked to that user.
 * A customer already linked (a signed-in buyer, a returning one) keeps their user. The customer row is locked
 * first: two orders of the same new buyer paid at once link the same user, once. Returns the user id.
 */
export async function linkBuyerAccount(scope: Scope, orderId: string): Promise<string> {
  const { deps } = scope;
  const [customer] = await deps.db.query<{ id: string; email: string; name: string | null; user_id: string | null }>(
    `select c.id, c.email, c.name, c.user_id from shop_customers c join shop_orders o on o.customer_id = c.id where o.id = $1 for update of c`,
    [orderId],
  );
  if (!customer) throw new Error(`order ${orderId} has no customer`);
  if (customer.user_id) return customer.user_id;
  const account = await deps.customers.ensure({ email: customer.email, name: customer.name });
  await deps.db.query('update shop_customers set user_id = $2, updated_at = now() where id = $1', [customer.id, account.userId]);
  return account.userId;
}
