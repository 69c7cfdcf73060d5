import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestResponse, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpSuperAdmin } from '../isolation/fixtures.js';

let t: TestKernel;
let acme: TestUser;
let globex: TestUser;

/** `fetch` always sends the URL's host, so requests naming another Host go through node:http. */
function withHost(host: string, path: string, headers: Record<string, string>): Promise<Pick<TestResponse, 'status' | 'body'>> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, t.url), { headers: { ...headers, host } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The domains listed for the resolved tenant: each tenant here owns one distinct domain, so this names the tenant. */
const domainsOf = (response: Pick<TestResponse, 'body'>) => response.body.data.map((row: { domain: string }) => row.domain);
const auth = (user: TestUser) => ({ authorization: `Bearer ${user.accessToken}` });

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_BASE_DOMAIN: 'plinth.test' } });
  acme = await signUp(t, { tenant: { name: 'Acme', slug: 'acme' } });
  globex = await signUp(t, { tenant: { name: 'Globex', slug: 'globex' } });
  await asSystem(t, (db) =>
    db.query(
      `insert into tenant_domains (tenant_id, domain, verified, verification_token)
       values ($1, 'shop.acme.example', true, 'a'), ($2, 'globex.example', true, 'b'), ($1, 'pending.acme.example', false, 'c')`,
      [acme.tenant!.id, globex.tenant!.id],
    ),
  );
});
afterAll(() => t.close());

describe('tenant resolution', () => {
  it('reads X-Tenant as a slug (any case) or as an id', async () => {
    const bySlug = await t.request('GET', '/api/v1/tenant/domains', { headers: { ...auth(acme), 'x-tenant': 'ACME' } });
    expect(bySlug.status).toBe(200);
    expect(domainsOf(bySlug)).toEqual(['pending.acme.example', 'shop.acme.example']);
    const byId = await t.request('GET', '/api/v1/tenant/domains', { headers: { ...auth(globex), 'x-tenant': globex.tenant!.id } });
    expect(domainsOf(byId)).toEqual(['globex.example']);
  });

  it('answers 400 tenant_required when a tenant route names no tenant', async () => {
    const response = await t.request('GET', '/api/v1/tenant/domains', { headers: auth(acme) });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('tenant_required');
    const bareBase = await withHost('plinth.test', '/api/v1/tenant/domains', auth(acme));
    expect(bareBase.body.code).toBe('tenant_required');
  });

  it('answers 404 for an unknown slug or id, and 400 for an X-Tenant that is neither', async () => {
    for (const name of ['no-such-tenant', randomUUID()]) {
      const response = await t.request('GET', '/api/v1/tenant/domains', { headers: { ...auth(acme), 'x-tenant': name } });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('not_found');
    }
    const malformed = await t.request('GET', '/api/v1/tenant/domains', { headers: { ...auth(acme), 'x-tenant': 'acme; drop table' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('bad_request');
  });

  it('resolves <slug>.<PLINTH_BASE_DOMAIN> from the Host header, with or without a port', async () => {
    const response = await withHost('acme.plinth.test', '/api/v1/tenant/domains', auth(acme));
    expect(response.status).toBe(200);
    expect(domainsOf(response)).toEqual(['pending.acme.example', 'shop.acme.example']);
    const withPort = await withHost('GLOBEX.plinth.test:8080', '/api/v1/tenant/domains', auth(globex));
    expect(domainsOf(withPort)).toEqual(['globex.example']);
    expect((await withHost('nobody.plinth.test', '/api/v1/tenant/domains', auth(acme))).status).toBe(404);
  });

  it('lets X-Tenant win over the host name', async () => {
    const response = await withHost('acme.plinth.test', '/api/v1/tenant/domains', { ...auth(globex), 'x-tenant': 'globex' });
    expect(domainsOf(response)).toEqual(['globex.example']);
  });

  it('resolves a verified custom domain, not an unverified one', async () => {
    const verified = await withHost('shop.acme.example', '/api/v1/tenant/domains', auth(acme));
    expect(verified.status).toBe(200);
    expect(domainsOf(verified)).toContain('shop.acme.example');
    const unverified = await withHost('pending.acme.example', '/api/v1/tenant/domains', auth(acme));
    expect(unverified.status).toBe(400);
    expect(unverified.body.code).toBe('tenant_required');
  });

  it("checks membership in the resolved tenant: another tenant's host name gives 403", async () => {
    const response = await withHost('globex.example', '/api/v1/tenant/domains', auth(acme));
    expect(response.status).toBe(403);
  });

  it('drops a released custom domain on the next request', async () => {
    const created = await t.request('POST', '/api/v1/tenant/domains', { headers: globex.headers, body: { domain: 'brief.globex.example' } });
    await asSystem(t, (db) => db.query('update tenant_domains set verified = true where id = $1', [created.body.data.id]));
    await t.kernel.services.tenants.forget(globex.tenant!, ['brief.globex.example']);
    expect((await withHost('brief.globex.example', '/api/v1/tenant/domains', auth(globex))).status).toBe(200);
    expect((await t.request('DELETE', `/api/v1/tenant/domains/${created.body.data.id}`, { headers: globex.headers })).status).toBe(204);
    const released = await withHost('brief.globex.example', '/api/v1/tenant/domains', auth(globex));
    expect(released.body.code).toBe('tenant_required');
  });

  it('applies a suspension on the very next request, however the tenant is named (cache invalidation)', async () => {
    const admin = await signUpSuperAdmin(t);
    const names = [
      () => t.request('GET', '/api/v1/tenant/domains', { headers: { ...auth(acme), 'x-tenant': 'acme' } }),
      () => t.request('GET', '/api/v1/tenant/domains', { headers: { ...auth(acme), 'x-tenant': acme.tenant!.id } }),
      () => withHost('acme.plinth.test', '/api/v1/tenant/domains', auth(acme)),
      () => withHost('shop.acme.example', '/api/v1/tenant/domains', auth(acme)),
    ];
    // Warm every cache entry first, so a stale one would show.
    for (const call of names) expect((await call()).status).toBe(200);
    const suspend = await t.request('POST', `/api/v1/admin/tenants/${acme.tenant!.id}/suspend`, { headers: auth(admin) });
    expect(suspend.status).toBe(200);
    for (const call of names) {
      const response = await call();
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('tenant_suspended');
    }
    expect((await t.request('GET', '/api/v1/tenant/domains', { headers: globex.headers })).status).toBe(200);
    await t.request('POST', `/api/v1/admin/tenants/${acme.tenant!.id}/unsuspend`, { headers: auth(admin) });
    for (const call of names) expect((await call()).status).toBe(200);
  });

  it('answers the lookups of a warm request without a promise (in-memory cache), and reloads a dropped entry', async () => {
    const { services } = t.kernel;
    expect(services.cache.kind).toBe('memory');
    const tenantId = globex.tenant!.id;
    expect((await t.request('GET', '/api/v1/tenant', { headers: globex.headers })).status).toBe(200);
    const tenant = services.tenants.resolve('globex', '127.0.0.1');
    expect(tenant).not.toBeInstanceOf(Promise);
    expect((tenant as { id: string }).id).toBe(tenantId);
    expect(services.accessTokens.verify(globex.accessToken)).toMatchObject({ userId: globex.id });
    expect(services.identity.stateOf(globex.id)).toMatchObject({ status: 'active' });
    expect(services.plugins.tenantPlugins.state(tenantId)).not.toBeInstanceOf(Promise);
    expect(services.tenantAccess.of(tenantId, globex.id)).toMatchObject({ membershipId: expect.any(String) });
    // Dropped entries are loaded again, with a promise; the value is the same.
    await services.tenants.forget(globex.tenant!);
    const reloaded = services.tenants.resolve('globex', '127.0.0.1');
    expect(reloaded).toBeInstanceOf(Promise);
    expect((await reloaded)!.id).toBe(tenantId);
    // A load that began in the millisecond of the deletion is not kept (see the cache's tombstones); a later one is.
    const warm = () => {
      const answer = services.tenants.resolve('globex', '127.0.0.1');
      return answer instanceof Promise ? answer.then(() => false) : true;
    };
    await expect.poll(warm, { interval: 2 }).toBe(true);
  });
});
