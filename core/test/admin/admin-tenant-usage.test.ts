import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';

// What a host administrator reads of a tenant's usage against its quotas: members, stored bytes and files, and
// requests in the tenant's current one-minute window (the request pipeline's own meter).

let t: TestKernel;
let admin: TestUser;
let owner: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  admin = await signUpSuperAdmin(t);
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
});
afterAll(() => t?.close());

const asAdmin = () => ({ authorization: `Bearer ${admin.accessToken}` });
const detail = (id: string, headers: Record<string, string> = asAdmin()) => t.request('GET', `/api/v1/admin/tenants/${id}`, { headers });

describe('GET /admin/tenants/:id usage', () => {
  it('counts members, stored bytes and files, and the requests of the current window', async () => {
    const fresh = (await detail(owner.tenant!.id)).body.data;
    expect(fresh.usage).toEqual({ members: 1, api_tokens: 0, storage_bytes: 0, files: 0, requests_this_minute: 0, requests_window_resets_in: null });

    await addMember(t, owner);
    const text = 'Minutes of the meeting\n'.repeat(40);
    const uploaded = await t.upload(owner, { name: 'minutes.txt', data: text, type: 'text/plain' });
    expect(uploaded.status).toBe(201);
    // The tenant's own requests so far (addMember's role listing and invitation, the upload) opened its window.
    const [stored] = await t.sql<{ bytes: number; files: number }>('select bytes::float8 as bytes, files from storage_usage where tenant_id = $1', [
      owner.tenant!.id,
    ]);

    const response = await detail(owner.tenant!.id);
    expect(response.status).toBe(200);
    const { usage } = response.body.data;
    expect(usage).toMatchObject({ members: 2, files: 1, storage_bytes: stored!.bytes });
    expect(usage.storage_bytes).toBeGreaterThanOrEqual(Buffer.byteLength(text));
    expect(usage.requests_this_minute).toBeGreaterThanOrEqual(3);
    expect(usage.requests_window_resets_in).toBeGreaterThanOrEqual(1);
    expect(usage.requests_window_resets_in).toBeLessThanOrEqual(60);

    // The admin's own reads are no tenant's requests; one more request of the tenant counts one more.
    const again = (await detail(owner.tenant!.id)).body.data.usage.requests_this_minute;
    expect(again).toBe(usage.requests_this_minute);
    expect((await t.request('GET', '/api/v1/files', { headers: owner.headers })).status).toBe(200);
    expect((await detail(owner.tenant!.id)).body.data.usage.requests_this_minute).toBe(usage.requests_this_minute + 1);
  });

  it("keeps each tenant's usage its own", async () => {
    const before = (await detail(other.tenant!.id)).body.data.usage;
    await t.upload(owner, { name: 'notes.txt', data: 'only the owner tenant stores this', type: 'text/plain' });
    await t.request('GET', '/api/v1/files', { headers: owner.headers });
    const after = (await detail(other.tenant!.id)).body.data.usage;
    expect(after).toEqual(before);
    expect(after).toMatchObject({ members: 1, files: 0, storage_bytes: 0 });
  });

  it('shows a lowered quota beside the usage it no longer covers', async () => {
    const lowered = await t.request('PUT', `/api/v1/admin/tenants/${owner.tenant!.id}/quotas`, { headers: asAdmin(), body: { members: 1 } });
    expect(lowered.status).toBe(200);
    const { quotas, usage } = (await detail(owner.tenant!.id)).body.data;
    expect(quotas.members).toBe(1);
    expect(usage.members).toBe(2);
  });

  it('is for host administrators only: 401 anonymous, 403 for the tenant’s own owner and members', async () => {
    const member = await addMember(t, other, ['admin']);
    expect((await t.request('GET', `/api/v1/admin/tenants/${other.tenant!.id}`)).status).toBe(401);
    for (const user of [other, member]) {
      const response = await detail(other.tenant!.id, user.headers);
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
  });

  it.each([['not-a-uuid'], ['00000000-0000-0000-0000-00000000000g']])('answers a 4xx, never a 500, for the id %s', async (id) => {
    const response = await detail(id);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});
