import { auditTrail, type TestAuditEntry, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel } from './helpers.js';

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

/** The shop's entries in the tenant's audit log about one record, oldest first. */
const entriesFor = async (targetId: string) => (await auditTrail(t, owner, { action: 'shop.', targetId })).entries;

const actions = (entries: TestAuditEntry[]) => entries.map((entry) => entry.action);

describe('shop audit trail', () => {
  it('records creating, changing and deleting categories, products, variants and stock, with the diff and the actor', async () => {
    const category = (await api('POST', '/categories', { name: 'Mugs' })).body.data;
    const created = await api('POST', '/products', {
      name: 'Audited mug',
      category_id: category.id,
      variants: [{ sku: 'AUDIT-MUG', price: 1200, stock: 3 }],
    });
    expect(created.status).toBe(201);
    const product = created.body.data;
    const variant = product.variants[0];
    expect((await api('PATCH', `/products/${product.id}`, { name: 'Audited mug II', status: 'active' })).status).toBe(200);
    expect((await api('PATCH', `/variants/${variant.id}`, { price: 1500 })).status).toBe(200);
    expect((await api('POST', `/variants/${variant.id}/stock`, { delta: -2, note: 'Broken in the stockroom' })).status).toBe(200);
    expect((await api('PATCH', `/categories/${category.id}`, { name: 'Cups' })).status).toBe(200);
    expect((await api('DELETE', `/variants/${variant.id}`)).status).toBe(204);
    expect((await api('DELETE', `/products/${product.id}`)).status).toBe(204);
    expect((await api('DELETE', `/categories/${category.id}`)).status).toBe(204);

    const productEntries = await entriesFor(product.id);
    expect(actions(productEntries)).toEqual(['shop.product.created', 'shop.product.updated', 'shop.product.deleted']);
    expect(productEntries.every((entry) => entry.actor.user_id === owner.id && entry.target.type === 'product')).toBe(true);
    expect(productEntries[0]!.data.changes).toMatchObject({ name: { from: null, to: 'Audited mug' }, category_id: { to: category.id } });
    // Only what changed: not the description, not the timestamps.
    expect(productEntries[1]!.data.changes).toEqual({ name: { from: 'Audited mug', to: 'Audited mug II' }, status: { from: 'draft', to: 'active' } });
    expect(productEntries[2]!.data.changes).toMatchObject({ name: { from: 'Audited mug II', to: null } });

    const variantEntries = await entriesFor(variant.id);
    expect(actions(variantEntries)).toEqual(['shop.variant.created', 'shop.variant.updated', 'shop.variant.stock_adjusted', 'shop.variant.deleted']);
    expect(variantEntries[0]!.data.changes).toMatchObject({ sku: { to: 'AUDIT-MUG' }, price: { to: 1200 }, stock: { to: 3 } });
    expect(variantEntries[1]!.data.changes).toEqual({ price: { from: 1200, to: 1500 } });
    expect(variantEntries[2]!.data).toMatchObject({
      changes: { stock: { from: 3, to: 1 } },
      delta: -2,
      reason: 'adjusted',
      note: 'Broken in the stockroom',
    });

    const categoryEntries = await entriesFor(category.id);
    expect(actions(categoryEntries)).toEqual(['shop.category.created', 'shop.category.updated', 'shop.category.deleted']);
    expect(categoryEntries[1]!.data.changes).toEqual({ name: { from: 'Mugs', to: 'Cups' } });
  });

  it("records an order's life (placed, checked out, paid by the payments event, refunded, fulfilled, noted) with the buyer's data redacted", async () => {
    const { variantId } = await createProduct(t, owner, { price: 2000, stock: 5 });
    const email = 'private.buyer@example.test';
    const placed = await api('POST', '/orders', { customer: { email, name: 'Private Buyer' }, items: [{ variant_id: variantId, quantity: 2 }] });
    expect(placed.status).toBe(201);
    const orderId = placed.body.data.id;
    const intentId = (await api('POST', `/orders/${orderId}/checkout`)).body.data.payment_intent.id;
    const confirmed = await t.request('POST', `/api/v1/payments/intents/${intentId}/confirm`, { headers: owner.headers, body: { payment_method: GOOD_CARD } });
    expect(confirmed.status).toBe(200);
    await eventually(async () => {
      await t.drainJobs();
      await t.drainEvents();
      return (await api('GET', `/orders/${orderId}`)).body.data.status === 'paid';
    });
    expect((await api('POST', `/orders/${orderId}/refunds`, { amount: 500, reason: 'Late delivery' })).status).toBe(201);
    expect((await api('POST', `/orders/${orderId}/fulfil`, { note: 'Shipped' })).status).toBe(200);
    expect((await api('POST', `/orders/${orderId}/notes`, { note: 'Called the buyer' })).status).toBe(201);

    const entries = await entriesFor(orderId);
    expect(actions(entries)).toEqual([
      'shop.order.created',
      'shop.order.checkout_started',
      'shop.order.paid',
      'shop.order.refunded',
      'shop.order.fulfilled',
      'shop.order.noted',
    ]);
    const [createdEntry, checkout, paid, refunded, fulfilled, noted] = entries;
    expect(createdEntry!.data.changes).toMatchObject({
      customer_email: { redacted: true },
      customer_name: { redacted: true },
      total: { to: 4000 },
      lines: { to: [{ sku: expect.any(String), quantity: 2, unit_price: 2000 }] },
    });
    expect(checkout!.data.changes).toEqual({ payment_intent_id: { from: null, to: intentId } });
    // Paid by the payments event: no member did it, the shop did.
    expect(paid).toMatchObject({ actor: { user_id: null }, data: { by: 'shop', amount: 4000, payment_intent_id: intentId } });
    expect(paid!.data.changes).toMatchObject({ status: { from: 'pending', to: 'paid' }, reservation: { from: 'held', to: 'committed' } });
    expect(paid!.data.invoice).toEqual(expect.any(String));
    expect(refunded).toMatchObject({
      actor: { user_id: owner.id },
      data: { amount: 500, reason: 'Late delivery', changes: { refunded_amount: { from: 0, to: 500 } } },
    });
    expect(fulfilled!.data).toMatchObject({ note: 'Shipped', changes: { status: { from: 'paid', to: 'fulfilled' } } });
    expect(noted!.data).toMatchObject({ note: 'Called the buyer' });

    // The buyer's email and name appear in no entry of the shop.
    const all = await t.request('GET', '/api/v1/audit-log?action=shop.&per_page=100', { headers: owner.headers });
    expect(JSON.stringify(all.body.data)).not.toContain(email);
    expect(JSON.stringify(all.body.data)).not.toContain('Private Buyer');
  });

  it('records a cancellation made by the expiry job with no actor, and a cancellation by staff with its actor', async () => {
    const { variantId } = await createProduct(t, owner, { stock: 5 });
    const expiring = (await api('POST', '/orders', { customer: { email: 'slow@example.test' }, items: [{ variant_id: variantId, quantity: 1 }] })).body.data;
    await t.sql('update shop_orders set reserved_until = now() where id = $1', [expiring.id]);
    await t.sql("update plinth_jobs set next_run_at = now() where name = 'shop.order.expire' and data->>'key' = $1", [expiring.id]);
    await eventually(async () => {
      await t.drainJobs();
      return (await api('GET', `/orders/${expiring.id}`)).body.data.status === 'cancelled';
    });
    const [, byJob] = await entriesFor(expiring.id);
    expect(byJob).toMatchObject({
      action: 'shop.order.cancelled',
      actor: { user_id: null },
      data: { by: 'shop', note: 'Not paid in time: reservation released', changes: { status: { from: 'pending', to: 'cancelled' } } },
    });

    const cancelled = (await api('POST', '/orders', { customer: { email: 'quick@example.test' }, items: [{ variant_id: variantId, quantity: 1 }] })).body.data;
    expect((await api('POST', `/orders/${cancelled.id}/cancel`, { note: 'Asked by phone' })).status).toBe(200);
    expect(await entriesFor(cancelled.id)).toMatchObject([
      { action: 'shop.order.created' },
      { action: 'shop.order.cancelled', actor: { user_id: owner.id }, data: { note: 'Asked by phone' } },
    ]);
  });

  it('leaves no entry for a request that fails after writing (the product and its entry roll back together)', async () => {
    const failed = await api('POST', '/products', {
      name: 'Never saved',
      slug: 'never-saved',
      // The product and its first variant are written (and recorded) before the second variant is refused.
      variants: [
        { sku: 'NEVER-1', price: 100 },
        { sku: 'NEVER-2', price: 100, compare_at_price: 50 },
      ],
    });
    expect(failed.status).toBe(422);
    expect(failed.body.errors).toHaveProperty(['variants.1.compare_at_price']);
    expect((await api('GET', '/products?q=never')).body.data).toEqual([]);
    const log = await t.request('GET', '/api/v1/audit-log?action=shop.&per_page=100', { headers: owner.headers });
    expect(JSON.stringify(log.body.data)).not.toContain('Never saved');
    expect(JSON.stringify(log.body.data)).not.toContain('NEVER-1');
  });

  it("records no read, and leaves the shop's settings to core's entry", async () => {
    const before = (await t.request('GET', '/api/v1/audit-log?action=shop.&per_page=1', { headers: owner.headers })).body.meta.pagination.total;
    await api('GET', '/products');
    await api('GET', '/orders');
    await api('GET', '/categories');
    expect((await t.request('GET', '/api/v1/audit-log?action=shop.&per_page=1', { headers: owner.headers })).body.meta.pagination.total).toBe(before);
    expect((await t.request('PUT', '/api/v1/plugins/shop/settings', { headers: owner.headers, body: { tax_rate_bps: 1000 } })).status).toBe(200);
    const settings = await t.request('GET', '/api/v1/audit-log?action=plugin.settings_changed', { headers: owner.headers });
    expect(settings.body.data[0]).toMatchObject({ target: { type: 'plugin', id: 'shop' }, actor: { user_id: owner.id } });
  });
});
