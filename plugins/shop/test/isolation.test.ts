import type { TestKernel, TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel, stockOf, storeApi } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
const ids: Record<string, string> = {};
let cartToken: string;
beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  a = kit.owners[0]!;
  b = kit.owners[1]!;
  const asA = shopApi(t, a!);
  const product = await createProduct(t, a!, { price: 4200, stock: 5, sku: 'SHARED-SKU', name: 'Only in A' });
  ids.product = product.productId;
  ids.variant = product.variantId;
  ids.category = (await asA('POST', '/categories', { name: 'A things', slug: 'a-things' })).body.data.id;
  const order = (await asA('POST', '/orders', { customer: { email: 'a-buyer@example.test' }, items: [{ variant_id: ids.variant, quantity: 1 }] })).body.data;
  ids.order = order.id;
  ids.line = order.lines[0].id;
  ids.customer = order.customer.id;
  const intent = (await asA('POST', `/orders/${order.id}/checkout`)).body.data.payment_intent.id;
  await t.request('POST', `/api/v1/payments/intents/${intent}/confirm`, { headers: a!.headers, body: { payment_method: GOOD_CARD } });
  await eventually(async () => {
    await t.drainJobs();
    await t.drainEvents();
    return (await asA('GET', `/orders/${order.id}`)).body.data.status === 'paid';
  });
  const store = storeApi(t, a!.tenant!.slug);
  cartToken = (await store('POST', '/carts')).body.data.token;
  await store('POST', `/carts/${cartToken}/lines`, { variant_id: ids.variant, quantity: 1 });
});
afterAll(() => t?.close());

describe("tenant B cannot see, change, count or guess tenant A's shop", () => {
  it('lists and counts nothing of A', async () => {
    const asB = shopApi(t, b);
    for (const path of ['/products', '/products?q=Only', '/categories', '/orders', '/customers', '/orders?q=a-buyer']) {
      const response = await asB('GET', path);
      expect(response.status, path).toBe(200);
      expect(response.body.data, path).toEqual([]);
      expect(response.body.meta.pagination.total, path).toBe(0);
    }
    expect((await storeApi(t, b.tenant!.slug)('GET', '/products')).body.meta.pagination.total).toBe(0);
  });

  it("answers 404 for every route given A's ids, and changes nothing", async () => {
    const asB = shopApi(t, b);
    const attempts: [string, string, unknown?][] = [
      ['GET', `/products/${ids.product}`],
      ['PATCH', `/products/${ids.product}`, { name: 'hijacked' }],
      ['DELETE', `/products/${ids.product}`],
      ['POST', `/products/${ids.product}/variants`, { sku: 'B-1', price: 1 }],
      ['GET', `/variants/${ids.variant}`],
      ['PATCH', `/variants/${ids.variant}`, { price: 1 }],
      ['DELETE', `/variants/${ids.variant}`],
      ['POST', `/variants/${ids.variant}/stock`, { delta: 100 }],
      ['GET', `/variants/${ids.variant}/movements`],
      ['GET', `/categories/${ids.category}`],
      ['PATCH', `/categories/${ids.category}`, { name: 'x' }],
      ['DELETE', `/categories/${ids.category}`],
      ['GET', `/orders/${ids.order}`],
      ['POST', `/orders/${ids.order}/checkout`],
      ['POST', `/orders/${ids.order}/fulfil`, {}],
      ['POST', `/orders/${ids.order}/cancel`, {}],
      ['POST', `/orders/${ids.order}/refunds`, { lines: [{ line_id: ids.line, quantity: 1 }] }],
      ['POST', `/orders/${ids.order}/notes`, { note: 'x' }],
      ['GET', `/orders/${ids.order}/invoice`],
      ['GET', `/customers/${ids.customer}`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await asB(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const order = (await shopApi(t, a)('GET', `/orders/${ids.order}`)).body.data;
    expect(order).toMatchObject({ status: 'paid', refunded_amount: 0 });
    expect(order.history.filter((entry: { kind: string }) => entry.kind === 'note')).toEqual([]);
    expect((await shopApi(t, a)('GET', `/products/${ids.product}`)).body.data).toMatchObject({ name: 'Only in A', variants: [{ price: 4200 }] });
    expect(await stockOf(t, a, ids.variant!)).toBe(4);
  });

  it("cannot price, order or cart A's variants, nor use A's category", async () => {
    const asB = shopApi(t, b);
    const ordered = await asB('POST', '/orders', { customer: { email: 'b@example.test' }, items: [{ variant_id: ids.variant, quantity: 1 }] });
    expect(ordered.status).toBe(422);
    expect(ordered.body.errors).toHaveProperty(['items.0.variant_id']);
    expect((await asB('POST', '/products', { name: 'B', category_id: ids.category })).status).toBe(422);
    expect((await asB('POST', '/categories', { name: 'B', parent_id: ids.category })).status).toBe(422);
    // The same SKU and slug are free in B: uniqueness is per tenant.
    expect((await asB('POST', '/products', { name: 'Only in A', variants: [{ sku: 'SHARED-SKU', price: 1 }] })).status).toBe(201);

    const storeB = storeApi(t, b.tenant!.slug);
    const cartB = (await storeB('POST', '/carts')).body.data.token;
    expect((await storeB('POST', `/carts/${cartB}/lines`, { variant_id: ids.variant, quantity: 1 })).status).toBe(422);
    expect((await storeB('GET', `/products/${(await shopApi(t, a)('GET', `/products/${ids.product}`)).body.data.slug}`)).status).toBe(404);
  });

  it("cannot open, change or check out A's cart through B's storefront", async () => {
    const storeB = storeApi(t, b.tenant!.slug);
    expect((await storeB('GET', `/carts/${cartToken}`)).status).toBe(404);
    expect((await storeB('POST', `/carts/${cartToken}/lines`, { variant_id: ids.variant, quantity: 1 })).status).toBe(404);
    expect((await storeB('POST', `/carts/${cartToken}/checkout`, { customer: { email: 'thief@example.test' } })).status).toBe(404);
    expect((await storeB('GET', `/carts/${cartToken}/order`)).status).toBe(404);
    const cart = (await storeApi(t, a.tenant!.slug)('GET', `/carts/${cartToken}`)).body.data;
    expect(cart).toMatchObject({ status: 'open', lines: [{ quantity: 1 }] });
  });
});
