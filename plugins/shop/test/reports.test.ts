import { addMember, reportCsv, runReport, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopFriendPlugin } from './fixtures/shop-friend-plugin.js';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel, storeApi } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
/** SKUs of tenant A's products (PROMO-… is discounted 10 % by the friend plugin's tap). */
let mug: { variantId: string; sku: string };
let tee: { variantId: string; sku: string };

const friend = (user: TestUser) => (method: string, path: string, body?: unknown) =>
  t.request(method, `/api/v1/shop-friend${path}`, { headers: user.headers, body });

/** Pays an order placed by a storefront checkout or by staff, through the test gateway; returns its id. */
async function pay(owner: TestUser, orderId: string, intentId: string): Promise<string> {
  expect(
    (await t.request('POST', `/api/v1/payments/intents/${intentId}/confirm`, { headers: owner.headers, body: { payment_method: GOOD_CARD } })).status,
  ).toBe(200);
  await eventually(async () => {
    await t.drainJobs();
    await t.drainEvents();
    return (await shopApi(t, owner)('GET', `/orders/${orderId}`)).body.data.status === 'paid';
  });
  return orderId;
}

/** Moves an order's payment to an instant (days are counted in the tenant's zone, so the tests pin the instant). */
async function paidAt(orderId: string, instant: string): Promise<void> {
  await t.sql('update shop_orders set paid_at = $2 where id = $1', [orderId, instant]);
}

beforeAll(async () => {
  const kit = await shopKernel(2, [shopFriendPlugin]);
  t = kit.t;
  [a, b] = kit.owners as [TestUser, TestUser];
  await t.enable(a, 'shop-friend');
  expect((await t.request('PATCH', '/api/v1/tenant', { headers: a.headers, body: { currency: 'USD', time_zone: 'Asia/Tokyo' } })).status).toBe(200);
  mug = await createProduct(t, a, { price: 2000, stock: 50, sku: `PROMO-MUG-${process.pid}`, name: 'Mug' });
  tee = await createProduct(t, a, { price: 2500, stock: 50, sku: `TEE-${process.pid}`, name: 'Tee' });

  // USD, through the storefront: 2 mugs, 10 % off (subtotal 4000, discount 400, total 3600), then 1000 refunded.
  const store = storeApi(t, a.tenant!.slug);
  const cart = (await store('POST', '/carts')).body.data.token;
  await store('POST', `/carts/${cart}/lines`, { variant_id: mug.variantId, quantity: 2 });
  const checkout = (await store('POST', `/carts/${cart}/checkout`, { customer: { email: 'reports-a@example.test' } })).body.data;
  expect(checkout.order).toMatchObject({ discount: 400, total: 3600 });
  const discounted = await pay(a, checkout.order.id, checkout.payment_intent.id);
  expect((await shopApi(t, a)('POST', `/orders/${discounted}/refunds`, { amount: 1000 })).status).toBe(201);
  // 2026-03-01 10:00 UTC is 19:00 on 1 March in Tokyo.
  await paidAt(discounted, '2026-03-01T10:00:00Z');

  // USD, placed by staff: 1 tee, paid at 01:00 on 2 March in Tokyo (still 1 March in UTC).
  const placed = (
    await shopApi(t, a)('POST', '/orders', { customer: { email: 'reports-b@example.test' }, items: [{ variant_id: tee.variantId, quantity: 1 }] })
  ).body.data;
  const intent = (await shopApi(t, a)('POST', `/orders/${placed.id}/checkout`)).body.data.payment_intent.id;
  await paidAt(await pay(a, placed.id, intent), '2026-03-01T16:00:00Z');

  // EUR, imported by a connector: 3 tees with 500 shipping on 1 March, 1 mug on 2 March; one paid on 4 March (Tokyo,
  // outside the range), one still pending.
  const imported = (
    externalId: string,
    status: string,
    placedAt: string,
    lines: { sku: string; name: string; quantity: number; unitPrice: number }[],
    total: number,
  ) => friend(a)('POST', '/orders', { source: 'woo', externalId, status, currency: 'EUR', customer: { email: 'woo@example.test' }, lines, total, placedAt });
  expect((await imported('r1', 'paid', '2026-03-01T05:00:00Z', [{ sku: tee.sku, name: 'Tee', quantity: 3, unitPrice: 2200 }], 7100)).status).toBe(200);
  expect((await imported('r2', 'fulfilled', '2026-03-02T02:00:00Z', [{ sku: mug.sku, name: 'Mug', quantity: 1, unitPrice: 1800 }], 1800)).status).toBe(200);
  expect((await imported('r3', 'paid', '2026-03-03T15:00:00Z', [{ sku: mug.sku, name: 'Mug', quantity: 5, unitPrice: 1800 }], 9000)).status).toBe(200);
  expect((await imported('r4', 'pending', '2026-03-02T02:00:00Z', [{ sku: tee.sku, name: 'Tee', quantity: 7, unitPrice: 2200 }], 15400)).status).toBe(200);

  // Tenant B sells on the same days: none of it may show in A's reports.
  const other = await createProduct(t, b, { price: 99_900, stock: 5, name: 'Other tenant' });
  const theirs = (await shopApi(t, b)('POST', '/orders', { customer: { email: 'b@example.test' }, items: [{ variant_id: other.variantId, quantity: 1 }] })).body
    .data;
  const theirIntent = (await shopApi(t, b)('POST', `/orders/${theirs.id}/checkout`)).body.data.payment_intent.id;
  await paidAt(await pay(b, theirs.id, theirIntent), '2026-03-01T10:00:00Z');
});
afterAll(() => t?.close());

describe('shop.sales-by-day', () => {
  it('sums orders paid per day of the tenant’s zone and currency: items, gross, discounts, refunds, net', async () => {
    const run = await runReport(t, a, 'shop.sales-by-day', { from: '2026-03-01', to: '2026-03-03' });
    expect(run.rows_done).toBe(4);
    expect(await reportCsv(t, a, run.id)).toEqual([
      ['Day', 'Currency', 'Orders', 'Items', 'Gross', 'Discounts', 'Refunds', 'Net'],
      ['2026-03-01', 'EUR', '1', '3', '71.00', '0.00', '0.00', '71.00'],
      ['2026-03-01', 'USD', '1', '2', '40.00', '4.00', '10.00', '26.00'],
      ['2026-03-02', 'EUR', '1', '1', '18.00', '0.00', '0.00', '18.00'],
      ['2026-03-02', 'USD', '1', '1', '25.00', '0.00', '0.00', '25.00'],
    ]);
  });

  it('keeps to one currency when asked', async () => {
    const run = await runReport(t, a, 'shop.sales-by-day', { from: '2026-03-01', to: '2026-03-04', currency: 'EUR' });
    expect((await reportCsv(t, a, run.id)).slice(1)).toEqual([
      ['2026-03-01', 'EUR', '1', '3', '71.00', '0.00', '0.00', '71.00'],
      ['2026-03-02', 'EUR', '1', '1', '18.00', '0.00', '0.00', '18.00'],
      ['2026-03-04', 'EUR', '1', '5', '90.00', '0.00', '0.00', '90.00'],
    ]);
  });
});

describe('shop.sales-by-product', () => {
  it('sums units and line revenue per SKU and currency, highest revenue first', async () => {
    const run = await runReport(t, a, 'shop.sales-by-product', { from: '2026-03-01', to: '2026-03-03' });
    const lines = await t.sql<{ sku: string; name: string }>(
      'select distinct l.sku, l.name from shop_order_lines l join shop_orders o on o.id = l.order_id where o.source is null and o.tenant_id = $1',
      [a.tenant!.id],
    );
    const nameOf = (sku: string) => lines.find((line) => line.sku === sku)!.name;
    expect(await reportCsv(t, a, run.id)).toEqual([
      ['Product', 'SKU', 'Currency', 'Units', 'Revenue'],
      ['Tee', tee.sku, 'EUR', '3', '66.00'],
      ['Mug', mug.sku, 'EUR', '1', '18.00'],
      [nameOf(mug.sku), mug.sku, 'USD', '2', '40.00'],
      [nameOf(tee.sku), tee.sku, 'USD', '1', '25.00'],
    ]);
  });
});

describe('asking for a shop report', () => {
  it('needs shop.orders.view (403), and valid days in order (422, no run)', async () => {
    const member = await addMember(t, a, ['member']);
    const denied = await t.request('POST', '/api/v1/reports', {
      headers: member.headers,
      body: { report: 'shop.sales-by-day', params: { from: '2026-03-01', to: '2026-03-02' }, format: 'csv' },
    });
    expect(denied.status).toBe(403);
    const [{ count: before }] = (await t.sql<{ count: number }>('select count(*)::int as count from report_runs where tenant_id = $1', [a.tenant!.id])) as [
      { count: number },
    ];
    for (const [report, params] of [
      ['shop.sales-by-day', { from: '2026-03-02', to: '2026-03-01' }],
      ['shop.sales-by-product', { from: '2026-03-02', to: '2026-03-01' }],
      ['shop.sales-by-day', { from: '2026-02-30', to: '2026-03-01' }],
      ['shop.sales-by-day', { from: 'yesterday', to: '2026-03-01' }],
      ['shop.sales-by-day', { to: '2026-03-01' }],
      ['shop.sales-by-day', { from: '2026-03-01', to: '2026-03-02', currency: 'euro' }],
      ['shop.sales-by-product', { from: '2026-03-01', to: '2026-03-02', extra: true }],
    ] as const) {
      const response = await t.request('POST', '/api/v1/reports', { headers: a.headers, body: { report, params, format: 'csv' } });
      expect(response.status, `${report} ${JSON.stringify(params)}: ${JSON.stringify(response.body)}`).toBe(422);
    }
    const [{ count: after }] = (await t.sql<{ count: number }>('select count(*)::int as count from report_runs where tenant_id = $1', [a.tenant!.id])) as [
      { count: number },
    ];
    expect(after).toBe(before);
  });

  it('is not offered to a tenant without the shop, and another tenant cannot read or download a run', async () => {
    const run = await runReport(t, a, 'shop.sales-by-product', { from: '2026-03-01', to: '2026-03-01' });
    expect(run.status).toBe('done'); // a finished run of A's: its download exists for A
    expect((await t.request('GET', `/api/v1/reports/${run.id}`, { headers: b.headers })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/reports/${run.id}/download`, { headers: b.headers })).status).toBe(404);
    // B's own report of the same days shows only B's order.
    const theirs = await runReport(t, b, 'shop.sales-by-day', { from: '2026-03-01', to: '2026-03-03' });
    expect((await reportCsv(t, b, theirs.id)).slice(1)).toEqual([['2026-03-01', 'USD', '1', '1', '999.00', '0.00', '0.00', '999.00']]);

    const bare = await signUp(t, { tenant: true }); // the shop not enabled
    const catalog = await t.request('GET', '/api/v1/reports/catalog', { headers: bare.headers });
    expect(catalog.status).toBe(200);
    expect((catalog.body.data as { name: string }[]).map((report) => report.name).filter((name) => name.startsWith('shop.'))).toEqual([]);
    const refused = await t.request('POST', '/api/v1/reports', {
      headers: bare.headers,
      body: { report: 'shop.sales-by-day', params: { from: '2026-03-01', to: '2026-03-02' }, format: 'csv' },
    });
    expect(refused.status).toBe(404);
  });
});

describe('the shop’s migrations', () => {
  it('roll back and apply again, the index of paid orders included (last: it drops the shop’s tables)', async () => {
    await t.checkMigrations('shop');
    const [index] = await t.sql<{ indexdef: string }>("select indexdef from pg_indexes where indexname = 'shop_orders_paid_at'");
    expect(index?.indexdef).toContain('(tenant_id, paid_at) WHERE (paid_at IS NOT NULL)');
  });
});
