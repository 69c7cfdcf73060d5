import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { pagesPlugin } from './fixtures/pages-plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let c: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [pagesPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  c = await signUp(t, { tenant: true });
  await t.enable(a, 'pages');
  await t.enable(b, 'pages');
  expect((await call(a, 'POST', '/pages', { slug: 'alpha', body: 'Alpha <b>page</b>', secret: 's3cret' })).status).toBe(201);
  expect((await call(a, 'POST', '/pages', { slug: 'alpha-2', body: 'Second' })).status).toBe(201);
  expect((await call(b, 'POST', '/pages', { slug: 'beta', body: 'Beta page' })).status).toBe(201);
});
afterAll(() => t.close());

/** A GET on another host name, as the page's text. */
const onHost = async (host: string, path = '/') => {
  const response = await t.request('GET', path, { headers: { host } });
  return { status: response.status, location: response.headers.get('location'), text: response.body as string };
};

const call = (user: TestUser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.request(method, `/api/v1/pages${path}`, { headers: { ...user.headers, ...headers }, body });

describe('root routes', () => {
  it('serve a page at the site root for the tenant its lookup finds, outside the envelope', async () => {
    const page = await t.request('GET', '/p/alpha');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('public, max-age=60');
    expect(page.body).toBe('<p>Alpha <b>page</b></p>');
    expect((await t.request('GET', '/p/beta')).body).toBe('<p>Beta page</p>');
  });

  it('answer 404 for an unknown slug, and when the tenant has disabled the plugin', async () => {
    expect((await t.request('GET', '/p/nope/go')).body.code).toBe('not_found');
    const disabled = await t.request('POST', '/api/v1/marketplace/pages/disable', { headers: b.headers });
    expect(disabled.status).toBe(200);
    const hidden = await t.request('GET', '/p/beta/go');
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('not_found');
    await t.enable(b, 'pages');
    expect((await t.request('GET', '/p/beta')).status).toBe(200);
  });

  it("answer with the plugin's own page where it has one, for unknown slugs and disabled tenants alike", async () => {
    const unknown = await t.request('GET', '/p/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(unknown.body).toBe('<p>No such page</p>');
    await t.request('POST', '/api/v1/marketplace/pages/disable', { headers: b.headers });
    const hidden = await t.request('GET', '/p/beta');
    await t.enable(b, 'pages');
    expect([hidden.status, hidden.body]).toEqual([404, '<p>No such page</p>']);
  });

  it('see only global tables while finding the tenant, and the tenant’s rows once found', async () => {
    expect((await call(a, 'POST', '/pages', { slug: 'moved', body: 'A only' })).status).toBe(201);
    expect((await t.request('GET', '/p/moved')).status).toBe(200);
    // Point the slug at tenant B: the handler now runs as B, and A's page is invisible to it.
    await t.sql("update pages_slugs set tenant_id = $1 where slug = 'moved'", [b.tenant!.id]);
    expect((await t.request('GET', '/p/moved')).status).toBe(404);
    await t.sql("delete from pages_slugs where slug = 'moved'");
    await t.sql("delete from pages_pages where slug = 'moved'");
  });

  it('answer on host names a plugin routes: its own domain, and custom domains only for the tenant that verified them', async () => {
    expect((await onHost('alpha.pages.test')).text).toBe('<p>Alpha <b>page</b></p>');
    expect((await onHost('alpha.pages.test', '/go')).location).toBe('https://example.com/target');
    expect((await onHost('nope.pages.test')).status).toBe(404);
    // The API and health stay the platform's on every host.
    expect((await onHost('alpha.pages.test', '/health')).status).toBe(200);

    await t.sql("insert into pages_pages (tenant_id, slug, body) values ($1, 'own', 'On its own domain')", [a.tenant!.id]);
    await t.sql("insert into pages_slugs (slug, tenant_id, domain) values ('own', $1, 'own.example.org')", [a.tenant!.id]);
    expect((await onHost('own.example.org')).status).toBe(404); // not verified by anyone yet
    await t.sql('insert into tenant_domains (tenant_id, domain, verified, verification_token) values ($1, $2, true, $3)', [
      b.tenant!.id,
      'own.example.org',
      'token-b',
    ]);
    expect((await onHost('own.example.org')).status).toBe(404); // verified by another tenant than the page's
    await t.sql('update tenant_domains set tenant_id = $1 where domain = $2', [a.tenant!.id, 'own.example.org']);
    await t.kernel.services.tenants.forget({ id: b.tenant!.id, slug: b.tenant!.slug }, ['own.example.org']);
    expect((await onHost('own.example.org')).text).toBe('<p>On its own domain</p>');
    expect((await onHost('OWN.example.org:8080')).text).toBe('<p>On its own domain</p>');
    // A domain a tenant verified (for anything) shows none of another tenant's pages.
    await t.sql("insert into tenant_domains (tenant_id, domain, verified, verification_token) values ($1, 'shop.a.example', true, 'token-a')", [a.tenant!.id]);
    expect((await onHost('shop.a.example', '/p/alpha')).status).toBe(200);
    expect(await onHost('shop.a.example', '/p/beta')).toMatchObject({ status: 404, text: '<p>No such page</p>' });
    expect((await onHost('shop.a.example', '/p/beta/go')).status).toBe(404);
    expect((await onHost('localhost', '/p/beta')).status).toBe(200);

    // A plugin routing a host outside its own root routes is a failure, not a way into the platform's routes.
    expect((await onHost('astray.test')).status).toBe(500);
    // Hosts of the platform itself are never asked about.
    expect((await onHost('localhost', '/p/alpha')).status).toBe(200);
    await t.sql("delete from pages_slugs where slug = 'own'");
    await t.sql("delete from pages_pages where slug = 'own'");
  });

  it('redirect to what the handler built', async () => {
    const response = await fetch(`${t.url}/p/alpha/go`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://example.com/target');
  });

  it('are refused at load when they claim a reserved path', async () => {
    const { definePlugin } = await import('@plinth/sdk');
    const bad = definePlugin({
      name: 'squatter',
      version: '1.0.0',
      title: 'S',
      description: 'S',
      category: 'test',
      requires: { core: '^0.1.0' },
      routes: ({ route }) => [
        route({ method: 'GET', path: '/api/v1/me', summary: 'x', public: true, root: { resolveTenant: async () => undefined }, handler: async () => ({}) }),
      ],
    });
    await expect(createTestKernel({ plugins: [bad] })).rejects.toThrow(/root paths may not start with \/api/);
    const hostsWithoutPages = definePlugin({
      name: 'hoster',
      version: '1.0.0',
      title: 'H',
      description: 'H',
      category: 'test',
      requires: { core: '^0.1.0' },
      hosts: { route: async () => '/anything' },
    });
    await expect(createTestKernel({ plugins: [hostsWithoutPages] })).rejects.toThrow(/plugin `hoster`.*needs root routes/);
    const { Type } = await import('@plinth/sdk');
    const badSchema = definePlugin({
      name: 'sloppy',
      version: '1.0.0',
      title: 'S',
      description: 'S',
      category: 'test',
      requires: { core: '^0.1.0' },
      routes: ({ route }) => [
        route({
          method: 'GET',
          path: '/things',
          summary: 'x',
          public: true,
          schema: { query: Type.Object({ kind: Type.Unsafe<string>({ type: 'no-such-type' }) }) },
          handler: async () => ({}),
        }),
      ],
    });
    await expect(createTestKernel({ plugins: [badSchema] })).rejects.toThrow(
      /plugin `sloppy`: route GET \/sloppy\/things has a schema that cannot be compiled/,
    );
  });
});

describe('public routes naming their tenant in the path', () => {
  it('run for that tenant with the raw body, and 404 for an unknown tenant', async () => {
    const raw = '{"a":  1}';
    const response = await t.request('POST', `/api/v1/pages/hooks/${a.tenant!.slug}`, { body: raw });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ tenant: a.tenant!.slug, raw, pages: 2 });
    const byId = await t.request('POST', `/api/v1/pages/hooks/${b.tenant!.id}`, { body: '{}' });
    expect(byId.body.data).toMatchObject({ tenant: b.tenant!.slug, pages: 1 });
    expect((await t.request('POST', '/api/v1/pages/hooks/no-such-tenant', { body: '{}' })).status).toBe(404);
    const notEnabled = await t.request('POST', `/api/v1/pages/hooks/${c.tenant!.slug}`, { body: '{}' });
    expect(notEnabled.status).toBe(404);
    expect(notEnabled.body.code).toBe('plugin_not_enabled');
  });
});

describe('public routes and a signed-in caller', () => {
  it('know the caller when a token is sent, member or not, and refuse a bad token', async () => {
    const anonymous = await t.request('GET', '/api/v1/pages/whoami', { headers: { 'x-tenant': a.tenant!.slug } });
    expect(anonymous.body.data).toEqual({ caller: { kind: 'anonymous' }, canManage: false });
    expect((await call(a, 'GET', '/whoami')).body.data).toEqual({ caller: { kind: 'user', userId: a.id }, canManage: true });
    const customer = await t.request('GET', '/api/v1/pages/whoami', { headers: { ...c.headers, 'x-tenant': a.tenant!.slug } });
    expect(customer.status).toBe(200);
    expect(customer.body.data).toEqual({ caller: { kind: 'user', userId: c.id }, canManage: false });
    const bad = await t.request('GET', '/api/v1/pages/whoami', { headers: { 'x-tenant': a.tenant!.slug, authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
  });
});

describe('bodies other than JSON', () => {
  it('accept the media types a route lists, with its own size limit', async () => {
    const ok = await call(a, 'POST', '/import', 'a,b\n1,2\n', { 'content-type': 'text/csv' });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ lines: 2 });
    const tooBig = await call(a, 'POST', '/import', 'x'.repeat(65), { 'content-type': 'text/csv' });
    expect(tooBig.status).toBe(413);
    const json = await call(a, 'POST', '/import', { a: 1 });
    expect(json.status).toBe(415);
    expect(json.body.message).toContain('text/csv');
  });

  it('parse urlencoded forms into objects the schema validates', async () => {
    const form = await t.request('POST', '/api/v1/pages/form', {
      headers: { ...a.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=x%40example.com',
    });
    expect(form.status).toBe(200);
    expect(form.body.data).toEqual({ email: 'x@example.com' });
    const bad = await t.request('POST', '/api/v1/pages/form', {
      headers: { ...a.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=nope',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.email).toBeDefined();
  });
});

describe('streamed answers', () => {
  it('stream rows read inside the request’s tenant transaction', async () => {
    const response = await call(a, 'GET', '/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('pages.csv');
    expect(response.body).toBe('slug\nalpha\nalpha-2\n');
    expect((await call(b, 'GET', '/export')).body).toBe('slug\nbeta\n');
  });
});

describe('secrets and members', () => {
  it('seal secrets so the stored value is not the plaintext, and open them again', async () => {
    const [row] = await t.sql<{ secret: string }>("select secret from pages_pages where slug = 'alpha'");
    expect(row!.secret).not.toContain('s3cret');
    const opened = await call(a, 'GET', '/pages/alpha/secret');
    expect(opened.body.data).toEqual({ sealed: row!.secret, plain: 's3cret' });
  });

  it('list the tenant’s members by role and by permission, never another tenant’s', async () => {
    const viewer = await addMember(t, a, ['viewer']);
    const response = await call(a, 'GET', '/members');
    expect(response.body.data.self).toMatchObject({ userId: a.id, email: a.email, roles: ['owner'] });
    const managers = response.body.data.managers.map((member: { userId: string }) => member.userId);
    expect(managers).toEqual([a.id]);
    expect(managers).not.toContain(viewer.id);
    expect(response.body.data.owners.map((member: { userId: string }) => member.userId)).toEqual([a.id]);
    const fromB = await call(b, 'GET', '/members');
    expect(fromB.body.data.managers.map((member: { userId: string }) => member.userId)).toEqual([b.id]);
    // By email, in any letter case; another tenant's member is nobody here.
    expect((await call(a, 'GET', `/members?email=${encodeURIComponent(viewer.email.toUpperCase())}`)).body.data.found).toMatchObject({
      userId: viewer.id,
      roles: ['viewer'],
    });
    expect((await call(b, 'GET', `/members?email=${encodeURIComponent(viewer.email)}`)).body.data.found).toBeNull();
  });
});

describe('write-behind', () => {
  it("writes queued rows in the queuing tenant's scope, in batches after the responses", async () => {
    const visits = async () =>
      Object.fromEntries(
        (
          await t.sql<{ tenant_id: string; n: number }>("select tenant_id, count(*)::int as n from pages_seen where event like 'visit:%' group by tenant_id")
        ).map((row) => [row.tenant_id, row.n]),
      );
    const probe = await t.request('POST', '/p/alpha/seen');
    expect([probe.status, probe.body]).toEqual([204, '']);
    // Unflushed, the timer writes it within about a second.
    await expect.poll(visits, { timeout: 5000, interval: 50 }).toEqual({ [a.tenant!.id]: 1 });
    await Promise.all([
      ...Array.from({ length: 29 }, () => t.request('POST', '/p/alpha/seen')),
      ...Array.from({ length: 20 }, () => t.request('POST', '/p/beta/seen')),
    ]);
    await t.flushWrites();
    expect(await visits()).toEqual({ [a.tenant!.id]: 30, [b.tenant!.id]: 20 });
    await t.flushWrites();
    expect(await visits()).toEqual({ [a.tenant!.id]: 30, [b.tenant!.id]: 20 });
  });

  it("refuses another plugin's or core's table", async () => {
    const misuse = await t.request('POST', '/p/alpha/seen?into=plinth_events');
    expect(misuse.status).toBe(500);
    await t.flushWrites();
    expect(await t.sql("select 1 from plinth_events where payload->>'event' like 'visit:%'")).toHaveLength(0);
  });
});

describe('handlers of every event', () => {
  it('receive each event of the tenant once', async () => {
    await t.drainEvents();
    await t.drainJobs();
    const seen = await t.sql<{ event: string; tenant_id: string }>('select event, tenant_id from pages_seen order by event');
    const ofA = seen.filter((row) => row.tenant_id === a.tenant!.id).map((row) => row.event);
    expect(ofA.filter((name) => name === 'pages.page.created')).toHaveLength(3); // alpha, alpha-2, moved
    expect(ofA).toContain('core.plugin.enabled');
  });
});

// Last: creating a page emits an event the handlers above count.
describe('envelope replies', () => {
  it('carry the headers a handler adds', async () => {
    const created = await call(a, 'POST', '/pages', { slug: 'with-location', body: 'x' });
    expect([created.status, created.headers.get('location'), created.body.data]).toEqual([201, '/p/with-location', { slug: 'with-location' }]);
    await t.sql("delete from pages_slugs where slug = 'with-location'");
    await t.sql("delete from pages_pages where slug = 'with-location'");
  });
});
