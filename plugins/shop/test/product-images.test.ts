import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopApi, shopKernel, storeApi } from './helpers.js';
import { solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let counter = 0;

/** Uploads through core's `POST /api/v1/files` (multipart, as the console does) and returns the file's metadata. */
async function upload(user: TestUser, file: { name: string; type: string; data: Buffer }, visibility: 'public' | 'private' = 'public') {
  const response = await t.upload(user, file, { visibility });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; content_type: string };
}

const image = (user: TestUser, rgb: [number, number, number] = [10, 120, 200]) =>
  upload(user, { name: `photo-${++counter}.png`, type: 'image/png', data: solidPng(400, 300, rgb) });

async function fileRow(id: string) {
  const [row] = await t.sql<{ owner_plugin: string; owner_id: string | null; attached_at: Date | null }>(
    'select owner_plugin, owner_id, attached_at from files where id = $1',
    [id],
  );
  return row;
}

async function objectsUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of t.kernel.services.storage.list(prefix)) keys.push(object.key);
  return keys;
}

async function bytesAt(path: string) {
  const response = await fetch(`${t.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

function newProduct(fields: Record<string, unknown>) {
  const n = ++counter;
  return { name: `Pictured ${n}`, slug: `pictured-${process.pid}-${n}`, status: 'active', ...fields };
}

beforeAll(async () => {
  const booted = await shopKernel(2);
  t = booted.t;
  [owner, other] = booted.owners as [TestUser, TestUser];
});
afterAll(() => t?.close());

describe('stored product and variant images', () => {
  it('attaches the uploaded images to the product and shows public URLs that serve the bytes, in order', async () => {
    const [first, second, variantImage] = [await image(owner), await image(owner, [250, 0, 0]), await image(owner, [0, 250, 0])];
    const created = await shopApi(t, owner)('POST', '/products', {
      ...newProduct({ images: ['https://cdn.example.com/external.jpg'] }),
      image_file_ids: [second.id, first.id],
      variants: [{ sku: `IMG-${process.pid}-1`, price: 500, image_file_id: variantImage.id }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const product = created.body.data;
    const base = `/api/v1/files/public/${owner.tenant!.id}`;
    expect(product.images).toEqual(['https://cdn.example.com/external.jpg']);
    expect(product.image_file_ids).toEqual([second.id, first.id]);
    expect(product.image_files.map((shown: { file_id: string }) => shown.file_id)).toEqual([second.id, first.id]);
    expect(product.image_files[0]).toMatchObject({ url: `${base}/${second.id}`, content_type: 'image/png' });
    expect(product.variants[0]).toMatchObject({ image_file_id: variantImage.id, image: { file_id: variantImage.id, url: `${base}/${variantImage.id}` } });
    for (const id of [first.id, second.id, variantImage.id]) expect(await fileRow(id)).toMatchObject({ owner_plugin: 'shop', owner_id: product.id });

    const served = await bytesAt(product.image_files[1].url);
    expect(served.status).toBe(200);
    expect(served.type).toBe('image/png');
    expect(served.bytes.equals(solidPng(400, 300, [10, 120, 200]))).toBe(true);

    // Once the variants job ran, thumb and medium URLs name the variants, which serve smaller images.
    await t.drainJobs();
    const read = (await shopApi(t, owner)('GET', `/products/${product.id}`)).body.data;
    expect(read.image_files[0]).toMatchObject({
      thumb_url: `${base}/${second.id}?variant=thumb`,
      medium_url: `${base}/${second.id}?variant=medium`,
      width: 400,
      height: 300,
    });
    const thumb = await bytesAt(read.image_files[0].thumb_url);
    expect(thumb.status).toBe(200);
    expect(thumb.type).toMatch(/^image\//);
    expect(thumb.bytes.length).toBeGreaterThan(0);
    expect(thumb.bytes.equals(solidPng(400, 300, [250, 0, 0]))).toBe(false);

    // The storefront shows the same URLs, without the ids.
    const store = await storeApi(t, owner.tenant!.slug)('GET', `/products/${product.slug}`);
    expect(store.status).toBe(200);
    expect(store.body.data.image_files.map((shown: { url: string }) => shown.url)).toEqual([`${base}/${second.id}`, `${base}/${first.id}`]);
    expect(store.body.data.variants[0].image.url).toBe(`${base}/${variantImage.id}`);
    expect(store.body.data).not.toHaveProperty('image_file_ids');
    const list = await storeApi(t, owner.tenant!.slug)('GET', '/products?per_page=100');
    expect(list.body.data.find((item: { id: string }) => item.id === product.id).image_files).toHaveLength(2);
  });

  it('deletes an image left out of image_file_ids, a replaced variant image, and every image with the product', async () => {
    const [kept, dropped, variantImage, replacement] = [await image(owner), await image(owner), await image(owner), await image(owner)];
    const product = (
      await shopApi(t, owner)('POST', '/products', {
        ...newProduct({}),
        image_file_ids: [kept.id, dropped.id],
        variants: [{ sku: `IMG-${process.pid}-2`, price: 500, image_file_id: variantImage.id }],
      })
    ).body.data;
    const patched = await shopApi(t, owner)('PATCH', `/products/${product.id}`, { image_file_ids: [kept.id] });
    expect(patched.status).toBe(200);
    expect(patched.body.data.image_file_ids).toEqual([kept.id]);
    expect(await fileRow(dropped.id)).toBeUndefined();
    expect((await bytesAt(`/api/v1/files/public/${owner.tenant!.id}/${dropped.id}`)).status).toBe(404);

    const variant = await shopApi(t, owner)('PATCH', `/variants/${product.variants[0].id}`, { image_file_id: replacement.id });
    expect(variant.status).toBe(200);
    expect(variant.body.data.image).toMatchObject({ file_id: replacement.id });
    expect(await fileRow(variantImage.id)).toBeUndefined();

    // The variant may show one of the product's images: removing the variant keeps it for the product.
    expect((await shopApi(t, owner)('PATCH', `/variants/${product.variants[0].id}`, { image_file_id: kept.id })).status).toBe(200);
    expect(await fileRow(replacement.id)).toBeUndefined();
    expect((await shopApi(t, owner)('DELETE', `/variants/${product.variants[0].id}`)).status).toBe(204);
    expect(await fileRow(kept.id)).toMatchObject({ owner_id: product.id });

    expect((await shopApi(t, owner)('DELETE', `/products/${product.id}`)).status).toBe(204);
    expect(await fileRow(kept.id)).toBeUndefined();
    await t.drainJobs();
    expect((await objectsUnder(`t/${owner.tenant!.id}/`)).filter((key) => key.includes(kept.id))).toEqual([]);
  });

  it("refuses another tenant's file, a non-image, a private image and another product's image with 422, attaching nothing", async () => {
    const foreign = await image(other);
    const text = await upload(owner, { name: 'notes.txt', type: 'text/plain', data: Buffer.from('not an image at all') });
    const secret = await upload(owner, { name: 'secret.png', type: 'image/png', data: solidPng(20, 20) }, 'private');
    const cases: [string, string][] = [
      [foreign.id, 'is not a file uploaded to this workspace'],
      [text.id, 'must be a PNG, JPEG, GIF, WebP or AVIF image (this file is text/plain)'],
      [secret.id, 'must be a public file (upload it with visibility=public)'],
    ];
    for (const [id, message] of cases) {
      const response = await shopApi(t, owner)('POST', '/products', { ...newProduct({}), image_file_ids: [id] });
      expect(response.status, id).toBe(422);
      expect(response.body.errors).toEqual({ 'image_file_ids.0': [message] });
    }
    // The refusal rolled the attach back: the uploads are still core's, unclaimed; the other tenant's is untouched.
    expect(await fileRow(text.id)).toMatchObject({ owner_plugin: 'core', owner_id: null, attached_at: null });
    expect(await fileRow(secret.id)).toMatchObject({ owner_plugin: 'core', owner_id: null });
    expect(await fileRow(foreign.id)).toMatchObject({ owner_plugin: 'core', owner_id: null });

    const taken = await image(owner);
    const holder = (await shopApi(t, owner)('POST', '/products', { ...newProduct({}), image_file_ids: [taken.id] })).body.data;
    const variantOfOther = await shopApi(t, owner)('POST', `/products/${holder.id}/variants`, {
      sku: `IMG-${process.pid}-3`,
      price: 1,
      image_file_id: text.id,
    });
    expect(variantOfOther.status).toBe(422);
    expect(variantOfOther.body.errors).toHaveProperty('image_file_id');
    const stolen = await shopApi(t, owner)('POST', '/products', { ...newProduct({}), image_file_ids: [taken.id] });
    expect(stolen.status).toBe(422);
    expect(stolen.body.errors).toEqual({ 'image_file_ids.0': ['is an image of another product'] });
    expect(await fileRow(taken.id)).toMatchObject({ owner_id: holder.id });

    const malformed = await shopApi(t, owner)('POST', '/products', { ...newProduct({}), image_file_ids: ['../../etc/passwd'] });
    expect(malformed.status).toBe(422);
  });

  it("another tenant cannot use a product's image by id, and its public URL answers only for the owning tenant", async () => {
    const mine = await image(owner);
    const product = (await shopApi(t, owner)('POST', '/products', { ...newProduct({}), image_file_ids: [mine.id] })).body.data;
    const theirs = await shopApi(t, other)('POST', '/products', { ...newProduct({}), image_file_ids: [mine.id] });
    expect(theirs.status).toBe(422);
    expect((await bytesAt(`/api/v1/files/public/${other.tenant!.id}/${mine.id}`)).status).toBe(404);
    expect((await bytesAt(`/api/v1/files/public/${owner.tenant!.id}/${mine.id}`)).status).toBe(200);
    expect(await fileRow(mine.id)).toMatchObject({ owner_plugin: 'shop', owner_id: product.id });
  });

  it("purging the shop's data removes its files' rows and objects (variants included) in that tenant only", async () => {
    const purged = await image(other);
    const product = (await shopApi(t, other)('POST', '/products', { ...newProduct({}), image_file_ids: [purged.id] })).body.data;
    expect(product.image_file_ids).toEqual([purged.id]);
    const coreUpload = await image(other);
    await t.drainJobs();
    // An upload keeps its object key when the shop claims it: the rows say which objects are the shop's.
    const objectsOf = async (tenantId: string, fileId: string) => (await objectsUnder(`t/${tenantId}/`)).filter((key) => key.includes(fileId));
    expect((await objectsOf(other.tenant!.id, purged.id)).length).toBeGreaterThan(1); // the original and its variants
    const ownerObjects = await objectsUnder(`t/${owner.tenant!.id}/`);
    expect(ownerObjects.length).toBeGreaterThan(0);

    expect((await t.request('POST', '/api/v1/marketplace/shop/disable', { headers: other.headers })).status).toBe(200);
    const purge = await t.request('DELETE', '/api/v1/marketplace/shop/data?confirm=shop', { headers: other.headers });
    expect(purge.status, JSON.stringify(purge.body)).toBe(204);
    expect(await fileRow(purged.id)).toBeUndefined();
    expect(await objectsOf(other.tenant!.id, purged.id)).toEqual([]);
    // Core's own upload of that tenant and everything of the other tenant stay.
    expect(await fileRow(coreUpload.id)).toMatchObject({ owner_plugin: 'core' });
    expect((await objectsOf(other.tenant!.id, coreUpload.id)).length).toBeGreaterThan(0);
    expect(await objectsUnder(`t/${owner.tenant!.id}/`)).toEqual(ownerObjects);
  });
});
