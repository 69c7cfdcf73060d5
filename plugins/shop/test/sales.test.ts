import type { TestKernel, TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [a, b] = kit.owners as [TestUser, TestUser];
  for (const owner of [a, b]) {
    const zone = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { currency: 'EUR', time_zone: 'Asia/Tokyo' } });
    expect(zone.status).toBe(200);
  }
});
afterAll(() => t?.close());

/** Places and pays an order of `quantity` units of a variant as `owner`; returns the paid order. */
async function paidOrder(owner: TestUser, variantId: string, quantity: number) {
  const api = shopApi(t, owner);
  const placed = (await api('POST', '/orders', { customer: { email: 'sales@example.test' }, items: [{ variant_id: variantId, quantity }] })).body.data;
  const intent = (await api('POST', `/orders/${placed.id}/checkout`)).body.data.payment_intent.id;
  await t.request('POST', `/api/v1/payments/intents/${intent}/confirm`, { headers: owner.headers, body: { payment_method: GOOD_CARD } });
  return eventually(async () => {
    await t.drainJobs();
    await t.drainEvents();
    const order = (await api('GET', `/orders/${placed.id}`)).body.data;
    return order.status === 'paid' && order;
  });
}

/** Moves an order's payment to an instant (days are counted in the tenant's zone, so the tests pin the instant). */
async function paidAt(orderId: string, instant: string): Promise<void> {
  await t.sql('update shop_orders set paid_at = $2 where id = $1', [orderId, instant]);
}

describe('GET /shop/sales', () => {
  it("counts orders paid per day of the tenant's zone, with revenue, refunds and top products", async () => {
    const api = shopApi(t, a);
    const mug = await createProduct(t, a, { price: 1500, stock: 20, name: 'Mug' });
    const tee = await createProduct(t, a, { price: 2500, stock: 20, name: 'Tee' });
    const first = await paidOrder(a, mug.variantId, 2);
    const second = await paidOrder(a, tee.variantId, 1);
    const late = await paidOrder(a, mug.variantId, 1);
    // 2026-03-01 23:30 UTC is already 2 March in Tokyo; 2026-03-02 16:00 UTC is 3 March there (outside the range).
    await paidAt(first.id, '2026-03-01T10:00:00Z');
    await paidAt(second.id, '2026-03-01T23:30:00Z');
    await paidAt(late.id, '2026-03-02T16:00:00Z');
    const refund = await api('POST', `/orders/${first.id}/refunds`, { lines: [{ line_id: first.lines[0].id, quantity: 1 }], reason: 'chipped' });
    expect(refund.status).toBe(201);

    const report = await api('GET', '/sales?from=2026-03-01&to=2026-03-02');
    expect(report.status).toBe(200);
    expect(report.body.data).toEqual({
      from: '2026-03-01',
      to: '2026-03-02',
      time_zone: 'Asia/Tokyo',
      currencies: [
        {
          currency: 'EUR',
          orders: 2,
          revenue: 5500,
          refunds: 1500,
          net_revenue: 4000,
          average_order_value: 2750,
          days: [
            { date: '2026-03-01', orders: 1, revenue: 3000, refunds: 1500 },
            { date: '2026-03-02', orders: 1, revenue: 2500, refunds: 0 },
          ],
          top_products: [
            { product_id: mug.productId, name: 'Mug', quantity: 2, revenue: 3000 },
            { product_id: tee.productId, name: 'Tee', quantity: 1, revenue: 2500 },
          ],
        },
      ],
    });
    const wider = (await api('GET', '/sales?from=2026-02-28&to=2026-03-03')).body.data.currencies[0];
    expect(wider.days.map((day: { date: string; orders: number }) => [day.date, day.orders])).toEqual([
      ['2026-02-28', 0],
      ['2026-03-01', 1],
      ['2026-03-02', 1],
      ['2026-03-03', 1],
    ]);
    expect(wider.top_products[0]).toMatchObject({ name: 'Mug', quantity: 3, revenue: 4500 });
    // Pending orders are not sales.
    await api('POST', '/orders', { customer: { email: 'pending@example.test' }, items: [{ variant_id: mug.variantId, quantity: 1 }] });
    expect((await api('GET', '/sales')).body.data).toMatchObject({ time_zone: 'Asia/Tokyo', currencies: [] });
  });

  it('defaults to the last 30 days and refuses bad ranges with 4xx', async () => {
    const api = shopApi(t, a);
    const fallback = (await api('GET', '/sales')).body.data;
    expect((Date.parse(fallback.to) - Date.parse(fallback.from)) / 86_400_000).toBe(29);
    for (const query of [
      'from=2026-03-05&to=2026-03-01',
      'from=2024-01-01&to=2026-01-01',
      'from=2026-02-30&to=2026-03-01',
      'from=yesterday',
      'to=2026-13-01',
    ]) {
      const response = await api('GET', `/sales?${query}`);
      expect(response.status, query).toBeGreaterThanOrEqual(400);
      expect(response.status, query).toBeLessThan(500);
    }
  });

  it("never counts another tenant's orders", async () => {
    const product = await createProduct(t, b, { price: 99_00, stock: 5, name: 'Only in B' });
    const order = await paidOrder(b, product.variantId, 1);
    await paidAt(order.id, '2026-03-01T10:00:00Z');
    const seenByA = (await shopApi(t, a)('GET', '/sales?from=2026-03-01&to=2026-03-02')).body.data.currencies[0];
    expect(seenByA.revenue).toBe(5500);
    expect(seenByA.top_products.map((row: { name: string }) => row.name)).not.toContain('Only in B');
    const seenByB = (await shopApi(t, b)('GET', '/sales?from=2026-03-01&to=2026-03-02')).body.data.currencies;
    expect(seenByB).toMatchObject([{ orders: 1, revenue: 99_00, top_products: [{ name: 'Only in B' }] }]);
  });

  it('needs orders.view', async () => {
    const anonymous = await t.request('GET', '/api/v1/shop/sales', { headers: { 'x-tenant': a.tenant!.slug } });
    expect(anonymous.status).toBe(401);
  });
});

describe('order history', () => {
  it('records the amount and reason of each refund, and the amount refunded when a paid order is cancelled', async () => {
    const api = shopApi(t, a);
    const product = await createProduct(t, a, { price: 1200, stock: 10 });
    const order = await paidOrder(a, product.variantId, 3);
    await api('POST', `/orders/${order.id}/refunds`, { lines: [{ line_id: order.lines[0].id, quantity: 1 }], reason: 'late' });
    await api('POST', `/orders/${order.id}/cancel`, {});
    const history = (await api('GET', `/orders/${order.id}`)).body.data.history;
    expect(history.filter((entry: { amount: number | null }) => entry.amount !== null)).toMatchObject([
      { kind: 'refund', amount: 1200, note: 'late', actor_id: a.id },
      { kind: 'status', to_status: 'cancelled', amount: 2400 },
    ]);
  });
});

describe('refunds by amount', () => {
  it('refunds an amount not tied to lines, within what is left, and refuses more once refunded', async () => {
    const api = shopApi(t, a);
    const product = await createProduct(t, a, { price: 1000, stock: 10 });
    const order = await paidOrder(a, product.variantId, 2);
    for (const body of [{ amount: 0 }, { amount: 2001 }, { amount: 500, lines: [{ line_id: order.lines[0].id, quantity: 1 }] }, {}]) {
      const refused = await api('POST', `/orders/${order.id}/refunds`, body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
    }
    const partial = await api('POST', `/orders/${order.id}/refunds`, { amount: 750, reason: 'scratched' });
    expect(partial.status).toBe(201);
    expect(partial.body.data).toMatchObject({ refund_amount: 750, order: { status: 'paid', refunded_amount: 750, lines: [{ refunded_quantity: 0 }] } });
    const rest = await api('POST', `/orders/${order.id}/refunds`, { amount: 1250 });
    expect(rest.body.data).toMatchObject({ refund_amount: 1250, order: { status: 'refunded', refunded_amount: 2000 } });
    const again = await api('POST', `/orders/${order.id}/refunds`, { amount: 1 });
    expect(again.status).toBe(409);
    const history = (await api('GET', `/orders/${order.id}`)).body.data.history;
    expect(history.filter((entry: { amount: number | null }) => entry.amount !== null)).toMatchObject([
      { kind: 'refund', amount: 750, note: 'scratched' },
      { kind: 'status', to_status: 'refunded', amount: 1250 },
    ]);
  });
});
