import { putOnPlan, savePlan, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopFriendPlugin } from './fixtures/shop-friend-plugin.js';
import { shopApi, shopKernel } from './helpers.js';

// The shop's `products` limit (docs/billing.md, README "Plan limits").
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  const world = await shopKernel(2, [shopFriendPlugin]);
  t = world.t;
  [owner, other] = world.owners as [TestUser, TestUser];
  await t.enable(owner!, 'shop-friend');
  // The owner's tenant stays on the default plan, `free`, which the host limited; the other is on an unlisted plan without limits.
  await savePlan(t, { key: 'free', name: 'Free', limits: { 'shop.products': 2 } });
  await savePlan(t, { key: 'store', name: 'Store', prices: [{ currency: 'EUR', interval: 'year', amount: 19900 }], limits: { 'shop.products': 500 } });
  await putOnPlan(t, other!.tenant!.id, { key: 'partner', name: 'Partner', public: false });
});
afterAll(() => t?.close());

let counter = 0;
const newProduct = (user: TestUser) =>
  shopApi(t, user)('POST', '/products', { name: `Limited ${++counter}`, variants: [{ sku: `LIM-${counter}`, price: 500 }] });
const productsOf = async (user: TestUser) =>
  (await t.sql<{ n: number }>('select count(*)::int as n from shop_products where tenant_id = $1', [user.tenant!.id]))[0]!.n;

describe('the plan limit on products', () => {
  it("counts only this tenant's products and refuses the one past the limit, naming the plan that lifts it", async () => {
    for (let i = 0; i < 3; i++) expect((await newProduct(other!)).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await newProduct(owner!)).status).toBe(201);
    const refused = await newProduct(owner!);
    const refusedSku = `LIM-${counter}`;
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['shop.products'], max: ['2'], used: ['2'], upgrade: ['store'] } });
    const arabic = await t.request('POST', '/api/v1/shop/products', { headers: { ...owner!.headers, 'accept-language': 'ar' }, body: { name: 'Arabic' } });
    expect(arabic.body.message).toContain('المنتجات');
    // Nothing of the refused product was written: not its variants either.
    expect(await productsOf(owner!)).toBe(2);
    expect(await t.sql('select id from shop_variants where sku = $1', [refusedSku])).toEqual([]);
    expect((await newProduct(other!)).status).toBe(201);
  });

  it('frees a place when a product is deleted (an archived one still counts)', async () => {
    const [first, second] = (await shopApi(t, owner!)('GET', '/products')).body.data as { id: string }[];
    expect((await shopApi(t, owner!)('PATCH', `/products/${first!.id}`, { status: 'archived' })).status).toBe(200);
    expect((await newProduct(owner!)).status).toBe(409);
    expect((await shopApi(t, owner!)('DELETE', `/products/${second!.id}`)).status).toBe(204);
    expect((await newProduct(owner!)).status).toBe(201);
  });

  it('counts products a connector syncs in: a new one past the limit is refused, an update passes', async () => {
    const sync = (body: unknown) => t.request('POST', '/api/v1/shop-friend/products', { headers: owner!.headers, body });
    const [kept] = (await shopApi(t, owner!)('GET', '/products')).body.data as { id: string }[];
    await t.sql("update shop_products set source = 'woocommerce', external_id = 'kept' where id = $1", [kept!.id]);
    const product = {
      source: 'woocommerce',
      externalId: 'new',
      name: 'Synced',
      status: 'active',
      variants: [{ externalId: 'new-1', sku: 'SYNC-1', price: 900, stock: 1 }],
    };
    const refused = await sync(product);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['shop.products'] } });
    expect(await t.sql("select id from shop_products where external_id = 'new'")).toEqual([]);
    const updated = await sync({ ...product, externalId: 'kept', name: 'Kept, renamed', variants: [] });
    expect(updated.body.data).toEqual({ productId: kept!.id, created: false });
  });
});
