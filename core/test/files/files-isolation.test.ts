import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTenant } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { download, png, storedState, upload } from './upload-helpers.js';

// Tenant B, with every permission in its own tenant, tries to reach tenant A's files by id, by storage key and by
// URL: each attempt is a 404 (or 403 for a forged token) and A's file, row, object and usage are unchanged.

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let fileA: { id: string; checksum: string };
let publicA: { id: string };

beforeAll(async () => {
  t = await createTestKernel();
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  fileA = (await upload(t, a, { filename: 'secret.png', type: 'image/png', data: await png() })).body.data;
  publicA = (await upload(t, a, { filename: 'public.txt', type: 'text/plain', data: Buffer.from('public') }, { visibility: 'public' })).body.data;
  await upload(t, b, { filename: 'b.txt', type: 'text/plain', data: Buffer.from('b file') });
});
afterAll(() => t?.close());

describe("tenant B and tenant A's files", () => {
  it('B cannot read A’s metadata or bytes by id (404), nor with A’s slug in X-Tenant (403: not a member)', async () => {
    expect((await t.request('GET', `/api/v1/files/${fileA.id}`, { headers: b.headers })).status).toBe(404);
    expect((await download(`${t.url}/api/v1/files/${fileA.id}/content`, b.headers)).status).toBe(404);
    const asA = { ...b.headers, 'x-tenant': a.tenant!.slug };
    expect((await t.request('GET', `/api/v1/files/${fileA.id}`, { headers: asA })).status).toBe(403);
  });

  it('B’s list and count do not show A’s files', async () => {
    const list = await t.request('GET', '/api/v1/files', { headers: b.headers });
    expect(list.body.data.map((file: { id: string }) => file.id)).not.toContain(fileA.id);
    expect(list.body.meta.pagination.total).toBe(1);
    const seen = await runInTenant(t.kernel.services.database, b.tenant!.id, (db) =>
      db.query<{ count: number }>('select count(*)::int as count from files where id = $1 or storage_key like $2', [fileA.id, `t/${a.tenant!.id}/%`]),
    );
    expect(seen).toEqual([{ count: 0 }]);
  });

  it('B cannot sign, delete or overwrite A’s file', async () => {
    const before = await storedState(t, a.tenant!.id);
    expect((await t.request('POST', `/api/v1/files/${fileA.id}/url`, { headers: b.headers, body: {} })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/files/${fileA.id}`, { headers: b.headers })).status).toBe(404);
    // B's service, asked for A's id or A's key: nothing (RLS), and nothing changes.
    const files = t.kernel.services.files;
    expect(await files.get({ tenantId: b.tenant!.id, ownerPlugin: 'core' }, fileA.id)).toBeUndefined();
    expect(await files.delete({ tenantId: b.tenant!.id, ownerPlugin: 'core' }, fileA.id)).toBe(false);
    await expect(files.attach({ tenantId: b.tenant!.id, ownerPlugin: 'core' }, fileA.id, 'x')).rejects.toMatchObject({ status: 404 });
    // A name that is a path to A's object is refused; one that is A's file id goes under B's prefix: keys are ids the server makes.
    const traversal = await upload(t, b, { filename: `../${a.tenant!.id}/core/${fileA.id}`, type: 'text/plain', data: Buffer.from('evil') });
    expect(traversal.status).toBe(400);
    const overwrite = await upload(t, b, { filename: fileA.id, type: 'text/plain', data: Buffer.from('evil') });
    expect(overwrite.status).toBe(201);
    const bState = await storedState(t, b.tenant!.id);
    expect(bState.objects.every((key) => key.startsWith(`t/${b.tenant!.id}/`))).toBe(true);
    expect(await storedState(t, a.tenant!.id)).toEqual(before);
    const still = await download(`${t.url}/api/v1/files/${fileA.id}/content`, a.headers);
    expect(still.headers.get('etag')).toBe(`"${fileA.checksum}"`);
  });

  it('B cannot reach A’s files through the public route with its own slug, nor A’s private ones with A’s', async () => {
    expect((await download(`${t.url}/api/v1/files/public/${b.tenant!.slug}/${publicA.id}`)).status).toBe(404);
    expect((await download(`${t.url}/api/v1/files/public/${a.tenant!.slug}/${fileA.id}`)).status).toBe(404);
    expect((await download(`${t.url}/api/v1/files/public/${a.tenant!.slug}/${publicA.id}`)).status).toBe(200);
  });

  it('a token names its tenant: a token for B cannot be turned into one for A’s file', async () => {
    const bFile = (await t.request('GET', '/api/v1/files', { headers: b.headers })).body.data[0];
    const signed = await t.request('POST', `/api/v1/files/${bFile.id}/url`, { headers: b.headers, body: {} });
    const token: string = signed.body.data.url.split('/').pop();
    const [payload, mac] = token.split('.') as [string, string];
    const fields = Buffer.from(payload, 'base64url').toString('utf8').split('|');
    // Same MAC, payload rewritten to A's tenant and file: refused as altered.
    fields[1] = a.tenant!.id;
    fields[2] = fileA.id;
    const forged = `${Buffer.from(fields.join('|')).toString('base64url')}.${mac}`;
    const response = await download(`${t.url}/api/v1/files/signed/${forged}`);
    expect(response.status).toBe(403);
    expect(response.json.code).toBe('signed_url_invalid');
    // A real token of A's file opens A's file only.
    const aSigned = await t.request('POST', `/api/v1/files/${fileA.id}/url`, { headers: a.headers, body: {} });
    expect((await download(aSigned.body.data.url)).headers.get('etag')).toBe(`"${fileA.checksum}"`);
  });

  it('storage use is counted per tenant', async () => {
    const usageA = await t.kernel.services.files.usage(a.tenant!.id);
    const usageB = await t.kernel.services.files.usage(b.tenant!.id);
    expect(usageA.files).toBe(2);
    expect(usageB.files).toBe(2);
  });
});
