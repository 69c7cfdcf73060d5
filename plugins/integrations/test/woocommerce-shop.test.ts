import { createHmac } from 'node:crypto';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';

// End to end with the real shop plugin (which requires payments): WooCommerce webhooks land in the shop's tables.
let t: TestKernel;
let owner: TestUser;
let connection: { id: string; webhook_secret: string; delivery_url: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, shop, createIntegrationsPlugin()] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  await t.enable(owner, 'shop');
  const created = await t.request('POST', '/api/v1/integrations/woocommerce/connections', {
    headers: owner.headers,
    body: { name: 'Store', store_url: 'https://store.example.com', consumer_key: 'ck_abcdefgh12345678', consumer_secret: 'cs_secret12345678', currency: 'EUR' },
  });
  expect(created.status).toBe(201);
  connection = created.body.data;
});
afterAll(() => t?.close());

async function deliver(topic: string, data: unknown) {
  const body = JSON.stringify(data);
  const response = await fetch(`${t.url}${connection.delivery_url}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-signature': createHmac('sha256', connection.webhook_secret).update(body).digest('base64'),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as { data: Record<string, unknown> } };
}

describe('WooCommerce into the real shop', () => {
  it('creates the product and the order in the shop once, however often WooCommerce repeats them', async () => {
    const product = { id: 7, name: 'Teapot', status: 'publish', sku: 'TEAPOT', price: '30.00', manage_stock: true, stock_quantity: 4 };
    const order = {
      id: 900,
      status: 'processing',
      currency: 'EUR',
      total: '30.00',
      date_created_gmt: '2026-11-20T09:00:00',
      billing: { email: 'grace@example.com', first_name: 'Grace', last_name: 'Hopper' },
      line_items: [{ product_id: 7, sku: 'TEAPOT', name: 'Teapot', quantity: 1, price: 30 }],
    };
    const first = await deliver('product.created', product);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toMatchObject({ status: 'created' });
    expect((await deliver('product.updated', product)).body.data).toMatchObject({ status: 'unchanged' });
    expect((await deliver('order.created', order)).body.data).toMatchObject({ status: 'created' });
    expect((await deliver('order.updated', order)).body.data).toMatchObject({ status: 'unchanged' });
    expect((await deliver('order.updated', { ...order, status: 'completed' })).body.data).toMatchObject({ status: 'updated' });

    const products = await t.sql<{ name: string; price: number }>(
      'select p.name, v.price from shop_products p join shop_variants v on v.product_id = p.id where p.source = $1',
      [`woocommerce:${connection.id}`],
    );
    expect(products).toEqual([{ name: 'Teapot', price: 3000 }]);
    const orders = await t.sql<{ status: string; total: number; currency: string }>('select status, total, currency from shop_orders where external_id = $1', [
      '900',
    ]);
    expect(orders).toEqual([{ status: 'fulfilled', total: 3000, currency: 'EUR' }]);
  });
});
