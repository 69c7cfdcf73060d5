import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuotas } from '../../src/tenancy/tenant-directory.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { addMember, auditActions, systemRows } from './tenant-admin-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

describe('POST /tenants', () => {
  it('creates a tenant the caller owns, with the built-in roles, audited', async () => {
    const user = await signUp(t);
    const response = await t.request('POST', '/api/v1/tenants', { headers: user.headers, body: { name: ' Acme ', slug: 'acme-tenants' } });
    expect(response.status).toBe(201);
    const tenant = response.body.data;
    expect(tenant).toMatchObject({ slug: 'acme-tenants', name: 'Acme', status: 'active', settings: {} });
    expect(tenant.quotas).toEqual(defaultQuotas);

    const me = await t.request('GET', '/api/v1/me', { headers: user.headers });
    expect(me.body.data.memberships).toEqual([{ tenant: expect.objectContaining({ id: tenant.id }), roles: ['owner'], kind: 'staff' }]);
    const roles = await systemRows<{ builtin: string }>(t, 'select builtin from roles where tenant_id = $1 order by builtin', [tenant.id]);
    expect(roles.map((role) => role.builtin)).toEqual(['admin', 'customer', 'member', 'owner', 'viewer']);
    expect(await auditActions(t, tenant.id)).toEqual(['tenant.created']);
    const host = await systemRows(t, "select actor_user_id from host_audit_log where action = 'tenant.created' and subject_tenant = $1", [tenant.id]);
    expect(host).toEqual([{ actor_user_id: user.id }]);

    const view = await t.request('GET', '/api/v1/tenant', { headers: { ...user.headers, 'x-tenant': 'acme-tenants' } });
    expect(view.status).toBe(200);
    expect(view.body.data.id).toBe(tenant.id);
  });

  it('answers 409 naming the slug when it is taken or reserved', async () => {
    const user = await signUp(t, { tenant: true });
    const taken = await t.request('POST', '/api/v1/tenants', { headers: user.headers, body: { name: 'Again', slug: user.tenant!.slug } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors.slug).toEqual(['is taken']);
    const reserved = await t.request('POST', '/api/v1/tenants', { headers: user.headers, body: { name: 'Admin', slug: 'admin' } });
    expect(reserved.status).toBe(409);
    expect(reserved.body.errors.slug).toEqual(['is reserved']);
  });

  it('requires a signed-in user', async () => {
    const response = await t.request('POST', '/api/v1/tenants', { body: { name: 'X', slug: 'no-auth-tenant' } });
    expect(response.status).toBe(401);
    expect(await systemRows(t, "select 1 from tenants where slug = 'no-auth-tenant'")).toEqual([]);
  });

  it.each([
    [{ name: 'X' }, 'slug'],
    [{ slug: 'no-name' }, 'name'],
    [{ name: 'X', slug: 'Has Spaces' }, 'slug'],
    [{ name: 'X', slug: '-leading' }, 'slug'],
    [{ name: 'X', slug: 'ok-slug', status: 'suspended' }, 'status'],
    [{ name: 42, slug: 'ok-slug' }, 'name'],
  ])('answers 422 for %o', async (body, field) => {
    const user = await signUp(t);
    const response = await t.request('POST', '/api/v1/tenants', { headers: user.headers, body });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain(field);
  });
});

describe('GET /tenant', () => {
  it('shows the tenant named by X-Tenant to its members, and to nobody else', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const asViewer = await t.request('GET', '/api/v1/tenant', { headers: viewer.headers });
    expect(asViewer.status).toBe(200);
    expect(asViewer.body.data).toMatchObject({ id: owner.tenant!.id, slug: owner.tenant!.slug });

    const stranger = await signUp(t, { tenant: true });
    const foreign = await t.request('GET', '/api/v1/tenant', { headers: { ...stranger.headers, 'x-tenant': owner.tenant!.slug } });
    expect(foreign.status).toBe(403);
    expect((await t.request('GET', '/api/v1/tenant', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/tenant', { headers: { authorization: owner.headers.authorization! } })).status).toBe(400);
  });
});

describe('PATCH /tenant', () => {
  it('renames and merges settings (null removes a key), audited, visible on the next request', async () => {
    const owner = await signUp(t, { tenant: true });
    await t.request('GET', '/api/v1/tenant', { headers: owner.headers }); // caches the tenant
    const first = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { settings: { locale: 'fr', theme: { dark: true } } } });
    expect(first.status).toBe(200);
    expect(first.body.data.settings).toEqual({ locale: 'fr', theme: { dark: true } });
    const second = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { name: 'Renamed', settings: { locale: null, tz: 'UTC' } } });
    expect(second.status).toBe(200);
    expect(second.body.data).toMatchObject({ name: 'Renamed', settings: { theme: { dark: true }, tz: 'UTC' }, slug: owner.tenant!.slug });

    const after = await t.request('GET', '/api/v1/tenant', { headers: owner.headers });
    expect(after.body.data).toMatchObject({ name: 'Renamed', settings: { theme: { dark: true }, tz: 'UTC' } });
    expect(await auditActions(t, owner.tenant!.id)).toEqual(['tenant.updated', 'tenant.updated']);
  });

  it('refuses slug, status, quotas and unknown fields with 422, changing nothing', async () => {
    const owner = await signUp(t, { tenant: true });
    for (const body of [
      { slug: 'new-slug' },
      { status: 'suspended' },
      { quotas: { members: 1 } },
      { name: 'X', plan: 'pro' },
      {},
      { name: '   ' },
      { settings: [] },
    ]) {
      const response = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
    const [row] = await systemRows<{ slug: string; status: string; name: string }>(t, 'select slug, status, name from tenants where id = $1', [
      owner.tenant!.id,
    ]);
    expect(row).toEqual({ slug: owner.tenant!.slug, status: 'active', name: owner.tenant!.name });
  });

  it('refuses settings larger than 64 KiB', async () => {
    const owner = await signUp(t, { tenant: true });
    const response = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { settings: { blob: 'x'.repeat(70 * 1024) } } });
    expect(response.status).toBe(422);
    expect(response.body.errors.settings).toBeDefined();
  });

  it('needs core.tenant.manage', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const response = await t.request('PATCH', '/api/v1/tenant', { headers: viewer.headers, body: { name: 'Hijacked' } });
    expect(response.status).toBe(403);
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: { 'x-tenant': owner.tenant!.slug }, body: { name: 'X' } })).status).toBe(401);
    const [row] = await systemRows<{ name: string }>(t, 'select name from tenants where id = $1', [owner.tenant!.id]);
    expect(row!.name).toBe(owner.tenant!.name);
  });
});
