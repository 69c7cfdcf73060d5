import { createHmac } from 'node:crypto';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';
import { mapOrder, mapProduct, MappingError, toMinorUnits } from '../src/woocommerce/mapping.js';
import { fakeShopPlugin } from './support/fake-shop.js';
import { startFakeWooStore, type FakeWooStore } from './support/woo-store.js';

let t: TestKernel;
let owner: TestUser;
let store: FakeWooStore;
let connection: { id: string; webhook_secret: string; delivery_url: string };
beforeAll(async () => {
  store = await startFakeWooStore();
  t = await createTestKernel({ plugins: [fakeShopPlugin, createIntegrationsPlugin()], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  const created = await t.request('POST', '/api/v1/integrations/woocommerce/connections', {
    headers: owner.headers,
    body: { name: 'Main store', store_url: store.url, consumer_key: 'ck_abcdefgh12345678', consumer_secret: 'cs_secret12345678', currency: 'EUR' },
  });
  expect(created.status).toBe(201);
  connection = created.body.data;
});
afterAll(async () => {
  await store?.close();
  await t?.close();
});

const product = {
  id: 101,
  name: 'Mug',
  status: 'publish',
  sku: 'MUG-1',
  price: '12.50',
  manage_stock: true,
  stock_quantity: 7,
  images: [{ src: 'https://store.test/mug.png' }],
};
const order = {
  id: 5001,
  status: 'processing',
  currency: 'EUR',
  total: '25.00',
  date_created_gmt: '2026-11-20T10:00:00',
  billing: { email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' },
  line_items: [{ product_id: 101, variation_id: 0, sku: 'MUG-1', name: 'Mug', quantity: 2, price: 12.5, total: '25.00' }],
};

function sign(body: string, secret = connection.webhook_secret): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

async function deliver(topic: string, data: unknown, options: { signature?: string; tenant?: string } = {}) {
  const body = JSON.stringify(data);
  const response = await fetch(`${t.url}/api/v1/integrations/woocommerce/${options.tenant ?? owner.tenant!.slug}/${connection.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': topic, 'x-wc-webhook-signature': options.signature ?? sign(body) },
    body,
  });
  return { status: response.status, body: (await response.json()) as { data: Record<string, unknown>; code?: string } };
}

const synced = () =>
  t.sql<{ kind: string; external_id: string; data: Record<string, unknown>; upserts: number }>(
    'select kind, external_id, data, upserts from shop_synced order by kind, external_id',
  );

describe('WooCommerce mapping', () => {
  it('maps orders and products into the shop contract, amounts in minor units', () => {
    expect(mapOrder(order, 'woocommerce:x')).toEqual({
      source: 'woocommerce:x',
      externalId: '5001',
      status: 'paid',
      currency: 'EUR',
      customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
      lines: [{ sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250 }],
      total: 2500,
      placedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(mapProduct(product, 'woocommerce:x', 'EUR')).toEqual({
      source: 'woocommerce:x',
      externalId: '101',
      name: 'Mug',
      status: 'active',
      images: ['https://store.test/mug.png'],
      variants: [{ externalId: '101', sku: 'MUG-1', price: 1250, stock: 7 }],
    });
    expect(toMinorUnits('1500', 'JPY')).toBe(1500);
    expect(toMinorUnits('0.1', 'USD') + toMinorUnits('0.2', 'USD')).toBe(30);
    expect(mapOrder({ ...order, status: 'completed' }, 's').status).toBe('fulfilled');
    expect(mapProduct({ ...product, sku: '', manage_stock: false }, 's', 'EUR').variants[0]).toMatchObject({ sku: 'woo-101', stock: null });
    expect(() => mapOrder({ ...order, status: 'weird' }, 's')).toThrow(MappingError);
    expect(() => mapOrder({ ...order, billing: {} }, 's')).toThrow(MappingError);
    expect(() => mapOrder({ ...order, total: 'abc' }, 's')).toThrow(MappingError);
  });
});

describe('WooCommerce webhooks', () => {
  it('answers the creation ping without doing anything', async () => {
    const response = await fetch(`${t.url}${connection.delivery_url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=12',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ status: 'pong' });
  });

  it('answers 409 shop_not_enabled while the tenant has no shop', async () => {
    const response = await deliver('product.created', product);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('shop_not_enabled');
    expect((await t.request('POST', `/api/v1/integrations/woocommerce/connections/${connection.id}/reconcile`, { headers: owner.headers })).body.code).toBe(
      'shop_not_enabled',
    );
    await t.enable(owner, 'shop');
  });

  it('refuses a wrong or missing signature, and a body changed after signing', async () => {
    expect((await deliver('product.created', product, { signature: sign('{}') })).body.code).toBe('invalid_signature');
    expect((await deliver('product.created', product, { signature: sign(JSON.stringify(product), 'another-secret') })).status).toBe(401);
    const response = await fetch(`${t.url}${connection.delivery_url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'product.created', 'x-wc-webhook-signature': sign(JSON.stringify(product)) },
      body: JSON.stringify({ ...product, price: '0.01' }),
    });
    expect(response.status).toBe(401);
    expect(await synced()).toEqual([]);
  });

  it('syncs products and orders idempotently by external id', async () => {
    expect((await deliver('product.created', product)).body.data).toMatchObject({ status: 'created', kind: 'product', external_id: '101' });
    expect((await deliver('product.created', product)).body.data).toMatchObject({ status: 'unchanged' });
    expect((await deliver('product.updated', { ...product, price: '13.00' })).body.data).toMatchObject({ status: 'updated' });
    expect((await deliver('order.created', order)).body.data).toMatchObject({ status: 'created', kind: 'order', external_id: '5001' });
    expect((await deliver('order.updated', order)).body.data).toMatchObject({ status: 'unchanged' });
    const rows = await synced();
    expect(rows.map((row) => [row.kind, row.external_id, row.upserts])).toEqual([
      ['order', '5001', 1],
      ['product', '101', 2],
    ]);
    expect(rows[1]!.data).toMatchObject({ variants: [{ price: 1300, stock: 7 }] });
    expect(rows[0]!.data).toMatchObject({ source: `woocommerce:${connection.id}`, status: 'paid', total: 2500 });
  });

  it('archives a deleted product and ignores topics it does not sync', async () => {
    expect((await deliver('product.deleted', { id: 101 })).body.data).toMatchObject({ status: 'updated' });
    expect((await synced()).find((row) => row.kind === 'product')!.data.status).toBe('archived');
    expect((await deliver('product.deleted', { id: 999 })).body.data).toEqual({ status: 'ignored' });
    expect((await deliver('coupon.created', { id: 1 })).body.data).toEqual({ status: 'ignored' });
  });

  it('refuses records it cannot map with 422, changing nothing', async () => {
    const response = await deliver('order.created', { ...order, id: 5002, status: 'mystery' });
    expect(response.status).toBe(422);
    expect((await synced()).some((row) => row.external_id === '5002')).toBe(false);
  });

  it('answers 404 for unknown connections, and for the right id under another tenant', async () => {
    const other = await signUp(t, { tenant: true });
    await t.enable(other, 'integrations');
    expect((await deliver('product.created', product, { tenant: other.tenant!.slug })).status).toBe(404);
    const response = await fetch(`${t.url}/api/v1/integrations/woocommerce/${owner.tenant!.slug}/not-a-uuid`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
  });
});

describe('WooCommerce reconciliation', () => {
  it('reads changed products and orders through the REST client, page by page, and syncs them idempotently', async () => {
    store.products.push(
      product,
      { ...product, id: 102, name: 'Plate', sku: 'PLATE', price: '8.00' },
      { ...product, id: 103, name: 'Bowl', sku: 'BOWL', status: 'draft' },
    );
    store.orders.push({ ...order, id: 5003 }, { ...order, id: 5004, status: 'mystery' });
    const queued = await t.request('POST', `/api/v1/integrations/woocommerce/connections/${connection.id}/reconcile`, { headers: owner.headers });
    expect(queued.status).toBe(202);
    await t.drainJobs();
    const productRequests = store.requests.filter((url) => url.pathname.endsWith('/products'));
    expect(productRequests.map((url) => url.searchParams.get('page'))).toEqual(['1', '2']);
    expect(productRequests[0]!.searchParams.get('oauth_consumer_key')).toBe('ck_abcdefgh12345678');
    expect(productRequests[0]!.searchParams.get('oauth_signature')).toBeTruthy();
    expect(productRequests[0]!.searchParams.has('modified_after')).toBe(false);
    const rows = await synced();
    expect(rows.map((row) => `${row.kind}:${row.external_id}`)).toEqual(['order:5001', 'order:5003', 'product:101', 'product:102', 'product:103']);
    const fetched = (await t.request('GET', `/api/v1/integrations/woocommerce/connections/${connection.id}`, { headers: owner.headers })).body.data;
    expect(fetched).toMatchObject({ last_error: null, last_reconciled_at: expect.any(String) });
    expect(JSON.stringify(fetched)).not.toContain('cs_secret12345678');
    // The audit log holds one entry for the run, not one per record.
    const imports = async () =>
      (await t.request('GET', '/api/v1/audit-log?action=integrations.import.completed', { headers: owner.headers })).body.data as {
        target: { id: string };
        data: Record<string, number | string>;
      }[];
    const [run] = await imports();
    expect(run).toMatchObject({ target: { id: connection.id }, data: { source: 'woocommerce', skipped: 1 } });
    expect(run!.data.rows).toBe(Number(run!.data.created) + Number(run!.data.updated) + Number(run!.data.unchanged) + 1);

    store.requests.length = 0;
    await t.request('POST', `/api/v1/integrations/woocommerce/connections/${connection.id}/reconcile`, { headers: owner.headers });
    await t.drainJobs();
    expect(store.requests[0]!.searchParams.get('modified_after')).toEqual(expect.any(String));
    expect((await synced()).find((row) => row.external_id === '102')!.upserts).toBe(1);
    // A run that changed nothing in the shop leaves no entry.
    expect(await imports()).toHaveLength(1);
    const records = await t.request('GET', `/api/v1/integrations/woocommerce/connections/${connection.id}/records`, { headers: owner.headers });
    expect(records.body.meta.pagination.total).toBe(5);
  });

  it('records an unreachable or refused store as the connection error', async () => {
    const patched = await t.request('PATCH', `/api/v1/integrations/woocommerce/connections/${connection.id}`, {
      headers: owner.headers,
      body: { store_url: 'http://169.254.169.254/' },
    });
    // Refused when registered (webhook-url-policy.test.ts); a stored name whose DNS changes later gets here.
    expect(patched.status).toBe(422);
    await t.sql('update integrations_woo_connections set store_url = $1 where id = $2', ['http://169.254.169.254/', connection.id]);
    await t.request('POST', `/api/v1/integrations/woocommerce/connections/${connection.id}/reconcile`, { headers: owner.headers });
    await t.drainJobs();
    const fetched = (await t.request('GET', `/api/v1/integrations/woocommerce/connections/${connection.id}`, { headers: owner.headers })).body.data;
    expect(fetched.last_error).toMatch(/link-local/);
  });

  it('refuses bad connections', async () => {
    const base = {
      name: 'x',
      store_url: 'https://shop.example.com',
      consumer_key: 'ck_abcdefgh12345678',
      consumer_secret: 'cs_secret12345678',
      currency: 'EUR',
    };
    for (const body of [
      { ...base, store_url: 'nope' },
      { ...base, consumer_key: 'abc' },
      { ...base, currency: 'euro' },
      { ...base, extra: 1 },
      { name: 'x' },
    ]) {
      const response = await t.request('POST', '/api/v1/integrations/woocommerce/connections', { headers: owner.headers, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
  });
});
