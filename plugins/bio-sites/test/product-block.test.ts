import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import plugin from '../src/plugin.js';
import { productPageTtlMs } from '../src/public/page-loader.js';
import { addBlock, createSite, visit } from './helpers.js';

let t: TestKernel;
let seller: TestUser;
let other: TestUser;
let noShop: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, shop, plugin] });
  seller = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  noShop = await signUp(t, { tenant: true });
  for (const owner of [seller, other]) {
    await t.enable(owner, 'bio-sites');
    await t.enable(owner, 'shop');
  }
  await t.enable(noShop, 'bio-sites');
});
afterAll(() => t?.close());
afterEach(() => vi.useRealTimers());

/** Creates a shop product as `owner`; its price is its cheapest variant's. */
async function createProduct(owner: TestUser, body: { name: string; slug: string; status?: string; prices?: number[] }) {
  const variants = (body.prices ?? [2500]).map((price, index) => ({ sku: `${body.slug}-${index}`, price, stock: 10 }));
  const response = await t.request('POST', '/api/v1/shop/products', {
    headers: owner.headers,
    body: { name: body.name, slug: body.slug, status: body.status ?? 'active', variants },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; slug: string; variants: { id: string }[] };
}

const shopApi = (owner: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1/shop${path}`, { headers: owner.headers, body });

async function blocksOf(siteId: string) {
  return t.sql<{ type: string; data: Record<string, unknown> }>('select type, data from bio_sites_blocks where site_id = $1 order by position', [siteId]);
}

/** The product card of a page (its `<article>`), or undefined. */
const cardOf = (page: string) => /<article class="product">.*?<\/article>/.exec(page)?.[0];

describe('product block', () => {
  it('is saved with the product id and renders a card: name, price in the tenant locale, buy link', async () => {
    const product = await createProduct(seller, { name: 'Linocut print', slug: 'linocut-print', prices: [4000, 2500] });
    const site = await createSite(t, seller, { slug: 'printmaker', status: 'published' });
    const block = await addBlock(t, seller, site.id, { type: 'product', data: { product_slug: 'linocut-print', label: 'Get the print' } });
    expect(block.data).toEqual({ product_slug: 'linocut-print', label: 'Get the print', product_id: product.id });

    const page = await visit(t, '/b/printmaker');
    expect(page.status).toBe(200);
    const card = cardOf(page.text)!;
    expect(card).toContain('<h2>Linocut print</h2>');
    expect(card).toContain('<p class="price">$25.00</p>');
    expect(card).toContain(`href="/c/${seller.tenant!.slug}/buy/linocut-print"`);
    expect(card).toContain('Get the print<span class="sr"> — Linocut print</span>');
    expect(page.text).not.toContain('<script');

    // The console sends back what it read, product_id included: accepted, and resolved again from the slug.
    const patched = await t.request('PATCH', `/api/v1/bio-sites/sites/${site.id}/blocks/${block.id}`, {
      headers: seller.headers,
      body: { data: { ...(block.data as object), label: null } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data.data).toEqual({ product_slug: 'linocut-print', label: null, product_id: product.id });
    expect(cardOf((await visit(t, '/b/printmaker')).text)).toContain('>Buy<span class="sr">');
  });

  it("formats the price in the tenant's locale and escapes the product's name", async () => {
    const owner = await signUp(t, { tenant: true });
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'de-DE' } })).status).toBe(200);
    await t.enable(owner, 'bio-sites');
    await t.enable(owner, 'shop');
    await createProduct(owner, { name: '<b>Mug</b> & "cup"', slug: 'mug', prices: [1250] });
    const site = await createSite(t, owner, { slug: 'mug-maker', status: 'published' });
    await addBlock(t, owner, site.id, { type: 'product', data: { product_slug: 'mug' } });
    const card = cardOf((await visit(t, '/b/mug-maker')).text)!;
    expect(card).toContain('<h2>&lt;b&gt;Mug&lt;/b&gt; &amp; &quot;cup&quot;</h2>');
    expect(card).toMatch(/<p class="price">12,50\s\$<\/p>/);
  });

  it('refuses a bad product block with 422 on data.product_slug, storing nothing', async () => {
    const site = await createSite(t, seller, { slug: 'refusals', status: 'published' });
    await createProduct(seller, { name: 'Draft zine', slug: 'draft-zine', status: 'draft' });
    await createProduct(other, { name: "Other tenant's book", slug: 'other-book' });
    const cases: [Record<string, unknown>, string][] = [
      [{ product_slug: 'no-such-product' }, 'data.product_slug'],
      [{ product_slug: 'draft-zine' }, 'data.product_slug'],
      [{ product_slug: 'other-book' }, 'data.product_slug'],
      [{ product_slug: 'Not A Slug' }, 'data.product_slug'],
      [{ product_slug: '' }, 'data.product_slug'],
      [{}, 'data.product_slug'],
      [{ product_slug: 42 }, 'data.product_slug'],
      [{ product_slug: 'linocut-print', label: 'x'.repeat(41) }, 'data.label'],
      [{ product_slug: 'linocut-print', price: 1 }, 'data.price'],
    ];
    for (const [data, field] of cases) {
      const response = await t.request('POST', `/api/v1/bio-sites/sites/${site.id}/blocks`, { headers: seller.headers, body: { type: 'product', data } });
      expect(response.status, JSON.stringify(data)).toBe(422);
      expect(Object.keys(response.body.errors ?? {}), JSON.stringify(response.body)).toContain(field);
    }
    expect(await blocksOf(site.id)).toEqual([]);
  });

  it('without the shop: saving one is 422, and a stored one renders nothing', async () => {
    const site = await createSite(t, noShop, { slug: 'no-shop-here', status: 'published' });
    const response = await t.request('POST', `/api/v1/bio-sites/sites/${site.id}/blocks`, {
      headers: noShop.headers,
      body: { type: 'product', data: { product_slug: 'linocut-print' } },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors['data.product_slug']).toEqual([expect.stringContaining('Shop plugin')]);
    expect(await blocksOf(site.id)).toEqual([]);

    // A tenant that turns the shop off keeps its blocks; the page leaves them out.
    const owner = await signUp(t, { tenant: true });
    await t.enable(owner, 'bio-sites');
    await t.enable(owner, 'shop');
    await createProduct(owner, { name: 'Soon gone', slug: 'soon-gone' });
    const kept = await createSite(t, owner, { slug: 'shop-turned-off', status: 'published' });
    await addBlock(t, owner, kept.id, { type: 'heading', data: { text: 'My shop' } });
    await addBlock(t, owner, kept.id, { type: 'product', data: { product_slug: 'soon-gone' } });
    expect(cardOf((await visit(t, '/b/shop-turned-off')).text)).toBeDefined();
    expect((await t.request('POST', '/api/v1/marketplace/shop/disable', { headers: owner.headers, body: {} })).status).toBe(200);
    await t.request('PATCH', `/api/v1/bio-sites/sites/${kept.id}`, { headers: owner.headers, body: { bio: 'Shop closed' } });
    const page = await visit(t, '/b/shop-turned-off');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2>My shop</h2>');
    expect(cardOf(page.text)).toBeUndefined();
  });

  it('an archived or deleted product is not rendered (the page drops it as soon as the shop says so)', async () => {
    const product = await createProduct(seller, { name: 'Tote bag', slug: 'tote-bag' });
    const gone = await createProduct(seller, { name: 'Old poster', slug: 'old-poster' });
    const site = await createSite(t, seller, { slug: 'bags', status: 'published' });
    await addBlock(t, seller, site.id, { type: 'product', data: { product_slug: 'tote-bag' } });
    await addBlock(t, seller, site.id, { type: 'product', data: { product_slug: 'old-poster' } });
    const before = await visit(t, '/b/bags');
    expect(before.text).toContain('<h2>Tote bag</h2>');
    expect(before.text).toContain('<h2>Old poster</h2>');

    expect((await shopApi(seller, 'PATCH', `/products/${product.id}`, { status: 'archived' })).status).toBe(200);
    expect((await shopApi(seller, 'DELETE', `/products/${gone.id}`)).status).toBe(204);
    await t.drainEvents();
    const after = await visit(t, '/b/bags');
    expect(after.status).toBe(200);
    expect(cardOf(after.text)).toBeUndefined();
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    // Still stored: it shows again when the product is back on sale.
    expect((await blocksOf(site.id)).map((block) => block.type)).toEqual(['product', 'product']);
    expect((await shopApi(seller, 'PATCH', `/products/${product.id}`, { status: 'active' })).status).toBe(200);
    await t.drainEvents();
    expect((await visit(t, '/b/bags')).text).toContain('<h2>Tote bag</h2>');
  });

  it("follows the product: a renamed product and a new slug at once, a variant's new price within the page TTL", async () => {
    const product = await createProduct(seller, { name: 'Sticker pack', slug: 'sticker-pack', prices: [500] });
    const site = await createSite(t, seller, { slug: 'stickers', status: 'published' });
    await addBlock(t, seller, site.id, { type: 'product', data: { product_slug: 'sticker-pack' } });
    const first = await visit(t, '/b/stickers');
    expect(cardOf(first.text)).toContain('<p class="price">$5.00</p>');

    expect((await shopApi(seller, 'PATCH', `/products/${product.id}`, { name: 'Sticker bundle', slug: 'sticker-bundle' })).status).toBe(200);
    await t.drainEvents();
    const renamed = cardOf((await visit(t, '/b/stickers')).text)!;
    expect(renamed).toContain('<h2>Sticker bundle</h2>');
    expect(renamed).toContain(`href="/c/${seller.tenant!.slug}/buy/sticker-bundle"`);

    // A variant's price change comes with no shop event: the cached page shows the old price until it expires.
    expect((await shopApi(seller, 'PATCH', `/variants/${product.variants[0]!.id}`, { price: 750 })).status).toBe(200);
    const cached = await visit(t, '/b/stickers');
    expect(cardOf(cached.text)).toContain('$5.00');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + productPageTtlMs + 1_000 });
    const repriced = await visit(t, '/b/stickers');
    expect(cardOf(repriced.text)).toContain('<p class="price">$7.50</p>');
    expect(repriced.headers.get('etag')).not.toBe(cached.headers.get('etag'));
  });
});
