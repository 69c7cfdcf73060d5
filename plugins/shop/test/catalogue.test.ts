import { signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed, shopApi, shopKernel, shopTenant, storeApi } from './helpers.js';

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

describe('catalogue', () => {
  it('creates, reads, updates and deletes products with variants, emitting product events', async () => {
    const created = await api('POST', '/products', {
      name: 'Blue Mug',
      description: 'A mug, blue.',
      images: ['https://cdn.example.test/mug.jpg'],
      seo_title: 'Blue mug',
      metadata: { lms_course_id: 'c-1' },
      variants: [
        { sku: 'MUG-S', name: 'Small', price: 1200, compare_at_price: 1500, attributes: { size: 'S' }, stock: 4, weight_grams: 300 },
        { sku: 'MUG-L', name: 'Large', price: 1600 },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'Blue Mug', slug: 'blue-mug', status: 'draft', metadata: { lms_course_id: 'c-1' } });
    expect(created.body.data.variants).toMatchObject([
      { sku: 'MUG-S', price: 1200, compare_at_price: 1500, attributes: { size: 'S' }, stock: 4, weight_grams: 300 },
      { sku: 'MUG-L', price: 1600, stock: 0 },
    ]);
    const id = created.body.data.id;
    const updated = await api('PATCH', `/products/${id}`, { status: 'active', name: 'Blue Mug II' });
    expect(updated.body.data).toMatchObject({ status: 'active', name: 'Blue Mug II', slug: 'blue-mug' });
    expect((await api('GET', `/products/${id}`)).body.data.variants).toHaveLength(2);
    expect((await api('DELETE', `/products/${id}`)).status).toBe(204);
    expect((await api('GET', `/products/${id}`)).status).toBe(404);
    const tenant = owner.tenant!.id;
    expect(await eventsNamed(t, tenant, 'shop.product.created')).toContainEqual({ productId: id, slug: 'blue-mug', name: 'Blue Mug' });
    expect(await eventsNamed(t, tenant, 'shop.product.updated')).toContainEqual({ productId: id, slug: 'blue-mug', name: 'Blue Mug II' });
    expect(await eventsNamed(t, tenant, 'shop.product.deleted')).toContainEqual({ productId: id, slug: 'blue-mug', name: 'Blue Mug II' });
  });

  it('refuses bad product input and duplicate slugs or SKUs, writing nothing', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: 'X', status: 'live' },
      { name: 'X', slug: 'Not A Slug' },
      { name: 'X', images: ['not a url'] },
      { name: 'X', variants: [{ sku: 'A', price: -1 }] },
      { name: 'X', variants: [{ sku: 'A', price: 1.5 }] },
      { name: 'X', variants: [{ sku: 'A', price: 100, stock: -3 }] },
      { name: 'X', category_id: '00000000-0000-4000-8000-000000000000' },
      { name: 'X', colour: 'red' },
    ]) {
      const response = await api('POST', '/products', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
    expect((await api('POST', '/products', { name: 'Dup', slug: 'dup', variants: [{ sku: 'DUP-1', price: 1 }] })).status).toBe(201);
    const slugTaken = await api('POST', '/products', { name: 'Dup', slug: 'dup' });
    expect(slugTaken.status).toBe(409);
    expect(slugTaken.body.errors).toEqual({ slug: ['is already taken'] });
    const skuTaken = await api('POST', '/products', { name: 'Other', variants: [{ sku: 'DUP-1', price: 1 }] });
    expect(skuTaken.status).toBe(409);
    expect(skuTaken.body.errors).toEqual({ sku: ['is already taken'] });
    expect((await api('GET', '/products?q=other')).body.data).toEqual([]);
    expect((await api('GET', '/products/not-a-uuid')).status).toBe(422);
    expect((await api('PATCH', '/products/00000000-0000-4000-8000-000000000000', { name: 'Y' })).status).toBe(404);
  });

  it('searches, filters by category (with subcategories), sorts and paginates', async () => {
    const clothes = (await api('POST', '/categories', { name: 'Clothes' })).body.data;
    const shirts = (await api('POST', '/categories', { name: 'Shirts', parent_id: clothes.id })).body.data;
    expect((await api('PATCH', `/categories/${clothes.id}`, { parent_id: shirts.id })).status).toBe(422);
    expect((await api('POST', '/categories', { name: 'Clothes' })).status).toBe(409);
    // The category picker's search: by name, any case, `%` and `_` taken literally.
    const found = async (q: string) => ((await api('GET', `/categories?q=${encodeURIComponent(q)}`)).body.data as { name: string }[]).map((c) => c.name);
    expect(await found('SHIR')).toEqual(['Shirts']);
    expect(await found('%')).toEqual([]);
    for (const [name, price, category] of [
      ['Zebra shirt', 3000, shirts.id],
      ['Alpaca scarf', 5000, clothes.id],
      ['Lamp', 2000, null],
    ] as const) {
      expect(
        (await api('POST', '/products', { name, status: 'active', category_id: category, variants: [{ sku: `S-${name.replace(/\W/g, '')}`, price }] })).status,
      ).toBe(201);
    }
    const inClothes = (await api('GET', `/products?category_id=${clothes.id}&sort=name`)).body.data.map((product: { name: string }) => product.name);
    expect(inClothes).toEqual(['Alpaca scarf', 'Zebra shirt']);
    const byPrice = (await api('GET', `/products?category_id=${clothes.id}&sort=-price`)).body.data.map((product: { name: string }) => product.name);
    expect(byPrice).toEqual(['Alpaca scarf', 'Zebra shirt']);
    expect((await api('GET', '/products?q=S-Lamp')).body.data.map((product: { name: string }) => product.name)).toEqual(['Lamp']);
    expect((await api('GET', '/products?q=%25')).body.data).toEqual([]);
    const page = await api('GET', '/products?status=active&per_page=2&page=2&sort=name');
    expect(page.body.meta.pagination).toMatchObject({ page: 2, per_page: 2 });
    expect((await api('GET', '/products?sort=sku')).status).toBe(422);
    expect((await api('DELETE', `/categories/${clothes.id}`)).status).toBe(204);
    expect((await api('GET', `/categories/${shirts.id}`)).body.data.parent_id).toBeNull();
  });

  it('keeps a stock ledger, never lets stock go negative, and emits shop.stock.low once when crossing the threshold', async () => {
    const product = (await api('POST', '/products', { name: 'Socks', variants: [{ sku: 'SOCK', price: 500, stock: 8 }] })).body.data;
    const variant = product.variants[0].id;
    expect((await api('POST', `/variants/${variant}/stock`, { delta: -3, note: 'count' })).body.data).toEqual({ variant_id: variant, stock: 5 });
    expect((await api('POST', `/variants/${variant}/stock`, { delta: -1 })).body.data.stock).toBe(4);
    const negative = await api('POST', `/variants/${variant}/stock`, { delta: -5 });
    expect(negative.status).toBe(409);
    expect(negative.body.code).toBe('out_of_stock');
    expect((await api('POST', `/variants/${variant}/stock`, { delta: 0 })).status).toBe(422);
    expect((await api('POST', `/variants/${variant}/stock`, { delta: 2, reason: 'sold' })).status).toBe(422);
    const ledger = (await api('GET', `/variants/${variant}/movements`)).body.data;
    expect(ledger.map((entry: { quantity: number }) => entry.quantity)).toEqual([-1, -3, 8]);
    expect(ledger.reduce((sum: number, entry: { quantity: number }) => sum + entry.quantity, 0)).toBe(4);
    const low = await eventsNamed(t, owner.tenant!.id, 'shop.stock.low');
    expect(low.filter((event) => event.variantId === variant)).toEqual([{ variantId: variant, sku: 'SOCK', stock: 5, threshold: 5 }]);
    expect((await api('PATCH', `/variants/${variant}`, { price: 450, stock: 100 })).status).toBe(422);
    expect((await api('PATCH', `/variants/${variant}`, { price: 450 })).body.data).toMatchObject({ price: 450, stock: 4 });
    expect((await api('POST', `/products/${product.id}/variants`, { sku: 'SOCK', price: 1 })).status).toBe(409);
    expect((await api('DELETE', `/variants/${variant}`)).status).toBe(204);
    expect((await api('GET', `/variants/${variant}/movements`)).status).toBe(404);
  });

  it('serves a public storefront of active products with public fields only', async () => {
    const store = storeApi(t, owner.tenant!.slug);
    await api('POST', '/products', { name: 'Secret draft', status: 'draft', variants: [{ sku: 'DRAFT-1', price: 1 }] });
    const visible = (
      await api('POST', '/products', { name: 'Public tee', status: 'active', metadata: { cost: 3 }, variants: [{ sku: 'TEE', price: 2000, stock: 1 }] })
    ).body.data;
    const listed = await store('GET', '/products?q=tee');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      {
        id: visible.id,
        name: 'Public tee',
        slug: 'public-tee',
        description: '',
        images: [],
        image_files: [],
        seo_title: null,
        seo_description: null,
        category_id: null,
        variants: [{ id: visible.variants[0].id, sku: 'TEE', name: '', price: 2000, compare_at_price: null, attributes: {}, in_stock: true, image: null }],
      },
    ]);
    expect((await store('GET', '/products?q=secret')).body.data).toEqual([]);
    expect((await store('GET', '/products/secret-draft')).status).toBe(404);
    expect((await store('GET', '/products/public-tee')).body.data.id).toBe(visible.id);
    expect((await store('GET', '/categories')).status).toBe(200);
    expect((await t.request('GET', '/api/v1/shop/store/products')).status).toBe(400);
    const disabled = await shopTenantWithoutShop();
    expect((await storeApi(t, disabled)('GET', '/products')).body.code).toBe('plugin_not_enabled');
  });

  it("rate-limits the public storefront by the tenant's request quota", async () => {
    const limited = await signUp(t, { tenant: true });
    await t.sql(`update tenants set quotas = '{"requests_per_minute": 6}' where id = $1`, [limited.tenant!.id]);
    await t.enable(limited, 'shop');
    const statuses: number[] = [];
    for (let index = 0; index < 8; index++) {
      const response = await storeApi(t, limited.tenant!.slug)('GET', '/products');
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body.code).toBe('rate_limited');
        expect(response.headers.get('retry-after')).toBeTruthy();
      }
    }
    expect(statuses).toContain(200);
    expect(statuses.at(-1)).toBe(429);
  });

  it('validates settings and has migrations that run down and up again', async () => {
    for (const body of [{ tax_rate_bps: -1 }, { currency: 'usd' }, { shipping_rates: [{ code: 'X Y', name: 'a', amount: 1 }] }, { reservation_seconds: 0 }]) {
      expect((await t.request('PUT', '/api/v1/plugins/shop/settings', { headers: owner.headers, body })).status, JSON.stringify(body)).toBe(422);
    }
    const openapi = await t.request('GET', '/api/v1/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/v1/shop/products', '/api/v1/shop/store/carts/{token}/checkout']));
    await t.checkMigrations('shop');
    const fresh = await shopTenant(t);
    expect((await shopApi(t, fresh)('GET', '/products')).body.data).toEqual([]);
  });
});

async function shopTenantWithoutShop(): Promise<string> {
  return (await signUp(t, { tenant: true })).tenant!.slug;
}
