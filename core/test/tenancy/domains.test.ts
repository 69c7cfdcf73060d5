import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setTxtLookupForTests } from '../../src/tenancy/domain-verification.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpMember } from '../isolation/fixtures.js';

let t: TestKernel;
let owner: TestUser;
let restoreLookup: (() => void) | undefined;

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_BASE_DOMAIN: 'plinth.test' } });
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());
afterEach(() => {
  restoreLookup?.();
  restoreLookup = undefined;
});

let counter = 0;
const uniqueDomain = () => `shop-${process.pid}-${++counter}.example.com`;

async function addDomain(user: TestUser, domain = uniqueDomain()) {
  const response = await t.request('POST', '/api/v1/tenant/domains', { headers: user.headers, body: { domain } });
  expect(response.status).toBe(201);
  return response.body.data as { id: string; domain: string; verified: boolean; verification: { type: string; name: string; value: string } };
}

describe('POST /tenant/domains', () => {
  it('claims a domain, unverified, with the TXT record to publish, and audits it', async () => {
    const domain = uniqueDomain();
    const response = await t.request('POST', '/api/v1/tenant/domains', { headers: owner.headers, body: { domain } });
    expect(response.status).toBe(201);
    const created = response.body.data;
    expect(created).toMatchObject({ domain, verified: false, verification: { type: 'TXT', name: domain } });
    expect(created.verification.value).toMatch(/^plinth-verification=[0-9a-f]{32}$/);
    const [entry] = await asSystem(t, (db) => db.query('select action, target_id, data from audit_log where target_id = $1', [created.id]));
    expect(entry).toEqual({ action: 'domain.added', target_id: created.id, data: { domain } });
  });

  it('refuses a domain claimed by any tenant, itself or another, with 409', async () => {
    const taken = await addDomain(owner);
    const again = await t.request('POST', '/api/v1/tenant/domains', { headers: owner.headers, body: { domain: taken.domain } });
    expect(again.status).toBe(409);
    const other = await signUp(t, { tenant: true });
    const clash = await t.request('POST', '/api/v1/tenant/domains', { headers: other.headers, body: { domain: taken.domain } });
    expect(clash.status).toBe(409);
    expect(clash.body.errors).toEqual({ domain: ['is already in use'] });
  });

  it.each([
    [{}, 'domain'],
    [{ domain: 'Shop.Example.com' }, 'domain'],
    [{ domain: 'localhost' }, 'domain'],
    [{ domain: '10.0.0.1' }, 'domain'],
    [{ domain: 'shop..example.com' }, 'domain'],
    [{ domain: '-shop.example.com' }, 'domain'],
    [{ domain: 'shop.example.com.' }, 'domain'],
    [{ domain: `${'a'.repeat(64)}.example.com` }, 'domain'],
    [{ domain: 'https://shop.example.com' }, 'domain'],
    [{ domain: 42 }, 'domain'],
    [{ domain: 'shop.example.com', verified: true }, 'verified'],
    [{ domain: 'plinth.test' }, 'domain'],
    [{ domain: 'acme.plinth.test' }, 'domain'],
  ])('answers 422 naming the field for %o', async (body, field) => {
    const response = await t.request('POST', '/api/v1/tenant/domains', { headers: owner.headers, body });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([field]);
  });

  it('needs core.tenant.manage (403 for a viewer), a token (401) and a tenant (400)', async () => {
    const viewer = await signUpMember(t, owner.tenant!, ['viewer']);
    const body = { domain: uniqueDomain() };
    expect((await t.request('POST', '/api/v1/tenant/domains', { headers: viewer.headers, body })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/tenant/domains', { headers: { 'x-tenant': owner.tenant!.slug }, body })).status).toBe(401);
    const noTenant = await t.request('POST', '/api/v1/tenant/domains', { headers: { authorization: owner.headers.authorization! }, body });
    expect(noTenant.status).toBe(400);
    expect(noTenant.body.code).toBe('tenant_required');
    const list = await t.request('GET', '/api/v1/tenant/domains', { headers: viewer.headers });
    expect(list.status).toBe(200);
  });
});

describe('GET /tenant/domains', () => {
  it("lists only the tenant's domains, sorted, paginated", async () => {
    const tenantOwner = await signUp(t, { tenant: true });
    const names = ['b-site.example.org', 'a-site.example.org', 'c-site.example.org'].map((name) => `${process.pid}-${name}`);
    for (const name of names) await addDomain(tenantOwner, name);
    const page = await t.request('GET', '/api/v1/tenant/domains?per_page=2&page=2', { headers: tenantOwner.headers });
    expect(page.status).toBe(200);
    expect(page.body.meta.pagination).toEqual({ page: 2, per_page: 2, total: 3, total_pages: 2 });
    expect(page.body.data.map((row: { domain: string }) => row.domain)).toEqual([names[2]]);
    const bad = await t.request('GET', '/api/v1/tenant/domains?per_page=500', { headers: tenantOwner.headers });
    expect(bad.status).toBe(422);
  });
});

describe('POST /tenant/domains/:id/verify', () => {
  it('answers 409 domain_not_verified with the record to add when DNS has no such TXT record, and stays unverified', async () => {
    const domain = await addDomain(owner);
    const asked: string[] = [];
    restoreLookup = setTxtLookupForTests(async (name) => {
      asked.push(name);
      return [['v=spf1 -all'], ['plinth-verification=', 'not-the-token']];
    });
    const response = await t.request('POST', `/api/v1/tenant/domains/${domain.id}/verify`, { headers: owner.headers });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('domain_not_verified');
    expect(response.body.message).toContain(domain.verification.value);
    expect(asked).toEqual([domain.domain]);
    const [row] = await asSystem(t, (db) => db.query('select verified from tenant_domains where id = $1', [domain.id]));
    expect(row).toEqual({ verified: false });
  });

  it('treats a failed lookup (NXDOMAIN, timeout) as no record', async () => {
    const domain = await addDomain(owner);
    restoreLookup = setTxtLookupForTests(async () => {
      throw Object.assign(new Error('queryTxt ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    const response = await t.request('POST', `/api/v1/tenant/domains/${domain.id}/verify`, { headers: owner.headers });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('domain_not_verified');
  });

  it('verifies when the TXT record (possibly split in chunks) is there, audits it, and is idempotent', async () => {
    const domain = await addDomain(owner);
    const [head, tail] = [domain.verification.value.slice(0, 25), domain.verification.value.slice(25)];
    restoreLookup = setTxtLookupForTests(async (name) => (name === domain.domain ? [['google-site-verification=x'], [head, tail]] : []));
    const response = await t.request('POST', `/api/v1/tenant/domains/${domain.id}/verify`, { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ id: domain.id, verified: true });
    const again = await t.request('POST', `/api/v1/tenant/domains/${domain.id}/verify`, { headers: owner.headers });
    expect(again.status).toBe(200);
    expect(again.body.data.verified).toBe(true);
    const actions = await asSystem(t, (db) => db.query('select action from audit_log where target_id = $1 order by created_at', [domain.id]));
    expect(actions.map((row) => row.action)).toEqual(['domain.added', 'domain.verified']);
  });

  it('answers 404 for an unknown id, 422 for a malformed one, 403 without core.tenant.manage', async () => {
    expect((await t.request('POST', '/api/v1/tenant/domains/00000000-0000-4000-8000-000000000000/verify', { headers: owner.headers })).status).toBe(404);
    expect((await t.request('POST', '/api/v1/tenant/domains/not-a-uuid/verify', { headers: owner.headers })).status).toBe(422);
    const domain = await addDomain(owner);
    const member = await signUpMember(t, owner.tenant!, ['member']);
    expect((await t.request('POST', `/api/v1/tenant/domains/${domain.id}/verify`, { headers: member.headers })).status).toBe(403);
  });
});

describe('DELETE /tenant/domains/:id', () => {
  it('releases the domain (another tenant may then claim it) and audits it', async () => {
    const domain = await addDomain(owner);
    const response = await t.request('DELETE', `/api/v1/tenant/domains/${domain.id}`, { headers: owner.headers });
    expect(response.status).toBe(204);
    expect((await t.request('DELETE', `/api/v1/tenant/domains/${domain.id}`, { headers: owner.headers })).status).toBe(404);
    const other = await signUp(t, { tenant: true });
    await addDomain(other, domain.domain);
    const [entry] = await asSystem(t, (db) => db.query("select data from audit_log where target_id = $1 and action = 'domain.removed'", [domain.id]));
    expect(entry).toEqual({ data: { domain: domain.domain } });
  });

  it('needs core.tenant.manage', async () => {
    const domain = await addDomain(owner);
    const viewer = await signUpMember(t, owner.tenant!, ['viewer']);
    expect((await t.request('DELETE', `/api/v1/tenant/domains/${domain.id}`, { headers: viewer.headers })).status).toBe(403);
    const [row] = await asSystem(t, (db) => db.query('select count(*) as n from tenant_domains where id = $1', [domain.id]));
    expect(row).toEqual({ n: 1 });
  });
});
