import type { TestKernel, TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPaidOrder, mailsTo, redeem, signInLinks } from './after-purchase-helpers.js';
import { createProduct, shopApi, shopKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let otherOwner: TestUser;
let slug: string;

/** A buyer signed in through the "All your orders" link of their receipt. */
interface Buyer {
  email: string;
  userId: string;
  headers: Record<string, string>;
  orderId: string;
}
let alice: Buyer;
let bob: Buyer;

async function buyer(name: string, tenantOwner: TestUser, price: number): Promise<Buyer> {
  const email = `${name}-${process.pid}@example.test`;
  const product = await createProduct(t, tenantOwner, { price, name: `${name}'s thing` });
  const orderId = await guestPaidOrder(t, tenantOwner, { email, name }, [{ variant_id: product.variantId, quantity: 1 }]);
  const [receipt] = await mailsTo(t, email, 'receipt');
  const signedIn = await redeem(t, signInLinks(receipt!).get('All your orders')!, tenantOwner.tenant!.slug);
  return { email, orderId, ...signedIn };
}

beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [owner, otherOwner] = kit.owners as [TestUser, TestUser];
  slug = owner.tenant!.slug;
  alice = await buyer('alice', owner, 1100);
  bob = await buyer('bob', owner, 2200);
});
afterAll(() => t?.close());

const my = (who: { headers: Record<string, string> }) => (path: string) => t.request('GET', `/api/v1/shop/my${path}`, { headers: who.headers });

describe('my orders (shop.orders.own)', () => {
  it('lists only the caller’s own orders, with lines and the receipt page', async () => {
    const list = await my(alice)('/orders');
    expect(list.status).toBe(200);
    expect(list.body.data.map((order: { id: string }) => order.id)).toEqual([alice.orderId]);
    const [{ public_token: token }] = (await t.sql<{ public_token: string }>('select public_token from shop_orders where id = $1', [alice.orderId])) as [
      { public_token: string },
    ];
    expect(list.body.data[0]).toMatchObject({ status: 'paid', total: 1100, currency: 'USD', receipt_path: `/c/${slug}/orders/${token}` });

    const one = await my(alice)(`/orders/${alice.orderId}`);
    expect(one.status).toBe(200);
    expect(one.body.data.lines).toMatchObject([{ name: "alice's thing", quantity: 1, unit_price: 1100 }]);

    const invoice = await my(alice)(`/orders/${alice.orderId}/invoice`);
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-type')).toBe('application/pdf');
    expect(String(invoice.body).startsWith('%PDF-')).toBe(true);
  });

  it('another buyer’s order is 404 (order and invoice), as if it did not exist', async () => {
    expect((await my(alice)(`/orders/${bob.orderId}`)).status).toBe(404);
    expect((await my(alice)(`/orders/${bob.orderId}/invoice`)).status).toBe(404);
    expect((await my(bob)(`/orders/${alice.orderId}`)).status).toBe(404);
    expect((await my(alice)('/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('customers reach no staff route of the shop (403)', async () => {
    const api = shopApi(t, alice);
    expect((await api('GET', '/orders')).status).toBe(403);
    expect((await api('GET', `/orders/${alice.orderId}`)).status).toBe(403);
    expect((await api('GET', `/orders/${alice.orderId}/invoice`)).status).toBe(403);
    expect((await api('GET', '/customers')).status).toBe(403);
    expect((await api('POST', `/orders/${alice.orderId}/refunds`, { lines: [] })).status).toBe(403);
  });

  it('bad input is a clear 422', async () => {
    expect((await my(alice)('/orders/not-a-uuid')).status).toBe(422);
    expect((await my(alice)('/orders?per_page=0')).status).toBe(422);
    expect((await my(alice)('/orders/not-a-uuid/invoice')).status).toBe(422);
  });

  it('is tenant-isolated: another tenant sees none of it, and a customer is nobody there', async () => {
    expect((await my(otherOwner)('/orders')).body.data).toEqual([]);
    expect((await my(otherOwner)(`/orders/${alice.orderId}`)).status).toBe(404);
    expect((await my(otherOwner)(`/orders/${alice.orderId}/invoice`)).status).toBe(404);
    const elsewhere = { headers: { ...alice.headers, 'x-tenant': otherOwner.tenant!.slug } };
    expect([403, 404]).toContain((await my(elsewhere)('/orders')).status);
  });
});

describe('the "my orders" page', () => {
  it('sends a visitor who is not signed in to sign in, coming back here', async () => {
    const response = await fetch(`${t.url}/c/${slug}/orders`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!, t.url);
    expect(location.pathname).toBe(`/c/${slug}/account/sign-in`);
    expect(location.searchParams.get('next')).toBe(`/c/${slug}/orders`);
  });

  it('lists the signed-in buyer’s orders with links to their receipts (page session cookie)', async () => {
    const email = `carol-${process.pid}@example.test`;
    const product = await createProduct(t, owner, { price: 3300, name: 'Carol thing' });
    const orderId = await guestPaidOrder(t, owner, { email }, [{ variant_id: product.variantId, quantity: 1 }]);
    const [receipt] = await mailsTo(t, email, 'receipt');
    const link = signInLinks(receipt!).get('All your orders')!;
    const signIn = await fetch(`${t.url}${link.pathname}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
      body: new URLSearchParams({ token: link.searchParams.get('token')! }).toString(),
    });
    expect(signIn.status).toBe(303);
    expect(new URL(signIn.headers.get('location')!, t.url).pathname).toBe(`/c/${slug}/orders`);
    const cookie = signIn.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');

    const page = await fetch(`${t.url}/c/${slug}/orders`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
    const body = await page.text();
    const [{ number, public_token: token }] = (await t.sql<{ number: string; public_token: string }>(
      'select number, public_token from shop_orders where id = $1',
      [orderId],
    )) as [{ number: string; public_token: string }];
    expect(body).toContain(`Order ${number}`);
    expect(body).toContain(`href="/c/${slug}/orders/${token}"`);
    expect(body).toContain('$33.00');
    const [{ number: aliceNumber }] = (await t.sql<{ number: string }>('select number from shop_orders where id = $1', [alice.orderId])) as [
      { number: string },
    ];
    expect(body).not.toContain(`Order ${aliceNumber}<`);
  });
});
