import type { TestKernel, TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel, storeApi } from './helpers.js';
import { shopFriendPlugin } from './fixtures/shop-friend-plugin.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
const friend = (user: TestUser) => (method: string, path: string, body?: unknown) =>
  t.request(method, `/api/v1/shop-friend${path}`, { headers: user.headers, body });
beforeAll(async () => {
  const kit = await shopKernel(2, [shopFriendPlugin]);
  t = kit.t;
  owner = kit.owners[0]!;
  other = kit.owners[1]!;
  await t.enable(owner!, 'shop-friend');
  await t.enable(other!, 'shop-friend');
});
afterAll(() => t?.close());

const wooProduct = {
  source: 'woocommerce',
  externalId: '17',
  name: 'Woo Hoodie',
  status: 'active',
  images: ['https://shop.example.test/hoodie.png'],
  variants: [{ externalId: '17-1', sku: 'WOO-HOODIE-M', name: 'M', price: 4500, stock: 7 }],
};

describe('shopSyncRef (for connectors)', () => {
  it('upserts products idempotently by source and external id', async () => {
    const first = await friend(owner)('POST', '/products', wooProduct);
    expect(first.body.data).toEqual({ productId: expect.any(String), created: true });
    const [before] = await t.sql<{ updated_at: Date }>('select updated_at from shop_products where id = $1', [first.body.data.productId]);
    const again = await friend(owner)('POST', '/products', wooProduct);
    expect(again.body.data).toEqual({ productId: first.body.data.productId, created: false });
    const [after] = await t.sql<{ updated_at: Date }>('select updated_at from shop_products where id = $1', [first.body.data.productId]);
    expect(after!.updated_at).toEqual(before!.updated_at);
    await friend(owner)('POST', '/products', { ...wooProduct, name: 'Woo Hoodie 2', variants: [{ ...wooProduct.variants[0], price: 5000, stock: null }] });
    const product = (await shopApi(t, owner)('GET', `/products/${first.body.data.productId}`)).body.data;
    expect(product).toMatchObject({
      name: 'Woo Hoodie 2',
      source: 'woocommerce',
      external_id: '17',
      variants: [{ sku: 'WOO-HOODIE-M', price: 5000, stock: 7 }],
    });
    // Another tenant's sync of the same external id is its own product.
    expect((await friend(other)('POST', '/products', wooProduct)).body.data.created).toBe(true);
  });

  it('upserts orders idempotently, taking no stock and following status changes', async () => {
    const order = {
      source: 'woocommerce',
      externalId: '900',
      status: 'paid',
      currency: 'usd',
      customer: { email: 'woo@example.test', name: 'Woo' },
      lines: [{ sku: 'WOO-HOODIE-M', name: 'Hoodie', quantity: 2, unitPrice: 5000 }],
      total: 10_000,
      placedAt: '2026-01-02T03:04:05Z',
    };
    const first = await friend(owner)('POST', '/orders', order);
    expect(first.body.data).toEqual({ orderId: expect.any(String), created: true });
    expect((await friend(owner)('POST', '/orders', order)).body.data).toEqual({ orderId: first.body.data.orderId, created: false });
    await friend(owner)('POST', '/orders', { ...order, status: 'fulfilled' });
    const stored = (await shopApi(t, owner)('GET', `/orders/${first.body.data.orderId}`)).body.data;
    expect(stored).toMatchObject({
      status: 'fulfilled',
      currency: 'USD',
      total: 10_000,
      source: 'woocommerce',
      external_id: '900',
      lines: [{ sku: 'WOO-HOODIE-M', quantity: 2 }],
    });
    expect(stored.history.map((entry: { to_status: string }) => entry.to_status)).toEqual(['paid', 'fulfilled']);
    const variant = (await shopApi(t, owner)('GET', '/products?q=WOO-HOODIE')).body.data[0].variants[0];
    expect(variant.stock).toBe(7);
  });
});

describe('the shop.cart.discounts waterfall', () => {
  it('applies discounts other plugins tap, clamps them to the subtotal, and charges the discounted total', async () => {
    const promo = await createProduct(t, owner, { price: 2000, stock: 5, sku: 'PROMO-BOOK' });
    const store = storeApi(t, owner.tenant!.slug);
    const token = (await store('POST', '/carts')).body.data.token;
    await store('POST', `/carts/${token}/lines`, { variant_id: promo.variantId, quantity: 2 });
    expect((await store('GET', `/carts/${token}`)).body.data).toMatchObject({
      subtotal: 4000,
      discounts: [{ code: 'PROMO10', amount: 400 }],
      discount: 400,
      total: 3600,
    });
    const checkout = (await store('POST', `/carts/${token}/checkout`, { customer: { email: 'promo@example.test' } })).body.data;
    expect(checkout.order).toMatchObject({ discount: 400, total: 3600 });
    expect(checkout.payment_intent.amount).toBe(3600);

    const greedy = await createProduct(t, owner, { price: 1500, stock: 5, sku: 'GREEDY-1' });
    const greedyCart = (await store('POST', '/carts')).body.data.token;
    await store('POST', `/carts/${greedyCart}/lines`, { variant_id: greedy.variantId, quantity: 1 });
    expect((await store('GET', `/carts/${greedyCart}`)).body.data).toMatchObject({ subtotal: 1500, discount: 1500, total: 0 });
    // A free order is paid at once, with no intent.
    const free = (await store('POST', `/carts/${greedyCart}/checkout`, { customer: { email: 'free@example.test' } })).body.data;
    expect(free.payment_intent).toBeNull();
    expect(free.order.status).toBe('paid');
  });

  it('delivers shop.order.paid to other plugins with each line’s product metadata', async () => {
    const course = await createProduct(t, owner, { price: 9900, stock: 100, metadata: { lms_course_id: 'lms-7' } });
    const placed = (
      await shopApi(t, owner)('POST', '/orders', { customer: { email: 'learner@example.test' }, items: [{ variant_id: course.variantId, quantity: 1 }] })
    ).body.data;
    const intent = (await shopApi(t, owner)('POST', `/orders/${placed.id}/checkout`)).body.data.payment_intent.id;
    await t.request('POST', `/api/v1/payments/intents/${intent}/confirm`, { headers: owner.headers, body: { payment_method: GOOD_CARD } });
    const received = await eventually(async () => {
      await t.drainJobs();
      await t.drainEvents();
      const rows = await t.sql<{ payload: { orderId: string; lines: { metadata: unknown }[] } }>('select payload from shop_friend_paid where tenant_id = $1', [
        owner.tenant!.id,
      ]);
      return rows.find((row) => row.payload.orderId === placed.id);
    });
    expect(received.payload.lines[0]!.metadata).toEqual({ lms_course_id: 'lms-7' });
  });
});
