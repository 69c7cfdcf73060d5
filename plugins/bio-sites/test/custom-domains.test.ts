import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visitHost } from './helpers.js';

// Read by the plugin on each request; this file runs in a process of its own.
process.env.PLINTH_BIO_SITES_DOMAIN = 'bio.example.test';

let t: TestKernel;
let ada: TestUser;
let eve: TestUser;
let siteId = '';
let linkId = '';
const sites = '/api/v1/bio-sites/sites';

/** Verifies a domain for a tenant in core, as its DNS check would. */
const verify = (user: TestUser, domain: string) =>
  t.sql("insert into tenant_domains (tenant_id, domain, verified, verification_token) values ($1, $2, true, 'test')", [user.tenant!.id, domain]);
const registry = () => t.sql<{ domain: string; slug: string; tenant_id: string }>('select domain, slug, tenant_id from bio_sites_domains order by domain');

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  [ada, eve] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(ada, 'bio-sites');
  await t.enable(eve, 'bio-sites');
  const site = await createSite(t, ada, { slug: 'ada', title: 'Ada on her domain', status: 'published', custom_domain: 'links.ada.example' });
  siteId = site.id;
  linkId = (await addBlock(t, ada, siteId, { type: 'link', data: { title: 'Blog', url: 'https://ada.example/blog' } })).id;
  await verify(ada, 'links.ada.example');
});
afterAll(async () => {
  delete process.env.PLINTH_BIO_SITES_DOMAIN;
  await t?.close();
});

describe('custom_domain through the API', () => {
  it('is stored, shown, and kept in the global registry in step with the slug', async () => {
    const shown = await t.request('GET', `${sites}/${siteId}`, { headers: ada.headers });
    expect(shown.body.data.custom_domain).toBe('links.ada.example');
    expect(await registry()).toEqual([{ domain: 'links.ada.example', slug: 'ada', tenant_id: ada.tenant!.id }]);
    const other = await createSite(t, ada, { slug: 'ada-two' });
    await t.request('PATCH', `${sites}/${other.id}`, { headers: ada.headers, body: { custom_domain: 'two.ada.example' } });
    await t.request('PATCH', `${sites}/${other.id}`, { headers: ada.headers, body: { slug: 'ada-second' } });
    expect(await registry()).toEqual([
      { domain: 'links.ada.example', slug: 'ada', tenant_id: ada.tenant!.id },
      { domain: 'two.ada.example', slug: 'ada-second', tenant_id: ada.tenant!.id },
    ]);
    const cleared = await t.request('PATCH', `${sites}/${other.id}`, { headers: ada.headers, body: { custom_domain: null } });
    expect(cleared.body.data.custom_domain).toBeNull();
    const renamed = await t.request('PATCH', `${sites}/${other.id}`, { headers: ada.headers, body: { custom_domain: 'three.ada.example' } });
    expect(renamed.body.data.custom_domain).toBe('three.ada.example');
    expect((await t.request('DELETE', `${sites}/${other.id}`, { headers: ada.headers })).status).toBe(204);
    expect((await registry()).map((row) => row.domain)).toEqual(['links.ada.example']);
  });

  it('is unique across every site of every tenant', async () => {
    const taken = await t.request('POST', sites, { headers: eve.headers, body: { slug: 'eve', title: 'Eve', custom_domain: 'links.ada.example' } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual({ custom_domain: ['is already taken'] });
    const eveSite = await createSite(t, eve, { slug: 'eve-site' });
    const patched = await t.request('PATCH', `${sites}/${eveSite.id}`, { headers: eve.headers, body: { custom_domain: 'links.ada.example' } });
    expect(patched.status).toBe(409);
    expect((await t.request('GET', `${sites}/${eveSite.id}`, { headers: eve.headers })).body.data.custom_domain).toBeNull();
    const sibling = await t.request('POST', sites, { headers: ada.headers, body: { slug: 'ada-sibling', title: 'S', custom_domain: 'links.ada.example' } });
    expect(sibling.status).toBe(409);
    expect(await t.sql("select 1 from bio_sites_slugs where slug in ('eve', 'ada-sibling')")).toHaveLength(0);
  });

  it.each([
    ['Links.Ada.Example', 'must match pattern'],
    ['https://links.ada.example', 'must match pattern'],
    ['links.ada.example/path', 'must match pattern'],
    ['localhost', 'must match pattern'],
    ['10.0.0.1', 'must match pattern'],
    ['a..example', 'must match pattern'],
    ['-bad.example', 'must match pattern'],
    [`${'x'.repeat(64)}.example`, 'must match pattern'],
    [`${'abcdefghi.'.repeat(25)}example`, 'must match pattern'],
    ['ada.bio.example.test', 'must not be under bio.example.test'],
    ['bio.example.test', 'must not be under bio.example.test'],
  ])('refuses %s', async (domain, message) => {
    const response = await t.request('PATCH', `${sites}/${siteId}`, { headers: ada.headers, body: { custom_domain: domain } });
    expect(response.status).toBe(422);
    expect(response.body.errors.custom_domain[0]).toContain(message);
  });
});

describe('serving a site on <slug>.<PLINTH_BIO_SITES_DOMAIN>', () => {
  it('maps / to the page, /l/:id to the tracked redirect, and /b/<slug>… unchanged', async () => {
    const page = await visitHost(t, 'ada.bio.example.test', '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Ada on her domain</h1>');
    expect(page.text).toContain(`href="/b/ada/l/${linkId}"`);
    expect((await visitHost(t, 'ADA.bio.example.test:8080', '/?utm_source=x')).status).toBe(200);
    expect((await visitHost(t, 'ada.bio.example.test', '/b/ada')).status).toBe(200);
    for (const path of [`/l/${linkId}`, `/b/ada/l/${linkId}`]) {
      const click = await visitHost(t, 'ada.bio.example.test', path);
      expect([click.status, click.headers.get('location')], path).toEqual([302, 'https://ada.example/blog']);
    }
  });

  it("answers the plugin's 404 page for an unknown or unpublished slug, and routes nothing else", async () => {
    await createSite(t, ada, { slug: 'ada-draft' });
    for (const host of ['nobody.bio.example.test', 'ada-draft.bio.example.test']) {
      const missing = await visitHost(t, host, '/');
      expect(missing.status, host).toBe(404);
      expect(missing.headers.get('content-type'), host).toBe('text/html; charset=utf-8');
      expect(missing.text, host).toContain('<h1>Not found</h1>');
    }
    for (const [host, path] of [
      ['ada.bio.example.test', '/favicon.ico'],
      ['ada.bio.example.test', '/l/x/y'],
      ['deep.ada.bio.example.test', '/'],
    ] as const) {
      const response = await visitHost(t, host, path);
      expect(response.status, `${host}${path}`).toBe(404);
      expect(response.text, `${host}${path}`).not.toContain('Ada on her domain');
    }
  });
});

describe('serving a site on its custom domain', () => {
  it('serves the page once the tenant verified the domain in core', async () => {
    const page = await visitHost(t, 'links.ada.example', '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Ada on her domain</h1>');
    const click = await visitHost(t, 'links.ada.example', `/l/${linkId}`);
    expect([click.status, click.headers.get('location')]).toEqual([302, 'https://ada.example/blog']);
    await t.flushWrites();
    const hits = await t.sql<{ tenant_id: string }>('select distinct tenant_id from bio_sites_hits where site_id = $1', [siteId]);
    expect(hits).toEqual([{ tenant_id: ada.tenant!.id }]);
  });

  it('follows a domain set, moved or removed at once (in this process)', async () => {
    await verify(ada, 'late.ada.example');
    expect((await visitHost(t, 'late.ada.example', '/')).status).toBe(404);
    const late = await createSite(t, ada, { slug: 'ada-late', title: 'Late', status: 'published', custom_domain: 'late.ada.example' });
    expect((await visitHost(t, 'late.ada.example', '/')).text).toContain('<h1>Late</h1>');
    await t.request('PATCH', `${sites}/${late.id}`, { headers: ada.headers, body: { slug: 'ada-later' } });
    expect((await visitHost(t, 'late.ada.example', '/')).text).toContain('<h1>Late</h1>');
    await t.request('PATCH', `${sites}/${late.id}`, { headers: ada.headers, body: { custom_domain: null } });
    expect((await visitHost(t, 'late.ada.example', '/')).status).toBe(404);
  });

  it('serves nothing on a domain the tenant has not verified', async () => {
    const site = await createSite(t, ada, { slug: 'ada-pending', title: 'Pending', status: 'published', custom_domain: 'pending.ada.example' });
    const response = await visitHost(t, 'pending.ada.example', '/');
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('Pending');
    expect(site.custom_domain).toBe('pending.ada.example');
  });

  it("serves nothing when another tenant verified the domain the site names (no serving someone else's domain)", async () => {
    await verify(eve, 'shop.eve.example');
    await createSite(t, ada, { slug: 'ada-squat', title: 'Squatter', status: 'published', custom_domain: 'shop.eve.example' });
    const response = await visitHost(t, 'shop.eve.example', '/');
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('Squatter');
  });
});

describe("a site's own host", () => {
  it("never shows another site's page or another tenant's short link", async () => {
    await createSite(t, eve, { slug: 'eve-page', title: 'Eve page', status: 'published' });
    await createSite(t, ada, { slug: 'ada-other', title: 'Ada other', status: 'published' });
    const short = (user: TestUser, code: string) =>
      t.request('POST', '/api/v1/bio-sites/short-links', { headers: user.headers, body: { code, target_url: `https://${code}.example/` } });
    await short(ada, 'ada-code');
    await short(eve, 'eve-code');
    for (const host of ['links.ada.example', 'ada.bio.example.test']) {
      for (const path of ['/b/eve-page', '/b/ada-other', `/b/eve-page/l/${linkId}`, '/s/eve-code']) {
        const response = await visitHost(t, host, path);
        expect(response.status, `${host}${path}`).toBe(404);
        expect(response.text, `${host}${path}`).toContain('<h1>Not found</h1>');
      }
      const own = await visitHost(t, host, '/s/ada-code');
      expect([own.status, own.headers.get('location')], host).toEqual([302, 'https://ada-code.example/']);
    }
    const platform = await visitHost(t, 'localhost', '/b/eve-page');
    expect(platform.text).toContain('<h1>Eve page</h1>');
    expect((await visitHost(t, 'eve-page.bio.example.test', '/')).text).toContain('<h1>Eve page</h1>');
  });
});

describe("purging the tenant's Bio Sites data", () => {
  it('frees its slugs and custom domains for anyone', async () => {
    expect((await registry()).length).toBeGreaterThan(0);
    expect((await t.request('POST', '/api/v1/marketplace/bio-sites/disable', { headers: ada.headers, body: {} })).status).toBe(200);
    const purged = await t.request('DELETE', '/api/v1/marketplace/bio-sites/data?confirm=bio-sites', { headers: ada.headers });
    expect(purged.status).toBe(204);
    expect(await registry()).toEqual([]);
    expect(await t.sql('select 1 from bio_sites_slugs where tenant_id = $1', [ada.tenant!.id])).toHaveLength(0);
    const reused = await t.request('POST', sites, { headers: eve.headers, body: { slug: 'ada', title: 'Eve now', custom_domain: 'links.ada.example' } });
    expect(reused.status).toBe(201);
  });
});
