import { pdfText, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../src/index.js';
import { createProduct, eventsNamed, eventually, GOOD_CARD, queuedExpiries, shopApi, shopKernel, shopTenant, stockOf, storeApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  const kit = await shopKernel(1);
  t = kit.t;
  owner = kit.owners[0]!;
  const settings = await t.request('PUT', '/api/v1/plugins/shop/settings', {
    headers: owner!.headers,
    body: {
      tax_rate_bps: 2000,
      shipping_rates: [
        { code: 'standard', name: 'Standard', amount: 500, free_over: 10_000 },
        { code: 'express', name: 'Express', amount: 1500 },
      ],
    },
  });
  expect(settings.status).toBe(200);
});
afterAll(() => t?.close());

const shopKernelTenant = (settings: Record<string, unknown>) => shopTenant(t, settings);

async function cartWith(slug: string, lines: { variant_id: string; quantity: number }[]): Promise<string> {
  const store = storeApi(t, slug);
  const cart = await store('POST', '/carts');
  expect(cart.status).toBe(201);
  for (const line of lines) expect((await store('POST', `/carts/${cart.body.data.token}/lines`, line)).status).toBe(201);
  return cart.body.data.token;
}

describe('cart → checkout → test-gateway payment → webhook → order paid', () => {
  it('runs the whole flow: stock reserved then sold, invoice issued, shop.order.paid with product metadata', async () => {
    const course = await createProduct(t, owner, { price: 2500, stock: 3, metadata: { lms_course_id: 'course-42' } });
    const slug = owner.tenant!.slug;
    const token = await cartWith(slug, [{ variant_id: course.variantId, quantity: 2 }]);

    const cart = (await storeApi(t, slug)('GET', `/carts/${token}`)).body.data;
    expect(cart).toMatchObject({ subtotal: 5000, discount: 0, shipping_rate: 'standard', shipping: 500, tax: 1000, total: 6500, currency: 'USD' });

    const checkout = await storeApi(t, slug)('POST', `/carts/${token}/checkout`, {
      customer: { email: 'Buyer@Example.test', name: 'Bea Buyer' },
      shipping_rate: 'express',
    });
    expect(checkout.status).toBe(201);
    const { order, payment_intent: intent } = checkout.body.data;
    expect(order).toMatchObject({ status: 'pending', subtotal: 5000, shipping: 1500, tax: 1000, total: 7500, customer: { email: 'buyer@example.test' } });
    expect(intent).toMatchObject({ status: 'requires_payment_method', amount: 7500, currency: 'USD', provider: 'test' });
    expect(await stockOf(t, owner, course.variantId)).toBe(1);
    await eventually(async () => (await queuedExpiries(t, order.id)) === 1);

    // The buyer pays with the test gateway; it answers `processing` and delivers a signed webhook asynchronously.
    const confirmed = await t.request('POST', `/api/v1/payments/intents/${intent.id}/confirm`, { headers: owner.headers, body: { payment_method: GOOD_CARD } });
    expect(confirmed.status).toBe(200);
    await eventually(async () => {
      await t.drainJobs();
      await t.drainEvents();
      return (await shopApi(t, owner)('GET', `/orders/${order.id}`)).body.data.status === 'paid';
    });

    const paid = (await shopApi(t, owner)('GET', `/orders/${order.id}`)).body.data;
    expect(paid).toMatchObject({ status: 'paid', payment_intent_id: intent.id, invoice_number: 'INV-000001', reservation: 'committed' });
    expect(paid.history.map((entry: { to_status: string | null }) => entry.to_status).filter(Boolean)).toEqual(['pending', 'paid']);
    // Paying cancelled the order's expiry job.
    await eventually(async () => (await queuedExpiries(t, order.id)) === 0);

    expect(await stockOf(t, owner, course.variantId)).toBe(1);
    const ledger = (await shopApi(t, owner)('GET', `/variants/${course.variantId}/movements`)).body.data;
    expect(ledger.map((movement: { reason: string; quantity: number }) => [movement.reason, movement.quantity]).sort()).toEqual(
      [
        ['restocked', 3],
        ['reserved', -2],
        ['unreserved', 2],
        ['sold', -2],
      ].sort(),
    );

    const [paidEvent] = await eventsNamed<OrderEvent>(t, owner.tenant!.id, 'shop.order.paid');
    expect(paidEvent).toMatchObject({
      orderId: order.id,
      total: 7500,
      currency: 'USD',
      customer: { email: 'buyer@example.test', name: 'Bea Buyer' },
      lines: [
        {
          productId: course.productId,
          variantId: course.variantId,
          sku: course.sku,
          quantity: 2,
          unitPrice: 2500,
          total: 5000,
          metadata: { lms_course_id: 'course-42' },
        },
      ],
    });

    // The buyer follows their order through the cart token; a redelivered payment event changes nothing.
    expect((await storeApi(t, slug)('GET', `/carts/${token}/order`)).body.data.status).toBe('paid');
    // payments announcing the same success twice (a second webhook for it): the order is paid once, announced once.
    await t.sql(
      `insert into plinth_events (tenant_id, name, payload, emitted_by, enqueued_at)
         select tenant_id, name, payload, emitted_by, now() from plinth_events where tenant_id = $1 and name = 'payments.payment.succeeded'`,
      [owner.tenant!.id],
    );
    expect((await t.drainEvents()).failed).toBe(0);
    expect(await eventsNamed(t, owner.tenant!.id, 'shop.order.paid')).toHaveLength(1);

    const invoice = await fetch(`${t.url}/api/v1/shop/orders/${order.id}/invoice`, { headers: owner.headers });
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(Buffer.from(await invoice.arrayBuffer()));
    expect(text).toContain('Invoice INV-000001');
    expect(text).toContain('$75.00');
  });

  it('sells the last unit to exactly one of two concurrent checkouts; the other gets 409 out_of_stock and holds nothing', async () => {
    const last = await createProduct(t, owner, { price: 900, stock: 1 });
    const slug = owner.tenant!.slug;
    const [first, second] = await Promise.all([
      cartWith(slug, [{ variant_id: last.variantId, quantity: 1 }]),
      cartWith(slug, [{ variant_id: last.variantId, quantity: 1 }]),
    ]);
    const results = await Promise.all(
      [first, second].map((token, index) => storeApi(t, slug)('POST', `/carts/${token}/checkout`, { customer: { email: `racer-${index}@example.test` } })),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 409]);
    const loser = results.find((result) => result.status === 409)!;
    expect(loser.body).toMatchObject({ success: false, code: 'out_of_stock' });
    expect(await stockOf(t, owner, last.variantId)).toBe(0);
    const [{ count }] = (await t.sql<{ count: number }>('select count(*)::int as count from shop_order_lines where variant_id = $1', [last.variantId])) as [
      { count: number },
    ];
    expect(count).toBe(1);
    // The losing cart is still open: the buyer can try again once stock returns.
    const losingToken = results[0]!.status === 409 ? first : second;
    expect((await storeApi(t, slug)('GET', `/carts/${losingToken}`)).body.data.status).toBe('open');
  });

  it('refuses bad cart input: negative or zero quantity, unknown variant, a price sent by the client, a draft product, too many', async () => {
    const product = await createProduct(t, owner, { price: 1000, stock: 5 });
    const draft = await createProduct(t, owner, { status: 'draft' });
    const store = storeApi(t, owner.tenant!.slug);
    const token = (await store('POST', '/carts')).body.data.token;
    const cases: [unknown, number, string][] = [
      [{ variant_id: product.variantId, quantity: -1 }, 422, 'quantity'],
      [{ variant_id: product.variantId, quantity: 0 }, 422, 'quantity'],
      [{ variant_id: product.variantId, quantity: 1.5 }, 422, 'quantity'],
      [{ variant_id: product.variantId, quantity: 1, price: 1 }, 422, 'price'],
      [{ variant_id: product.variantId, quantity: 1, unit_price: 1 }, 422, 'unit_price'],
      [{ variant_id: '00000000-0000-4000-8000-000000000000', quantity: 1 }, 422, 'variant_id'],
      [{ variant_id: 'not-a-uuid', quantity: 1 }, 422, 'variant_id'],
      [{ variant_id: draft.variantId, quantity: 1 }, 422, 'variant_id'],
    ];
    for (const [body, status, field] of cases) {
      const response = await store('POST', `/carts/${token}/lines`, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.code).toBe('validation_failed');
      expect(Object.keys(response.body.errors), JSON.stringify(body)).toContain(field);
    }
    const tooMany = await store('POST', `/carts/${token}/lines`, { variant_id: product.variantId, quantity: 6 });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe('out_of_stock');
    expect((await store('GET', `/carts/${token}`)).body.data.lines).toEqual([]);

    expect((await store('POST', `/carts/${token}/checkout`, { customer: { email: 'a@example.test' } })).status).toBe(422);
    expect((await store('POST', `/carts/${token}/lines`, { variant_id: product.variantId, quantity: 2 })).status).toBe(201);
    for (const body of [
      { customer: { email: 'not-an-email' } },
      {},
      { customer: { email: 'a@example.test' }, total: 1 },
      { customer: { email: 'a@example.test' }, shipping_rate: 'teleport' },
    ]) {
      const response = await store('POST', `/carts/${token}/checkout`, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
    expect((await store('GET', '/carts/short')).status).toBe(422);
    expect((await store('GET', `/carts/${'x'.repeat(32)}`)).status).toBe(404);
    expect(await stockOf(t, owner, product.variantId)).toBe(5);
  });

  it('updates and removes cart lines, recomputing totals on the server; a checked-out cart is closed', async () => {
    const product = await createProduct(t, owner, { price: 3000, stock: 10 });
    const store = storeApi(t, owner.tenant!.slug);
    const token = await cartWith(owner.tenant!.slug, [{ variant_id: product.variantId, quantity: 1 }]);
    await store('POST', `/carts/${token}/lines`, { variant_id: product.variantId, quantity: 2 });
    let cart = (await store('GET', `/carts/${token}`)).body.data;
    expect(cart.lines).toMatchObject([{ quantity: 3, unit_price: 3000, total: 9000 }]);
    const lineId = cart.lines[0].id;
    cart = (await store('PATCH', `/carts/${token}/lines/${lineId}`, { quantity: 4 })).body.data;
    // 12000 ≥ free_over 10000: standard shipping is free; tax 20% of 12000.
    expect(cart).toMatchObject({ subtotal: 12_000, shipping: 0, tax: 2400, total: 14_400 });
    expect((await store('GET', `/carts/${token}?shipping_rate=express`)).body.data).toMatchObject({ shipping: 1500, total: 15_900 });
    expect((await store('PATCH', `/carts/${token}/lines/${lineId}`, { quantity: -2 })).status).toBe(422);
    expect((await store('DELETE', `/carts/${token}/lines/${lineId}`)).status).toBe(200);
    expect((await store('DELETE', `/carts/${token}/lines/${lineId}`)).status).toBe(404);
    await store('POST', `/carts/${token}/lines`, { variant_id: product.variantId, quantity: 1 });
    expect((await store('POST', `/carts/${token}/checkout`, { customer: { email: 'c@example.test' } })).status).toBe(201);
    const again = await store('POST', `/carts/${token}/checkout`, { customer: { email: 'c@example.test' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('cart_closed');
    expect((await store('POST', `/carts/${token}/lines`, { variant_id: product.variantId, quantity: 1 })).status).toBe(409);
  });

  it("prices in the tenant's default currency unless the shop's settings name one", async () => {
    const euro = await shopTenant(t);
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: euro.headers, body: { currency: 'EUR' } })).status).toBe(200);
    const product = await createProduct(t, euro, { stock: 5 });
    const token = await cartWith(euro.tenant!.slug, [{ variant_id: product.variantId, quantity: 1 }]);
    expect((await storeApi(t, euro.tenant!.slug)('GET', `/carts/${token}`)).body.data.currency).toBe('EUR');
    expect((await t.request('PUT', '/api/v1/plugins/shop/settings', { headers: euro.headers, body: { currency: 'GBP' } })).status).toBe(200);
    expect((await storeApi(t, euro.tenant!.slug)('GET', `/carts/${token}`)).body.data.currency).toBe('GBP');
  });

  it('releases the stock of an order not paid in time (the expiry job) and cancels its intent', async () => {
    const expiring = await shopKernelTenant({ reservation_seconds: 1 });
    const product = await createProduct(t, expiring, { stock: 2 });
    const token = await cartWith(expiring.tenant!.slug, [{ variant_id: product.variantId, quantity: 2 }]);
    const checkout = await storeApi(t, expiring.tenant!.slug)('POST', `/carts/${token}/checkout`, { customer: { email: 'slow@example.test' } });
    expect(checkout.status).toBe(201);
    expect(await stockOf(t, expiring, product.variantId)).toBe(0);
    const orderId = checkout.body.data.order.id;
    await eventually(async () => (await shopApi(t, expiring)('GET', `/orders/${orderId}`)).body.data.status === 'cancelled');
    expect(await stockOf(t, expiring, product.variantId)).toBe(2);
    const intent = await t.request('GET', `/api/v1/payments/intents/${checkout.body.data.payment_intent.id}`, { headers: expiring.headers });
    expect(intent.body.data.status).toBe('cancelled');
    expect(await eventsNamed(t, expiring.tenant!.id, 'shop.order.cancelled')).toHaveLength(1);
  });
});
