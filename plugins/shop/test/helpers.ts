import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import type { Plugin } from '@plinth/sdk';
import shop from '../src/index.js';

/** The test gateway's succeeding card. */
export const GOOD_CARD = '4242424242424242';

/** A kernel with payments and shop, and `count` tenants with both enabled (test gateway configured). */
export async function shopKernel(count = 2, extraPlugins: Plugin[] = []): Promise<{ t: TestKernel; owners: TestUser[] }> {
  const t = await createTestKernel({ plugins: [payments, shop, ...extraPlugins] });
  const owners: TestUser[] = [];
  for (let index = 0; index < count; index++) owners.push(await shopTenant(t));
  return { t, owners };
}

/** A new tenant with the shop (and payments, with the test gateway's webhook secret) enabled. */
export async function shopTenant(t: TestKernel, settings?: Record<string, unknown>): Promise<TestUser> {
  const owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'shop', settings);
  const provider = await t.request('PUT', '/api/v1/payments/providers/test', {
    headers: owner.headers,
    body: { credentials: { webhook_secret: `whsec_${owner.tenant!.slug}` } },
  });
  if (provider.status !== 200) throw new Error(`configuring the test gateway failed: ${provider.status} ${JSON.stringify(provider.body)}`);
  return owner;
}

/** Calls `/api/v1/shop…` as `user`. */
export function shopApi(t: TestKernel, user: { headers: Record<string, string> }) {
  return (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/shop${path}`, { headers: user.headers, body });
}

/** Calls the public storefront of a tenant, anonymously. */
export function storeApi(t: TestKernel, tenantSlug: string) {
  return (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/shop/store${path}`, { headers: { 'x-tenant': tenantSlug }, body });
}

let productCounter = 0;

/** Creates an active product with one variant; returns the product and variant ids. */
export async function createProduct(
  t: TestKernel,
  owner: TestUser,
  options: { price?: number; stock?: number; sku?: string; status?: string; metadata?: Record<string, unknown>; name?: string } = {},
): Promise<{ productId: string; variantId: string; sku: string }> {
  const n = ++productCounter;
  const sku = options.sku ?? `SKU-${process.pid}-${n}`;
  const response = await shopApi(t, owner)('POST', '/products', {
    name: options.name ?? `Product ${n}`,
    slug: `product-${process.pid}-${n}`,
    status: options.status ?? 'active',
    metadata: options.metadata ?? {},
    variants: [{ sku, price: options.price ?? 1000, stock: options.stock ?? 10 }],
  });
  if (response.status !== 201) throw new Error(`creating a product failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { productId: response.body.data.id, variantId: response.body.data.variants[0].id, sku };
}

/** Polls `check` until it returns a truthy value or the deadline passes (no sleeps as synchronisation). */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The payloads of a tenant's outbox events of a name, oldest first. */
export async function eventsNamed<T = Record<string, unknown>>(t: TestKernel, tenantId: string, name: string): Promise<T[]> {
  const rows = await t.sql<{ payload: T }>('select payload from plinth_events where tenant_id = $1 and name = $2 order by created_at, id', [tenantId, name]);
  return rows.map((row) => row.payload);
}

/** The current stock of a variant, read through the API. */
export async function stockOf(t: TestKernel, owner: TestUser, variantId: string): Promise<number> {
  return (await shopApi(t, owner)('GET', `/variants/${variantId}`)).body.data.stock;
}

/** How many runs of an order's expiry job are still queued (its key is the order id). */
export async function queuedExpiries(t: TestKernel, orderId: string): Promise<number> {
  const rows = await t.sql(
    "select 1 from plinth_jobs where name = 'shop.order.expire' and data->>'key' = $1 and next_run_at is not null and locked_at is null",
    [orderId],
  );
  return rows.length;
}
