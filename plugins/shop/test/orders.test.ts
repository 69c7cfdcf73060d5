import { addMember, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventsNamed, eventually, GOOD_CARD, queuedExpiries, shopApi, shopKernel, stockOf } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let api: ReturnType<typeof shopApi>;
beforeAll(async () => {
  const kit = await shopKernel(1);
  t = kit.t;
  owner = kit.owners[0]!;
  api = shopApi(t, owner);
});
afterAll(() => t?.close());

/** Places an order for `lines` and pays it through the test gateway; returns the paid order. */
async function paidOrder(lines: { variant_id: string; quantity: number }[], email = 'paying@example.test') {
  const placed = await api('POST', '/orders', { customer: { email }, items: lines });
  expect(placed.status).toBe(201);
  const checkout = await api('POST', `/orders/${placed.body.data.id}/checkout`);
  expect(checkout.status).toBe(200);
  const intentId = checkout.body.data.payment_intent.id;
  expect((await api('POST', `/orders/${placed.body.data.id}/checkout`)).body.data.payment_intent.id).toBe(intentId);
  expect(
    (await t.request('POST', `/api/v1/payments/intents/${intentId}/confirm`, { headers: owner.headers, body: { payment_method: GOOD_CARD } })).status,
  ).toBe(200);
  return eventually(async () => {
    await t.drainJobs();
    await t.drainEvents();
    const order = (await api('GET', `/orders/${placed.body.data.id}`)).body.data;
    return order.status === 'paid' && order;
  });
}

describe('orders', () => {
  it('places an order from items with server prices, and refuses bad items', async () => {
    const product = await createProduct(t, owner, { price: 1234, stock: 4 });
    const placed = await api('POST', '/orders', {
      customer: { email: 'staff-order@example.test', name: 'Sam' },
      items: [{ variant_id: product.variantId, quantity: 3 }],
    });
    expect(placed.status).toBe(201);
    expect(placed.body.data).toMatchObject({
      status: 'pending',
      subtotal: 3702,
      total: 3702,
      number: expect.stringMatching(/^SO-\d{6}$/),
      lines: [{ quantity: 3, unit_price: 1234 }],
    });
    expect(await stockOf(t, owner, product.variantId)).toBe(1);
    for (const items of [
      [{ variant_id: product.variantId, quantity: -1 }],
      [{ variant_id: product.variantId, quantity: 1, unit_price: 1 }],
      [],
      [{ variant_id: '00000000-0000-4000-8000-000000000001', quantity: 1 }],
    ]) {
      const response = await api('POST', '/orders', { customer: { email: 'x@example.test' }, items });
      expect(response.status, JSON.stringify(items)).toBe(422);
    }
    const short = await api('POST', '/orders', { customer: { email: 'x@example.test' }, items: [{ variant_id: product.variantId, quantity: 2 }] });
    expect(short.status).toBe(409);
    expect(short.body.code).toBe('out_of_stock');
    expect(await stockOf(t, owner, product.variantId)).toBe(1);
  });

  it('cancels a pending order: stock released, intent cancelled, history kept; cannot be fulfilled or cancelled twice', async () => {
    const product = await createProduct(t, owner, { stock: 3 });
    const placed = (await api('POST', '/orders', { customer: { email: 'cancel@example.test' }, items: [{ variant_id: product.variantId, quantity: 2 }] })).body
      .data;
    const intentId = (await api('POST', `/orders/${placed.id}/checkout`)).body.data.payment_intent.id;
    await eventually(async () => (await queuedExpiries(t, placed.id)) === 1);
    expect((await api('POST', `/orders/${placed.id}/fulfil`, {})).status).toBe(409);
    const cancelled = await api('POST', `/orders/${placed.id}/cancel`, { note: 'changed mind' });
    expect(cancelled.status).toBe(200);
    // Cancelling the order cancels its expiry job (keyed by the order).
    await eventually(async () => (await queuedExpiries(t, placed.id)) === 0);
    expect(await t.sql("select 1 from plinth_job_keys where name = 'shop.order.expire' and key = $1", [placed.id])).toEqual([]);
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', reservation: 'released' });
    expect(await stockOf(t, owner, product.variantId)).toBe(3);
    expect((await t.request('GET', `/api/v1/payments/intents/${intentId}`, { headers: owner.headers })).body.data.status).toBe('cancelled');
    const again = await api('POST', `/orders/${placed.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_status');
    expect((await api('POST', `/orders/${placed.id}/checkout`)).status).toBe(409);
    const history = (await api('GET', `/orders/${placed.id}`)).body.data.history;
    expect(history.at(-1)).toMatchObject({ kind: 'status', from_status: 'pending', to_status: 'cancelled', note: 'changed mind', actor_id: owner.id });
  });

  it('refunds lines partially through payments, tracks refunded quantities, and becomes refunded when everything is', async () => {
    const a = await createProduct(t, owner, { price: 1000, stock: 5 });
    const b = await createProduct(t, owner, { price: 500, stock: 5 });
    const order = await paidOrder([
      { variant_id: a.variantId, quantity: 2 },
      { variant_id: b.variantId, quantity: 1 },
    ]);
    const [lineA, lineB] = order.lines;
    const partial = await api('POST', `/orders/${order.id}/refunds`, { lines: [{ line_id: lineA.id, quantity: 1 }], restock: true, reason: 'damaged' });
    expect(partial.status).toBe(201);
    expect(partial.body.data.refund_amount).toBe(1000);
    expect(partial.body.data.order).toMatchObject({ status: 'paid', refunded_amount: 1000 });
    expect(partial.body.data.order.lines[0]).toMatchObject({ refunded_quantity: 1, refunded_amount: 1000 });
    expect(await stockOf(t, owner, a.variantId)).toBe(4);
    const intent = (await t.request('GET', `/api/v1/payments/intents/${order.payment_intent_id}`, { headers: owner.headers })).body.data;
    expect(intent).toMatchObject({ amount_refunded: 1000, status: 'partially_refunded' });

    for (const body of [
      { lines: [{ line_id: lineA.id, quantity: 2 }] },
      { lines: [{ line_id: lineA.id, quantity: -1 }] },
      { lines: [{ line_id: '00000000-0000-4000-8000-000000000002', quantity: 1 }] },
      { lines: [] },
      { lines: [{ line_id: lineA.id, quantity: 1, amount: 99_999 }] },
    ]) {
      expect((await api('POST', `/orders/${order.id}/refunds`, body)).status, JSON.stringify(body)).toBe(422);
    }
    const rest = await api('POST', `/orders/${order.id}/refunds`, {
      lines: [
        { line_id: lineA.id, quantity: 1 },
        { line_id: lineB.id, quantity: 1 },
      ],
    });
    expect(rest.body.data).toMatchObject({ refund_amount: 1500, order: { status: 'refunded', refunded_amount: 2500 } });
    expect(await stockOf(t, owner, a.variantId)).toBe(4);
    const refunded = await eventsNamed<{ refundAmount: number; lineIds: string[] }>(t, owner.tenant!.id, 'shop.order.refunded');
    expect(refunded.map((event) => event.refundAmount)).toEqual([1000, 1500]);
    expect((await api('POST', `/orders/${order.id}/refunds`, { lines: [{ line_id: lineB.id, quantity: 1 }] })).status).toBe(409);
  });

  it('records a refund made in payments directly on the order (amount and history, no lines)', async () => {
    const product = await createProduct(t, owner, { price: 800, stock: 5 });
    const order = await paidOrder([{ variant_id: product.variantId, quantity: 1 }]);
    const refund = await t.request('POST', '/api/v1/payments/refunds', { headers: owner.headers, body: { intent_id: order.payment_intent_id, amount: 300 } });
    expect(refund.status).toBe(201);
    await t.drainEvents();
    const after = (await api('GET', `/orders/${order.id}`)).body.data;
    expect(after).toMatchObject({ status: 'paid', refunded_amount: 300 });
    expect(after.history.at(-1).note).toContain('in payments');
  });

  it('fulfils a paid order, cancels a paid one with a full refund, and numbers invoices without gaps', async () => {
    const product = await createProduct(t, owner, { price: 700, stock: 10 });
    const first = await paidOrder([{ variant_id: product.variantId, quantity: 1 }]);
    const fulfilled = await api('POST', `/orders/${first.id}/fulfil`, { note: 'shipped' });
    expect(fulfilled.body.data.status).toBe('fulfilled');
    expect((await api('POST', `/orders/${first.id}/cancel`, {})).status).toBe(409);

    const second = await paidOrder([{ variant_id: product.variantId, quantity: 2 }]);
    const cancelled = await api('POST', `/orders/${second.id}/cancel`, {});
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', refunded_amount: 1400 });
    expect(await stockOf(t, owner, product.variantId)).toBe(9);

    const invoices = await t.sql<{ sequence: number }>('select sequence from shop_invoices where tenant_id = $1 order by sequence', [owner.tenant!.id]);
    expect(invoices.map((row) => row.sequence)).toEqual(invoices.map((_, index) => index + 1));
    expect((await api('GET', `/orders/${second.id}/invoice`)).body).toContain(second.invoice_number);
    const pending = (await api('POST', '/orders', { customer: { email: 'p@example.test' }, items: [{ variant_id: product.variantId, quantity: 1 }] })).body
      .data;
    expect((await api('GET', `/orders/${pending.id}/invoice`)).status).toBe(404);
  });

  it('keeps notes, lists and filters orders, and shows customers with their history', async () => {
    const product = await createProduct(t, owner, { stock: 5 });
    const placed = (
      await api('POST', '/orders', { customer: { email: 'History@Example.test', name: 'Hal' }, items: [{ variant_id: product.variantId, quantity: 1 }] })
    ).body.data;
    expect((await api('POST', `/orders/${placed.id}/notes`, { note: 'gift wrap' })).status).toBe(201);
    expect((await api('POST', `/orders/${placed.id}/notes`, { note: '' })).status).toBe(422);
    expect((await api('GET', `/orders/${placed.id}`)).body.data.history.map((entry: { note: string }) => entry.note)).toContain('gift wrap');

    const listed = await api('GET', '/orders?q=history@&per_page=5');
    expect(listed.body.data.map((order: { id: string }) => order.id)).toEqual([placed.id]);
    expect((await api('GET', '/orders?status=pending')).body.data.every((order: { status: string }) => order.status === 'pending')).toBe(true);
    expect((await api('GET', '/orders?status=lost')).status).toBe(422);

    const customers = (await api('GET', '/customers?q=history')).body.data;
    expect(customers).toMatchObject([{ email: 'history@example.test', name: 'Hal', orders_count: 1 }]);
    const customer = (await api('GET', `/customers/${customers[0].id}`)).body.data;
    expect(customer.orders.map((order: { id: string }) => order.id)).toEqual([placed.id]);
    expect((await api('GET', '/customers/00000000-0000-4000-8000-000000000003')).status).toBe(404);
  });

  it('keeps orders and customers from the built-in member and viewer roles; products stay readable', async () => {
    for (const role of ['member', 'viewer']) {
      const user = shopApi(t, await addMember(t, owner, [role]));
      expect((await user('GET', '/products')).status, role).toBe(200);
      for (const path of ['/orders', '/customers']) expect((await user('GET', path)).status, `${role} ${path}`).toBe(403);
    }
  });

  it('enforces each permission: readers read, clerks manage orders, only admins refund', async () => {
    const product = await createProduct(t, owner, { stock: 5 });
    // Orders are customer data: a tenant grants them to staff with a role of its own.
    const roles = {
      'order-reader': ['shop.orders.view', 'shop.products.view'],
      'order-clerk': ['shop.orders.view', 'shop.orders.manage', 'shop.products.view'],
    };
    for (const [name, permissions] of Object.entries(roles))
      expect((await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions } })).status).toBe(201);
    const viewer = await addMember(t, owner, ['order-reader']);
    const member = await addMember(t, owner, ['order-clerk']);
    const admin = await addMember(t, owner, ['admin']);
    const asViewer = shopApi(t, viewer);
    const asMember = shopApi(t, member);
    expect((await asViewer('GET', '/orders')).status).toBe(200);
    expect((await asViewer('GET', '/products')).status).toBe(200);
    expect((await asViewer('POST', '/orders', { customer: { email: 'v@example.test' }, items: [{ variant_id: product.variantId, quantity: 1 }] })).status).toBe(
      403,
    );
    expect((await asViewer('POST', '/products', { name: 'Nope' })).status).toBe(403);
    expect((await asMember('POST', '/products', { name: 'Nope' })).status).toBe(403);
    const placed = await asMember('POST', '/orders', { customer: { email: 'm@example.test' }, items: [{ variant_id: product.variantId, quantity: 1 }] });
    expect(placed.status).toBe(201);
    expect((await asMember('POST', `/orders/${placed.body.data.id}/refunds`, { lines: [{ line_id: placed.body.data.lines[0].id, quantity: 1 }] })).status).toBe(
      403,
    );
    expect((await t.request('PUT', '/api/v1/plugins/shop/settings', { headers: member.headers, body: { tax_rate_bps: 5 } })).status).toBe(403);
    const paid = await paidOrder([{ variant_id: product.variantId, quantity: 1 }]);
    expect((await asMember('POST', `/orders/${paid.id}/cancel`, {})).status).toBe(403);
    expect((await shopApi(t, admin)('POST', `/orders/${paid.id}/refunds`, { lines: [{ line_id: paid.lines[0].id, quantity: 1 }] })).status).toBe(201);
    expect((await t.request('GET', '/api/v1/shop/orders', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});
