import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { albumsPlugin } from './albums-plugin.js';
import { download, png, storedState, upload } from './upload-helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [albumsPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  await t.enable(a, 'albums');
  await t.enable(b, 'albums');
});
afterAll(() => t?.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });

describe('coreServices.files (a plugin’s own files)', () => {
  it('stores, lists, reads, attaches and deletes the plugin’s files, under its own prefix', async () => {
    const stored = await call(a, 'POST', '/albums/photos', { text: 'hello album', name: 'note.txt' });
    expect(stored.status).toBe(201);
    expect(stored.body.data).toMatchObject({ name: 'note.txt', contentType: 'text/plain', size: 11, ownerId: null, attachedAt: null });
    const id = stored.body.data.id as string;
    const state = await storedState(t, a.tenant!.id);
    expect(state.objects).toContain(`t/${a.tenant!.id}/albums/${id}`);

    expect((await call(a, 'GET', `/albums/photos/${id}/text`)).body.data).toEqual({ text: 'hello album' });
    expect((await call(a, 'GET', '/albums/photos')).body.data).toEqual({ total: 1, ids: [id] });
    expect((await call(a, 'POST', `/albums/photos/${id}/attach`, { owner_id: 'album-1' })).body.data).toEqual({ id, ownerId: 'album-1', attached: true });
    // Another tenant's plugin sees nothing of it.
    expect((await call(b, 'GET', '/albums/photos')).body.data).toEqual({ total: 0, ids: [] });
    expect((await call(b, 'GET', `/albums/photos/${id}/text`)).status).toBe(404);
    expect((await call(b, 'DELETE', `/albums/photos/${id}`)).status).toBe(404);

    expect((await call(a, 'DELETE', `/albums/photos/${id}`)).status).toBe(204);
    expect((await storedState(t, a.tenant!.id)).objects).not.toContain(`t/${a.tenant!.id}/albums/${id}`);
  });

  it('refuses a type the plugin does not accept, leaving nothing', async () => {
    const before = await storedState(t, a.tenant!.id);
    const response = await call(a, 'POST', '/albums/photos', { text: 'not an image', name: 'fake.png', only_images: true });
    expect(response.status).toBe(415);
    expect(response.body.code).toBe('file_type_not_allowed');
    expect(await storedState(t, a.tenant!.id)).toEqual(before);
  });

  it('a plugin cannot reach core’s files, but may claim an unattached upload (which becomes its own)', async () => {
    const uploaded = (await upload(t, a, { filename: 'u.txt', type: 'text/plain', data: Buffer.from('from console') })).body.data;
    expect((await call(a, 'GET', `/albums/photos/${uploaded.id}/text`)).status).toBe(404);
    const claimed = await call(a, 'POST', `/albums/photos/${uploaded.id}/attach`, { owner_id: 'album-2' });
    expect(claimed.body.data).toEqual({ id: uploaded.id, ownerId: 'album-2', attached: true });
    expect((await call(a, 'GET', `/albums/photos/${uploaded.id}/text`)).body.data).toEqual({ text: 'from console' });
    // Core's routes no longer list it: it is the plugin's now.
    expect((await t.request('GET', `/api/v1/files/${uploaded.id}`, { headers: a.headers })).status).toBe(404);
  });
});

describe('export', () => {
  it("lists the plugin's files of this tenant with signed URLs that fetch their bytes", async () => {
    const stored = (await call(a, 'POST', '/albums/photos', { text: 'exported bytes', name: 'e.txt', owner_id: 'r-export' })).body.data;
    const exported = await call(a, 'GET', '/marketplace/albums/data');
    expect(exported.status).toBe(200);
    const entry = exported.body.data.files.find((file: { id: string }) => file.id === stored.id);
    expect(entry).toMatchObject({ name: 'e.txt', content_type: 'text/plain', size: 14, owner_id: 'r-export' });
    expect((await download(entry.url)).bytes.toString()).toBe('exported bytes');
    const other = await call(b, 'GET', '/marketplace/albums/data');
    expect(other.body.data.files.map((file: { id: string }) => file.id)).not.toContain(stored.id);
  });
});

describe('purge and sweep', () => {
  it("a plugin's purge removes its files' rows, objects and usage in that tenant only", async () => {
    for (const user of [a, b]) await call(user, 'POST', '/albums/photos', { text: 'kept until purge', name: 'p.txt', owner_id: 'r1' });
    const coreFile = (await upload(t, a, { filename: 'core.txt', type: 'text/plain', data: Buffer.from('core') })).body.data;
    const bBefore = await storedState(t, b.tenant!.id);
    await call(a, 'POST', '/marketplace/albums/disable');
    expect((await call(a, 'DELETE', '/marketplace/albums/data?confirm=albums')).status).toBe(204);
    const after = await storedState(t, a.tenant!.id);
    expect(after.objects.some((key) => key.startsWith(`t/${a.tenant!.id}/albums/`))).toBe(false);
    expect(after.rows.map((row) => row.storage_key).some((key) => key.includes('/albums/'))).toBe(false);
    expect(after.rows.map((row) => row.id)).toContain(coreFile.id);
    expect(await storedState(t, b.tenant!.id)).toEqual(bBefore);
    await t.enable(a, 'albums');
  });

  it('sweeps unattached files older than the age, keeping attached ones and young ones', async () => {
    const files = t.kernel.services.files;
    const scope = { tenantId: b.tenant!.id, ownerPlugin: 'albums' };
    const orphan = await files.store(scope, { body: Readable.from([Buffer.from('orphan')]), name: 'o.txt' });
    const kept = await files.store(scope, { body: Readable.from([Buffer.from('kept')]), name: 'k.txt', ownerId: 'record-1' });
    // A day is the default: nothing this young goes.
    await files.sweepOrphans();
    expect((await storedState(t, b.tenant!.id)).rows.map((row) => row.id)).toContain(orphan.id);
    const before = await storedState(t, b.tenant!.id);
    expect(await files.sweepOrphans(0)).toBeGreaterThanOrEqual(1);
    const after = await storedState(t, b.tenant!.id);
    expect(after.rows.map((row) => row.id)).not.toContain(orphan.id);
    expect(after.rows.map((row) => row.id)).toContain(kept.id);
    expect(after.objects).not.toContain(orphan.storage_key);
    expect(after.objects).toContain(kept.storage_key);
    expect(after.usage.bytes).toBeLessThanOrEqual(before.usage.bytes - 6);
  });

  it("a tenant's purge removes every file and object of that tenant", async () => {
    const gone = await signUp(t, { tenant: true });
    await upload(t, gone, { filename: 'x.txt', type: 'text/plain', data: Buffer.from('x') });
    expect((await storedState(t, gone.tenant!.id)).objects).toHaveLength(1);
    expect(await t.kernel.services.files.purgeTenant(gone.tenant!.id)).toBe(1);
    expect(await storedState(t, gone.tenant!.id)).toEqual({ rows: [], usage: { bytes: 0, files: 0 }, objects: [] });
  });
});

describe('image variants', () => {
  it('are made by a job after upload: dimensions recorded, thumb/medium/webp served, counted in usage', async () => {
    const bytes = await png(640, 480);
    const uploaded = (await upload(t, a, { filename: 'photo.png', type: 'image/png', data: bytes })).body.data;
    expect(uploaded.variants).toEqual({});
    await t.drainJobs(30_000);
    const file = (await t.request('GET', `/api/v1/files/${uploaded.id}`, { headers: a.headers })).body.data;
    expect(file).toMatchObject({ width: 640, height: 480 });
    expect(Object.keys(file.variants).sort()).toEqual(['medium', 'thumb', 'webp']);
    expect(file.variants.thumb).toMatchObject({ content_type: 'image/webp', width: 200, height: 150 });
    const thumb = await download(`${t.url}/api/v1/files/${uploaded.id}/content?variant=thumb`, a.headers);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.bytes.length).toBe(file.variants.thumb.size);
    const state = await storedState(t, a.tenant!.id);
    expect(state.objects).toEqual(expect.arrayContaining(['thumb', 'medium', 'webp'].map((variant) => `t/${a.tenant!.id}/core/${uploaded.id}.${variant}`)));

    // Deleting the file removes its variants and gives all their bytes back.
    const before = await storedState(t, a.tenant!.id);
    expect((await t.request('DELETE', `/api/v1/files/${uploaded.id}`, { headers: a.headers })).status).toBe(204);
    const after = await storedState(t, a.tenant!.id);
    const variantBytes = Object.values(file.variants as Record<string, { size: number }>).reduce((sum, variant) => sum + variant.size, 0);
    expect(after.usage.bytes).toBe(before.usage.bytes - bytes.length - variantBytes);
    expect(after.objects.some((key) => key.includes(uploaded.id))).toBe(false);
  });
});
