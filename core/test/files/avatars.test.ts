import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { download, png, upload } from './upload-helpers.js';

// A user's avatar and a tenant's logo are public images uploaded through POST /api/v1/files and attached by core:
// the reads show their public URLs, a replaced or removed one is deleted, and another tenant's file is refused.

let t: TestKernel;
let a: TestUser;
let b: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
});
afterAll(() => t?.close());

/** Uploads a PNG (public unless told) as `user` and returns its id. */
async function image(user: TestUser, options: { visibility?: 'public' | 'private'; width?: number } = {}): Promise<string> {
  const response = await upload(
    t,
    user,
    { filename: 'me.png', type: 'image/png', data: await png(options.width ?? 32) },
    { visibility: options.visibility ?? 'public' },
  );
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id;
}

const fileRow = async (id: string) =>
  (
    await t.sql<{ owner_plugin: string; owner_id: string | null; attached: boolean; storage_key: string }>(
      'select owner_plugin, owner_id, attached_at is not null as attached, storage_key from files where id = $1',
      [id],
    )
  )[0];

async function objectGone(key: string): Promise<boolean> {
  for await (const object of t.kernel.services.storage.list(key)) if (object.key === key) return false;
  return true;
}

const me = (user: TestUser) => t.request('GET', '/api/v1/me', { headers: user.headers });
const setAvatar = (user: TestUser, body: unknown, headers: Record<string, string> = {}) =>
  t.request('PUT', '/api/v1/me/avatar', { headers: { ...user.headers, ...headers }, body });
const patchTenant = (user: TestUser, body: unknown) => t.request('PATCH', '/api/v1/tenant', { headers: user.headers, body });

describe('user avatar', () => {
  it('sets, shows, serves publicly, replaces and removes the avatar, deleting the files it no longer uses', async () => {
    expect((await me(a)).body.data).toMatchObject({ avatar_file_id: null, avatar_url: null });
    const first = await image(a);
    const set = await setAvatar(a, { file_id: first });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const url = `/api/v1/files/public/${a.tenant!.id}/${first}`;
    expect(set.body.data).toEqual({ file_id: first, tenant_id: a.tenant!.id, url });
    expect((await me(a)).body.data).toMatchObject({ avatar_file_id: first, avatar_url: url });
    expect(await fileRow(first)).toMatchObject({ owner_plugin: 'core', owner_id: `user:${a.id}`, attached: true });
    const served = await download(`${t.url}${url}`);
    expect(served.status).toBe(200);
    // In use: the generic file route does not delete it behind the avatar's back.
    const deleted = await t.request('DELETE', `/api/v1/files/${first}`, { headers: a.headers });
    expect(deleted.status).toBe(409);
    expect(deleted.body).toMatchObject({ code: 'file_in_use' });
    expect((await download(`${t.url}${url}`)).status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');

    // Setting the same file again changes nothing; a new one replaces it and the old file goes.
    expect((await setAvatar(a, { file_id: first })).status).toBe(200);
    const firstKey = (await fileRow(first))!.storage_key;
    const second = await image(a, { width: 40 });
    expect((await setAvatar(a, { file_id: second })).status).toBe(200);
    expect(await fileRow(first)).toBeUndefined();
    await t.drainJobs(30_000);
    expect(await objectGone(firstKey)).toBe(true);
    expect((await download(`${t.url}${url}`)).status).toBe(404);
    expect((await me(a)).body.data.avatar_file_id).toBe(second);

    // Removing needs no tenant: the avatar names its own.
    const secondKey = (await fileRow(second))!.storage_key;
    const { 'x-tenant': _tenant, ...noTenant } = a.headers;
    expect((await t.request('DELETE', '/api/v1/me/avatar', { headers: noTenant })).status).toBe(204);
    expect((await me(a)).body.data).toMatchObject({ avatar_file_id: null, avatar_url: null });
    expect(await fileRow(second)).toBeUndefined();
    expect(await objectGone(secondKey)).toBe(true);
    expect((await t.request('DELETE', '/api/v1/me/avatar', { headers: noTenant })).status).toBe(204);
  });

  it('refuses what cannot be an avatar with 4xx, changing nothing', async () => {
    const current = await image(a);
    expect((await setAvatar(a, { file_id: current })).status).toBe(200);
    const refusal = async (body: unknown, status = 422, headers: Record<string, string> = {}) => {
      const response = await setAvatar(a, body, headers);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      return response.body;
    };
    const privateImage = await image(a, { visibility: 'private' });
    expect((await refusal({ file_id: privateImage })).errors).toEqual({ file_id: ['must be a public file (upload it with visibility=public)'] });
    const text = (await upload(t, a, { filename: 'me.txt', type: 'text/plain', data: Buffer.from('not an image') }, { visibility: 'public' })).body.data.id;
    expect((await refusal({ file_id: text })).errors.file_id[0]).toMatch(/must be a PNG, JPEG, GIF, WebP or AVIF image/);
    expect((await refusal({ file_id: '00000000-0000-4000-8000-000000000000' })).errors).toEqual({ file_id: ['is not a file uploaded to this workspace'] });
    await refusal({ file_id: 'not-a-uuid' });
    await refusal({});
    await refusal({ file_id: current, extra: true });
    // Another member's upload is theirs to use.
    const member = await addMember(t, a, ['member']);
    const theirs = await image(member);
    expect((await refusal({ file_id: theirs })).errors).toEqual({ file_id: ['must be a file you uploaded'] });
    // A file the tenant uses as its logo is not taken.
    const logo = await image(a);
    expect((await patchTenant(a, { logo_file_id: logo })).status).toBe(200);
    expect((await refusal({ file_id: logo })).errors).toEqual({ file_id: ['is already used by another record'] });
    const { 'x-tenant': _tenant, ...noTenant } = a.headers;
    expect((await t.request('PUT', '/api/v1/me/avatar', { headers: noTenant, body: { file_id: current } })).status).toBe(400);

    // Nothing refused was attached, and the avatar is still the same.
    for (const id of [privateImage, text, theirs]) expect(await fileRow(id)).toMatchObject({ attached: false, owner_id: null });
    expect((await me(a)).body.data.avatar_file_id).toBe(current);
  });

  it("refuses another tenant's file: by id in one's own tenant (422), or naming that tenant (403)", async () => {
    const ofB = await image(b);
    const own = await setAvatar(a, { file_id: ofB });
    expect(own.status).toBe(422);
    expect(own.body.errors).toEqual({ file_id: ['is not a file uploaded to this workspace'] });
    expect((await setAvatar(a, { file_id: ofB }, { 'x-tenant': b.tenant!.slug })).status).toBe(403);
    expect(await fileRow(ofB)).toMatchObject({ owner_plugin: 'core', owner_id: null, attached: false });
    expect((await me(a)).body.data.avatar_file_id).not.toBe(ofB);
    // B's own avatar from the same file works, and A's reads never show it.
    expect((await setAvatar(b, { file_id: ofB })).status).toBe(200);
    expect((await me(a)).body.data.avatar_url).not.toContain(ofB);
  });
});

describe('tenant logo', () => {
  it('sets, shows, serves publicly, replaces and removes the logo', async () => {
    const owner = await signUp(t, { tenant: true });
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data).toMatchObject({ logo_file_id: null, logo_url: null });
    const first = await image(owner);
    const set = await patchTenant(owner, { logo_file_id: first });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const url = `/api/v1/files/public/${owner.tenant!.id}/${first}`;
    expect(set.body.data).toMatchObject({ id: owner.tenant!.id, logo_file_id: first, logo_url: url });
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data).toMatchObject({ logo_file_id: first, logo_url: url });
    expect(await fileRow(first)).toMatchObject({ owner_plugin: 'core', owner_id: 'tenant:logo', attached: true });
    expect((await download(`${t.url}${url}`)).status).toBe(200);

    // Other changes keep the logo; a new one replaces it and deletes the old file; null removes it.
    expect((await patchTenant(owner, { name: 'Renamed' })).body.data.logo_file_id).toBe(first);
    const second = await image(owner);
    expect((await patchTenant(owner, { logo_file_id: second })).body.data.logo_file_id).toBe(second);
    expect(await fileRow(first)).toBeUndefined();
    const removed = await patchTenant(owner, { logo_file_id: null });
    expect(removed.body.data).toMatchObject({ logo_file_id: null, logo_url: null });
    expect(await fileRow(second)).toBeUndefined();
  });

  it("refuses another tenant's file, private files, non-images and members without tenant.manage", async () => {
    const owner = await signUp(t, { tenant: true });
    const ofB = await image(b);
    const foreign = await patchTenant(owner, { logo_file_id: ofB });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual({ logo_file_id: ['is not a file uploaded to this workspace'] });
    expect(await fileRow(ofB)).toMatchObject({ owner_plugin: 'core', owner_id: null, attached: false });
    const privateImage = await image(owner, { visibility: 'private' });
    expect((await patchTenant(owner, { logo_file_id: privateImage })).body.errors).toEqual({
      logo_file_id: ['must be a public file (upload it with visibility=public)'],
    });
    expect((await patchTenant(owner, { logo_file_id: 'nope' })).status).toBe(422);
    // A refused logo leaves the rest of the change undone too.
    expect((await patchTenant(owner, { name: 'Not applied', logo_file_id: privateImage })).status).toBe(422);
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data).toMatchObject({ logo_file_id: null });
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data.name).not.toBe('Not applied');

    const member = await addMember(t, owner, ['member']);
    const theirs = await image(member);
    expect((await patchTenant(member, { logo_file_id: theirs })).status).toBe(403);
    expect(await fileRow(theirs)).toMatchObject({ attached: false });
  });
});
