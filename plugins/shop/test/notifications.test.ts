import { addMember, failFirstEvent, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPaidOrder, mailsTo } from './after-purchase-helpers.js';
import { createProduct, eventually, shopApi, shopKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let slug: string;

beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [owner, other] = kit.owners as [TestUser, TestUser];
  slug = owner.tenant!.slug;
});
afterAll(() => t?.close());

interface InboxItem {
  id: string;
  category: string;
  title: string;
  body: string;
  url: string | null;
  read_at: string | null;
}

/** The signed-in person's inbox in the tenant their headers name, newest first. */
async function inbox(user: { headers: Record<string, string> }): Promise<InboxItem[]> {
  const response = await t.request('GET', '/api/v1/notifications?per_page=100', { headers: user.headers });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
}

/** The items of an inbox whose title starts with `title`. */
async function titled(user: { headers: Record<string, string> }, title: string): Promise<InboxItem[]> {
  return (await inbox(user)).filter((item) => item.title.startsWith(title));
}

describe('the buyer hears of their order', () => {
  it('paid, shipped and refunded: once each in the inbox, linking to the order; shipped also by mail, the others only by the shop’s own mail', async () => {
    const buyer = await t.customer(owner);
    const product = await createProduct(t, owner, { price: 2500, stock: 40, name: 'Lamp' });
    // The payment's handler fails once after notifying: its retry must not notify a second time.
    const tries = await failFirstEvent(t, owner.tenant!.id, 'shop.order.paid');
    const orderId = await guestPaidOrder(t, owner, { email: buyer.email, name: 'Bea Buyer' }, [{ variant_id: product.variantId, quantity: 2 }]);
    expect(await tries()).toBe(2);
    const api = shopApi(t, owner);
    const order = (await api('GET', `/orders/${orderId}`)).body.data;
    expect(order.customer.user_id).toBe(buyer.id);
    const [{ public_token: token }] = (await t.sql<{ public_token: string }>('select public_token from shop_orders where id = $1', [orderId])) as [
      { public_token: string },
    ];
    const orderPage = `/c/${slug}/orders/${token}`;

    const [paid, ...morePaid] = await eventually(async () => {
      const items = await titled(buyer, `Order ${order.number} is paid`);
      return items.length > 0 && items;
    });
    expect(morePaid).toEqual([]);
    expect(paid).toMatchObject({ category: 'shop.orders', url: orderPage, read_at: null });
    expect(paid!.body).toContain('$50.00');

    expect((await api('POST', `/orders/${orderId}/fulfil`, {})).status).toBe(200);
    await t.drainJobs();
    const [shipped] = await eventually(async () => {
      const items = await titled(buyer, `Order ${order.number} has shipped`);
      return items.length > 0 && items;
    });
    expect(shipped).toMatchObject({ category: 'shop.shipping', url: orderPage });
    // Shipping is not mailed by the shop itself: the notification's mail is the buyer's only one.
    const shippedMails = await eventually(async () => {
      await t.drainJobs();
      const mails = await mailsTo(t, buyer.email, `Order ${order.number} has shipped`);
      return mails.length > 0 && mails;
    });
    expect(shippedMails).toHaveLength(1);

    const refunded = await api('POST', `/orders/${orderId}/refunds`, { amount: 1000, reason: 'scratched' });
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(201);
    await t.drainJobs();
    await t.drainEvents();
    const [refund] = await eventually(async () => {
      const items = await titled(buyer, `Refund for order ${order.number}`);
      return items.length > 0 && items;
    });
    expect(refund).toMatchObject({ category: 'shop.orders', url: orderPage });
    expect(refund!.body).toContain('$10.00');

    // A refund made in payments directly is announced too.
    const direct = await t.request('POST', '/api/v1/payments/refunds', { headers: owner.headers, body: { intent_id: order.payment_intent_id, amount: 500 } });
    expect(direct.status, JSON.stringify(direct.body)).toBe(201);
    await eventually(async () => {
      await t.drainEvents();
      await t.drainJobs();
      return (await titled(buyer, `Refund for order ${order.number}`)).length === 2;
    });
    expect((await api('POST', `/orders/${orderId}/fulfil`, {})).status).toBe(409);
    await t.drainJobs();

    const refunds = await titled(buyer, `Refund for order ${order.number}`);
    expect(refunds.map((item) => item.body.match(/\$\d+\.\d\d/)?.[0]).sort()).toEqual(['$10.00', '$5.00'].sort());
    expect(await titled(buyer, `Order ${order.number} is paid`)).toHaveLength(1);
    expect(await titled(buyer, `Order ${order.number} has shipped`)).toHaveLength(1);
    // One mail per event: the receipt (with the invoice), the shipping notice, one refund mail per refund.
    expect(await mailsTo(t, buyer.email, 'Your receipt for order')).toHaveLength(1);
    expect(await mailsTo(t, buyer.email, `is paid`)).toHaveLength(0);
    expect(await mailsTo(t, buyer.email, `Order ${order.number} has shipped`)).toHaveLength(1);
    expect(await mailsTo(t, buyer.email, `Refund for order ${order.number}`)).toHaveLength(2);

    // Nobody else hears of the buyer's order: not the staff, not another tenant.
    expect((await inbox(owner)).filter((item) => item.title.includes(order.number))).toEqual([]);
    expect((await inbox(other)).filter((item) => item.title.includes(order.number))).toEqual([]);
    const elsewhere = await t.request('GET', '/api/v1/notifications', { headers: { ...buyer.headers, 'x-tenant': other.tenant!.slug } });
    expect([403, 404]).toContain(elsewhere.status);
    expect((await t.request('POST', `/api/v1/notifications/${paid!.id}/read`, { headers: other.headers })).status).toBe(404);
  });
});

describe('low stock', () => {
  it('reaches the staff who manage products, not others, once per crossing of the threshold', async () => {
    const admin = await addMember(t, owner, ['admin']);
    const member = await addMember(t, owner, ['member']);
    const product = await createProduct(t, owner, { stock: 8, name: 'Kettle' });
    const api = shopApi(t, owner);
    const adjust = async (delta: number) => {
      const response = await api('POST', `/variants/${product.variantId}/stock`, { delta });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.data.stock as number;
    };
    const lowFor = (user: TestUser) => titled(user, `Low stock: ${product.sku}`);

    expect(await adjust(-2)).toBe(6);
    expect(await adjust(-1)).toBe(5); // at the default threshold (5): low
    expect(await adjust(-3)).toBe(2); // still low: no second notice
    const [notice, ...more] = await eventually(async () => {
      const items = await lowFor(admin);
      return items.length > 0 && items;
    });
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ category: 'shop.stock', url: `/t/${slug}/p/shop/products/${product.productId}` });
    expect(notice!.body).toBe(`Kettle (${product.sku}) is down to 5 in stock; the low-stock threshold is 5.`);
    expect(await lowFor(owner)).toHaveLength(1);
    expect(await lowFor(member)).toEqual([]);

    // Restocked above the threshold, then sold down again (a buyer's checkout reserving the units): a new crossing.
    expect(await adjust(10)).toBe(12);
    const buyer = await t.customer(owner);
    const placed = await api('POST', '/orders', { customer: { email: buyer.email }, items: [{ variant_id: product.variantId, quantity: 9 }] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    await eventually(async () => (await lowFor(admin)).length === 2);
    expect((await lowFor(admin)).map((item) => item.body)).toContain(`Kettle (${product.sku}) is down to 3 in stock; the low-stock threshold is 5.`);
    expect(await lowFor(owner)).toHaveLength(2);
    expect(await lowFor(member)).toEqual([]);
    expect(await lowFor(buyer)).toEqual([]);
    expect((await inbox(other)).filter((item) => item.title.includes(product.sku))).toEqual([]);
  });
});
