import { solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, shopApi, shopKernel } from './helpers.js';

/** What the product editor needs of the API: compare-at prices checked, images' alternative text, rich descriptions. */
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let counter = 0;

beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [owner, other] = kit.owners as [TestUser, TestUser];
}, 60_000);
afterAll(() => t?.close());

const api = (user: TestUser = owner) => shopApi(t, user);

async function image(user: TestUser = owner): Promise<string> {
  const response = await t.upload(
    user,
    { name: `editor-${++counter}.png`, type: 'image/png', data: solidPng(40, 30, [counter * 20, 90, 160]) },
    { visibility: 'public' },
  );
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id as string;
}

function page(path: string) {
  return t.request('GET', path, { headers: { host: new URL(t.url).host } });
}

describe('compare-at prices', () => {
  it('refuses one at or below the price with a 422 at the field, on create, add and change', async () => {
    const created = await api()('POST', '/products', {
      name: 'Mug',
      variants: [
        { sku: `MUG-${process.pid}-A`, price: 1990, compare_at_price: 2490 },
        { sku: `MUG-${process.pid}-B`, price: 1990, compare_at_price: 1990 },
      ],
    });
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual({ 'variants.1.compare_at_price': ['must be more than the price (or empty)'] });

    const { productId, variantId } = await createProduct(t, owner, { price: 1990 });
    const added = await api()('POST', `/products/${productId}/variants`, { sku: `MUG-${process.pid}-C`, price: 1000, compare_at_price: 900 });
    expect(added.status).toBe(422);
    expect(added.body.errors.compare_at_price).toBeDefined();

    expect((await api()('PATCH', `/variants/${variantId}`, { compare_at_price: 2490 })).status).toBe(200);
    // A lower compare-at, or a price raised to it, is refused against what is stored.
    expect((await api()('PATCH', `/variants/${variantId}`, { compare_at_price: 1500 })).status).toBe(422);
    const raised = await api()('PATCH', `/variants/${variantId}`, { price: 2490 });
    expect(raised.status).toBe(422);
    expect(raised.body.errors.compare_at_price).toBeDefined();
    // Both together, and clearing it, are fine.
    expect((await api()('PATCH', `/variants/${variantId}`, { price: 2490, compare_at_price: 2990 })).body.data).toMatchObject({
      price: 2490,
      compare_at_price: 2990,
    });
    expect((await api()('PATCH', `/variants/${variantId}`, { compare_at_price: null, price: 100 })).body.data).toMatchObject({
      price: 100,
      compare_at_price: null,
    });
  });
});

describe("images' alternative text", () => {
  it('keeps text per image through reordering, drops it with the image, and ignores ids the product does not show', async () => {
    const [first, second] = [await image(), await image()];
    const stranger = await image();
    const created = await api()('POST', '/products', {
      name: 'Vase',
      image_file_ids: [first, second],
      image_alt: { [first]: '  A blue vase  ', [second]: '', [stranger]: 'not shown' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id as string;
    expect(created.body.data.image_alt).toEqual({ [first]: 'A blue vase' });

    const reordered = await api()('PATCH', `/products/${id}`, { image_file_ids: [second, first], image_alt: { [first]: 'A blue vase', [second]: 'Its base' } });
    expect(reordered.status).toBe(200);
    expect(reordered.body.data.image_file_ids).toEqual([second, first]);
    expect(reordered.body.data.image_alt).toEqual({ [first]: 'A blue vase', [second]: 'Its base' });

    const removed = await api()('PATCH', `/products/${id}`, { image_file_ids: [second] });
    expect(removed.body.data.image_alt).toEqual({ [second]: 'Its base' });

    // A key that names no image of the product is dropped like any other id it does not show.
    const unknown = await api()('PATCH', `/products/${id}`, { image_alt: { 'not-a-uuid': 'x', [second]: 'Its base' } });
    expect(unknown.body.data.image_alt).toEqual({ [second]: 'Its base' });
    expect((await api()('PATCH', `/products/${id}`, { image_alt: { [second]: 'x'.repeat(301) } })).status).toBe(422);
  });

  it('is another tenant’s business: a product of tenant A cannot be changed or read by tenant B', async () => {
    const mine = await api()('POST', '/products', { name: 'Private', image_file_ids: [await image()] });
    const id = mine.body.data.id as string;
    const fileId = mine.body.data.image_file_ids[0] as string;
    expect((await api(other)('PATCH', `/products/${id}`, { image_alt: { [fileId]: 'hijacked' } })).status).toBe(404);
    expect((await api(other)('GET', `/products/${id}`)).status).toBe(404);
    const [row] = await t.sql<{ image_alt: Record<string, string> }>('select image_alt from shop_products where id = $1', [id]);
    expect(row!.image_alt).toEqual({});
  });
});

describe('rich text descriptions', () => {
  it('are sanitised on input and shown as text on the buy page, with the compare-at price struck through', async () => {
    const slug = `lamp-${process.pid}`;
    const created = await api()('POST', '/products', {
      name: 'Lamp',
      slug,
      status: 'active',
      description: '<p>A <strong>bright</strong> lamp</p><script>alert(1)</script><p>1 &lt; 2</p>',
      variants: [{ sku: `LAMP-${process.pid}`, price: 1990, compare_at_price: 2490, stock: 3 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.description).toContain('<strong>bright</strong>');
    expect(created.body.data.description).not.toContain('script');

    const answer = await page(`/c/${owner.tenant!.slug}/buy/${slug}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<p class="description">A bright lamp\n1 &lt; 2</p>');
    expect(answer.body).toMatch(/<s class="compare-at">\$24\.90<\/s>\s*\$19\.90/);
  });
});
