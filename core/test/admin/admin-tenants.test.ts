import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuotas } from '../../src/tenancy/tenant-directory.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpSuperAdmin } from '../isolation/fixtures.js';

let t: TestKernel;
let admin: TestUser;
let owner: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  admin = await signUpSuperAdmin(t);
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const asAdmin = () => ({ authorization: `Bearer ${admin.accessToken}` });
const tenantPath = (id: string, rest = '') => `/api/v1/admin/tenants/${id}${rest}`;

describe('who may use /admin', () => {
  const calls: [string, (id: string) => string, unknown?][] = [
    ['GET', () => '/api/v1/admin/tenants'],
    ['GET', (id) => tenantPath(id)],
    ['POST', (id) => tenantPath(id, '/suspend'), {}],
    ['POST', (id) => tenantPath(id, '/unsuspend'), {}],
    ['PUT', (id) => tenantPath(id, '/quotas'), { members: 5 }],
    ['GET', () => '/api/v1/admin/audit-log'],
  ];

  it.each(calls)('%s %s: 401 without a token, 403 for a tenant owner who is no super-admin', async (method, path, body) => {
    const url = path(owner.tenant!.id);
    const anonymous = await t.request(method, url, { body });
    expect(anonymous.status).toBe(401);
    const forbidden = await t.request(method, url, { headers: owner.headers, body });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');
    const [tenant] = await asSystem(t, (db) => db.query('select status, quotas from tenants where id = $1', [owner.tenant!.id]));
    expect(tenant).toEqual({ status: 'active', quotas: {} });
  });

  it('takes effect on the next request once a user is made super-admin', async () => {
    const user = await signUp(t);
    const headers = { authorization: `Bearer ${user.accessToken}` };
    expect((await t.request('GET', '/api/v1/admin/tenants', { headers })).status).toBe(403);
    await asSystem(t, (db) => db.query('update users set is_super_admin = true where id = $1', [user.id]));
    await t.kernel.services.identity.forget(user.id);
    expect((await t.request('GET', '/api/v1/admin/tenants', { headers })).status).toBe(200);
  });
});

describe('GET /admin/tenants', () => {
  it('lists every tenant, newest first, with effective quotas and usage, paginated', async () => {
    const first = await signUp(t, { tenant: true });
    const second = await signUp(t, { tenant: true });
    const response = await t.request('GET', '/api/v1/admin/tenants?per_page=2', { headers: asAdmin() });
    expect(response.status).toBe(200);
    expect(response.body.data.map((row: { id: string }) => row.id)).toEqual([second.tenant!.id, first.tenant!.id]);
    expect(response.body.data[0]).toEqual({
      id: second.tenant!.id,
      slug: second.tenant!.slug,
      name: second.tenant!.name,
      status: 'active',
      plan: 'free',
      quotas: defaultQuotas,
      quota_overrides: {},
      usage: { members: 1, api_tokens: 0, storage_bytes: 0, files: 0 },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const [count] = await asSystem(t, (db) => db.query<{ n: number }>('select count(*) as n from tenants'));
    expect(response.body.meta.pagination).toMatchObject({ per_page: 2, total: count!.n });
  });

  it('filters by status and by `q` on slug or name, taking % and _ literally', async () => {
    const marker = `zq${Date.now().toString(36)}`;
    const bySlug = await signUp(t, { tenant: { name: 'Slug match', slug: `${marker}-shop` } });
    const byName = await signUp(t, { tenant: { name: `The ${marker.toUpperCase()} school`, slug: `school-${Date.now().toString(36)}` } });
    const found = await t.request('GET', `/api/v1/admin/tenants?q=${marker}`, { headers: asAdmin() });
    expect(found.body.data.map((row: { id: string }) => row.id).sort()).toEqual([bySlug.tenant!.id, byName.tenant!.id].sort());
    expect(found.body.meta.pagination.total).toBe(2);
    const wildcard = await t.request('GET', '/api/v1/admin/tenants?q=%25', { headers: asAdmin() });
    expect(wildcard.body.meta.pagination.total).toBe(0);
    const underscore = await t.request('GET', '/api/v1/admin/tenants?q=_', { headers: asAdmin() });
    expect(underscore.body.meta.pagination.total).toBe(0);

    await t.request('POST', tenantPath(bySlug.tenant!.id, '/suspend'), { headers: asAdmin(), body: {} });
    const suspended = await t.request('GET', `/api/v1/admin/tenants?status=suspended&q=${marker}`, { headers: asAdmin() });
    expect(suspended.body.data.map((row: { id: string }) => row.id)).toEqual([bySlug.tenant!.id]);
    const active = await t.request('GET', `/api/v1/admin/tenants?status=active&q=${marker}`, { headers: asAdmin() });
    expect(active.body.data.map((row: { id: string }) => row.id)).toEqual([byName.tenant!.id]);
  });

  it.each([
    ['?status=deleted', 'status'],
    ['?per_page=0', 'per_page'],
    ['?q=', 'q'],
    ['?sort=name', 'sort'],
  ])('answers 422 for %s', async (query, field) => {
    const response = await t.request('GET', `/api/v1/admin/tenants${query}`, { headers: asAdmin() });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([field]);
  });
});

describe('GET /admin/tenants/:id', () => {
  it('shows one tenant with its domains; 404 for an unknown id, 422 for a malformed one', async () => {
    const tenantOwner = await signUp(t, { tenant: true });
    await t.request('POST', '/api/v1/tenant/domains', { headers: tenantOwner.headers, body: { domain: `${tenantOwner.tenant!.slug}.example.net` } });
    const response = await t.request('GET', tenantPath(tenantOwner.tenant!.id), { headers: asAdmin() });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ id: tenantOwner.tenant!.id, usage: { members: 1 } });
    expect(response.body.data.domains).toEqual([
      { id: expect.any(String), domain: `${tenantOwner.tenant!.slug}.example.net`, verified: false, created_at: expect.any(String) },
    ]);
    expect((await t.request('GET', tenantPath(randomUUID()), { headers: asAdmin() })).status).toBe(404);
    expect((await t.request('GET', tenantPath('acme'), { headers: asAdmin() })).status).toBe(422);
  });
});

describe('POST /admin/tenants/:id/suspend and /unsuspend', () => {
  it("suspends: the tenant's members get 403 tenant_suspended on the next request; unsuspending restores them", async () => {
    const tenantOwner = await signUp(t, { tenant: true });
    expect((await t.request('GET', '/api/v1/tenant/domains', { headers: tenantOwner.headers })).status).toBe(200);

    const suspend = await t.request('POST', tenantPath(tenantOwner.tenant!.id, '/suspend'), { headers: asAdmin(), body: { reason: 'unpaid invoices' } });
    expect(suspend.status).toBe(200);
    expect(suspend.body.data).toMatchObject({ id: tenantOwner.tenant!.id, status: 'suspended' });
    const blocked = await t.request('GET', '/api/v1/tenant/domains', { headers: tenantOwner.headers });
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('tenant_suspended');
    const byId = await t.request('GET', '/api/v1/tenant/domains', { headers: { ...tenantOwner.headers, 'x-tenant': tenantOwner.tenant!.id } });
    expect(byId.body.code).toBe('tenant_suspended');

    const again = await t.request('POST', tenantPath(tenantOwner.tenant!.id, '/suspend'), { headers: asAdmin() });
    expect(again.status).toBe(409);

    const unsuspend = await t.request('POST', tenantPath(tenantOwner.tenant!.id, '/unsuspend'), { headers: asAdmin() });
    expect(unsuspend.status).toBe(200);
    expect(unsuspend.body.data.status).toBe('active');
    expect((await t.request('GET', '/api/v1/tenant/domains', { headers: tenantOwner.headers })).status).toBe(200);
    expect((await t.request('POST', tenantPath(tenantOwner.tenant!.id, '/unsuspend'), { headers: asAdmin() })).status).toBe(409);
  });

  it('writes each change to the host audit log and to the tenant’s own audit log, with the same request id', async () => {
    const tenantOwner = await signUp(t, { tenant: true });
    const response = await t.request('POST', tenantPath(tenantOwner.tenant!.id, '/suspend'), {
      headers: { ...asAdmin(), 'user-agent': 'ops-console' },
      body: { reason: 'abuse report #12' },
    });
    const requestId = response.headers.get('x-request-id');
    const host = await asSystem(t, (db) =>
      db.query('select actor_user_id, subject_tenant, action, target_id, data, user_agent from host_audit_log where request_id = $1', [requestId]),
    );
    expect(host).toEqual([
      {
        actor_user_id: admin.id,
        subject_tenant: tenantOwner.tenant!.id,
        action: 'admin.tenant.suspended',
        target_id: tenantOwner.tenant!.id,
        data: { reason: 'abuse report #12' },
        user_agent: 'ops-console',
      },
    ]);
    const tenantLog = await asSystem(t, (db) => db.query('select tenant_id, actor_user_id, action, data from audit_log where request_id = $1', [requestId]));
    expect(tenantLog).toEqual([
      {
        tenant_id: tenantOwner.tenant!.id,
        actor_user_id: admin.id,
        action: 'admin.tenant.suspended',
        data: { reason: 'abuse report #12', by_host_admin: true },
      },
    ]);
  });

  it('applies one of several concurrent suspensions; the others get 409 and leave no audit record', async () => {
    const tenantOwner = await signUp(t, { tenant: true });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => t.request('POST', tenantPath(tenantOwner.tenant!.id, '/suspend'), { headers: asAdmin() })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const [logged] = await asSystem(t, (db) =>
      db.query<{ n: number }>("select count(*) as n from host_audit_log where subject_tenant = $1 and action = 'admin.tenant.suspended'", [
        tenantOwner.tenant!.id,
      ]),
    );
    expect(logged!.n).toBe(1);
  });

  it('answers 404 for an unknown tenant, 422 for a malformed id or unknown fields, writing nothing', async () => {
    const unknown = randomUUID();
    expect((await t.request('POST', tenantPath(unknown, '/suspend'), { headers: asAdmin() })).status).toBe(404);
    expect((await t.request('POST', tenantPath('nope', '/suspend'), { headers: asAdmin() })).status).toBe(422);
    const extra = await t.request('POST', tenantPath(owner.tenant!.id, '/suspend'), { headers: asAdmin(), body: { status: 'active' } });
    expect(extra.status).toBe(422);
    expect(extra.body.errors).toEqual({ status: ['is not allowed'] });
    const [row] = await asSystem(t, (db) => db.query('select status from tenants where id = $1', [owner.tenant!.id]));
    expect(row).toEqual({ status: 'active' });
    const [logged] = await asSystem(t, (db) => db.query<{ n: number }>('select count(*) as n from host_audit_log where subject_tenant = $1', [unknown]));
    expect(logged!.n).toBe(0);
  });
});

describe('PUT /admin/tenants/:id/quotas', () => {
  it('replaces the overrides (left-out quotas fall back to the defaults) and audits before/after in both logs', async () => {
    const tenantOwner = await signUp(t, { tenant: true });
    const first = await t.request('PUT', tenantPath(tenantOwner.tenant!.id, '/quotas'), { headers: asAdmin(), body: { members: 5, api_tokens: 2 } });
    expect(first.status).toBe(200);
    expect(first.body.data.quotas).toEqual({ ...defaultQuotas, members: 5, api_tokens: 2 });
    expect(first.body.data.quota_overrides).toEqual({ members: 5, api_tokens: 2 });
    const second = await t.request('PUT', tenantPath(tenantOwner.tenant!.id, '/quotas'), { headers: asAdmin(), body: { requests_per_minute: 100 } });
    expect(second.body.data.quotas).toEqual({ ...defaultQuotas, requests_per_minute: 100 });
    const cached = await t.kernel.services.tenants.byId(tenantOwner.tenant!.id);
    expect(cached!.quotas.requests_per_minute).toBe(100);

    const requestId = second.headers.get('x-request-id');
    const [host] = await asSystem(t, (db) => db.query('select action, data from host_audit_log where request_id = $1', [requestId]));
    expect(host).toEqual({ action: 'admin.tenant.quotas_changed', data: { before: { members: 5, api_tokens: 2 }, after: { requests_per_minute: 100 } } });
    const [tenantEntry] = await asSystem(t, (db) => db.query('select tenant_id, action from audit_log where request_id = $1', [requestId]));
    expect(tenantEntry).toEqual({ tenant_id: tenantOwner.tenant!.id, action: 'admin.tenant.quotas_changed' });
  });

  it.each([
    [{ members: 0 }, 'members'],
    [{ members: -3 }, 'members'],
    [{ api_tokens: 1.5 }, 'api_tokens'],
    [{ requests_per_minute: '100' }, 'requests_per_minute'],
    [{ requests_per_minute: 2 ** 31 }, 'requests_per_minute'],
    [{ storage_mb: 10 }, 'storage_mb'],
  ])('answers 422 for %o and changes nothing', async (body, field) => {
    const response = await t.request('PUT', tenantPath(owner.tenant!.id, '/quotas'), { headers: asAdmin(), body });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([field]);
    const [row] = await asSystem(t, (db) => db.query('select quotas from tenants where id = $1', [owner.tenant!.id]));
    expect(row).toEqual({ quotas: {} });
  });

  it('answers 404 for an unknown tenant', async () => {
    expect((await t.request('PUT', tenantPath(randomUUID(), '/quotas'), { headers: asAdmin(), body: { members: 3 } })).status).toBe(404);
  });
});
