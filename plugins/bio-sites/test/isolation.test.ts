import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, rollUp, visit } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
/** Tenant A's rows, which tenant B must never reach. */
const alpha = { site: '', link: '', heading: '', form: '', short: '', subscriber: '' };
/** Tenant B's own rows. */
const beta = { site: '', link: '' };
const api = '/api/v1/bio-sites';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

const call = (user: TestUser, method: string, path: string, body?: unknown) =>
  t.request(method, `${api}${path}`, { headers: user.headers, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(a, 'bio-sites');
  await t.enable(b, 'bio-sites');
  alpha.site = (await createSite(t, a, { slug: 'alpha-site', title: 'Alpha', status: 'published' })).id;
  alpha.link = (await addBlock(t, a, alpha.site, { type: 'link', data: { title: 'Alpha link', url: 'https://alpha.example/' } })).id;
  alpha.heading = (await addBlock(t, a, alpha.site, { type: 'heading', data: { text: 'Alpha heading' } })).id;
  alpha.form = (await addBlock(t, a, alpha.site, { type: 'email_capture', data: {} })).id;
  alpha.short = (await call(a, 'POST', '/short-links', { code: 'alpha-code', target_url: 'https://alpha.example/short' })).body.data.id;
  expect((await visit(t, '/b/alpha-site/subscribe', { method: 'POST', headers: form, body: 'email=fan%40alpha.example' })).status).toBe(303);
  alpha.subscriber = (await call(a, 'GET', `/sites/${alpha.site}/subscribers`)).body.data[0].id;
  beta.site = (await createSite(t, b, { slug: 'beta-site', title: 'Beta', status: 'published' })).id;
  beta.link = (await addBlock(t, b, beta.site, { type: 'link', data: { title: 'Beta link', url: 'https://beta.example/' } })).id;
  await visit(t, '/b/alpha-site');
  await visit(t, `/b/alpha-site/l/${alpha.link}`);
  await visit(t, '/s/alpha-code');
  await rollUp(t, a);
});
afterAll(() => t?.close());

/** What tenant A sees of its own data: compared before and after B's attempts. */
async function alphaState() {
  const [site, blocks, short, subscribers, analytics, links, shortAnalytics] = await Promise.all([
    call(a, 'GET', `/sites/${alpha.site}`),
    call(a, 'GET', `/sites/${alpha.site}/blocks`),
    call(a, 'GET', `/short-links/${alpha.short}`),
    call(a, 'GET', `/sites/${alpha.site}/subscribers`),
    call(a, 'GET', `/sites/${alpha.site}/analytics`),
    call(a, 'GET', `/sites/${alpha.site}/links/${alpha.link}/analytics`),
    call(a, 'GET', `/short-links/${alpha.short}/analytics`),
  ]);
  return {
    site: site.body.data,
    blocks: blocks.body.data,
    short: short.body.data,
    subscribers: subscribers.body.data,
    totals: [analytics.body.data.totals, links.body.data.totals, shortAnalytics.body.data.totals],
  };
}

describe("tenant B and tenant A's data", () => {
  it("A's own view is complete (so the 404s below are isolation, not missing rows)", async () => {
    const state = await alphaState();
    expect(state.site.slug).toBe('alpha-site');
    expect(state.blocks).toHaveLength(3);
    expect(state.subscribers.map((row: { email: string }) => row.email)).toEqual(['fan@alpha.example']);
    expect(state.totals).toEqual([
      { views: 1, clicks: 1, uniques: 1 },
      { views: 0, clicks: 1, uniques: 1 },
      { views: 0, clicks: 1, uniques: 1 },
    ]);
  });

  it("B reads none of A's rows: every A id is 404 on every read route", async () => {
    const paths = [
      `/sites/${alpha.site}`,
      `/sites/${alpha.site}/blocks`,
      `/sites/${alpha.site}/blocks/${alpha.heading}`,
      `/sites/${beta.site}/blocks/${alpha.heading}`,
      `/sites/${alpha.site}/links`,
      `/sites/${alpha.site}/subscribers`,
      `/short-links/${alpha.short}`,
      `/sites/${alpha.site}/analytics`,
      `/sites/${alpha.site}/links/${alpha.link}/analytics`,
      `/sites/${beta.site}/links/${alpha.link}/analytics`,
      `/short-links/${alpha.short}/analytics`,
    ];
    for (const path of paths) {
      const response = await call(b, 'GET', path);
      expect(response.status, path).toBe(404);
      expect(JSON.stringify(response.body), path).not.toMatch(/alpha/i);
    }
  });

  it("B changes none of A's rows: every write with an A id is 404 and A's data stays as it was", async () => {
    const before = await alphaState();
    const writes: [string, string, unknown?][] = [
      ['PATCH', `/sites/${alpha.site}`, { title: 'Taken over' }],
      ['PATCH', `/sites/${alpha.site}`, { status: 'unpublished' }],
      ['POST', `/sites/${alpha.site}/blocks`, { type: 'heading', data: { text: 'Injected' } }],
      ['POST', `/sites/${alpha.site}/links`, { title: 'Injected', url: 'https://evil.example' }],
      ['PUT', `/sites/${alpha.site}/blocks/order`, { ids: [alpha.form, alpha.heading, alpha.link] }],
      ['PATCH', `/sites/${alpha.site}/blocks/${alpha.link}`, { data: { title: 'Evil', url: 'https://evil.example' } }],
      ['PATCH', `/sites/${beta.site}/blocks/${alpha.link}`, { data: { title: 'Evil', url: 'https://evil.example' } }],
      ['DELETE', `/sites/${alpha.site}/blocks/${alpha.heading}`],
      ['DELETE', `/sites/${beta.site}/blocks/${alpha.heading}`],
      ['DELETE', `/sites/${alpha.site}/subscribers/${alpha.subscriber}`],
      ['DELETE', `/sites/${beta.site}/subscribers/${alpha.subscriber}`],
      ['PATCH', `/short-links/${alpha.short}`, { target_url: 'https://evil.example' }],
      ['DELETE', `/short-links/${alpha.short}`],
      ['DELETE', `/sites/${alpha.site}`],
    ];
    for (const [method, path, body] of writes) {
      const response = await call(b, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const reorder = await call(b, 'PUT', `/sites/${beta.site}/blocks/order`, { ids: [alpha.link, beta.link] });
    expect(reorder.status).toBe(422);
    expect(await alphaState()).toEqual(before);
    expect((await visit(t, `/b/alpha-site/l/${alpha.link}`)).headers.get('location')).toBe('https://alpha.example/');
    expect((await visit(t, '/s/alpha-code')).headers.get('location')).toBe('https://alpha.example/short');
  });

  it("B's lists and totals hold B's rows only", async () => {
    const sites = await call(b, 'GET', '/sites');
    expect(sites.body.data.map((site: { id: string }) => site.id)).toEqual([beta.site]);
    expect(sites.body.meta.pagination.total).toBe(1);
    expect((await call(b, 'GET', '/sites?q=alpha')).body.meta.pagination.total).toBe(0);
    expect((await call(b, 'GET', '/sites?status=published')).body.meta.pagination.total).toBe(1);
    const shorts = await call(b, 'GET', '/short-links');
    expect(shorts.body.data).toEqual([]);
    expect(shorts.body.meta.pagination.total).toBe(0);
    const blocks = await call(b, 'GET', `/sites/${beta.site}/blocks`);
    expect(blocks.body.data.map((block: { id: string }) => block.id)).toEqual([beta.link]);
    expect((await call(b, 'GET', `/sites/${beta.site}/subscribers`)).body.meta.pagination.total).toBe(0);
    const analytics = (await call(b, 'GET', `/sites/${beta.site}/analytics`)).body.data;
    expect(analytics.totals).toEqual({ views: 0, clicks: 0, uniques: 0 });
    expect(analytics.links).toEqual([{ link_id: beta.link, title: 'Beta link', clicks: 0, uniques: 0 }]);
    expect(analytics.referrers).toEqual([]);
  });

  it("B's traffic and B's rollup leave A's analytics as they were", async () => {
    await t.flushWrites();
    const before = (await alphaState()).totals;
    await visit(t, '/b/beta-site');
    await visit(t, `/b/beta-site/l/${beta.link}`);
    await rollUp(t, b);
    expect((await alphaState()).totals).toEqual(before);
    expect((await call(b, 'GET', `/sites/${beta.site}/analytics`)).body.data.totals).toEqual({ views: 1, clicks: 1, uniques: 1 });
    // A visit of A's page counts for A at once (a pending hit, live in A's figures), never for B, and B's rollup leaves it.
    await visit(t, '/b/alpha-site');
    await t.flushWrites();
    const live = (await alphaState()).totals[0];
    expect(live).toEqual({ ...before[0], views: before[0].views + 1 });
    expect((await call(b, 'GET', `/sites/${beta.site}/analytics`)).body.data.totals).toEqual({ views: 1, clicks: 1, uniques: 1 });
    await rollUp(t, b);
    const pending = await t.sql<{ tenant_id: string }>('select tenant_id from bio_sites_hits');
    expect(new Set(pending.map((row) => row.tenant_id))).toEqual(new Set([a.tenant!.id]));
    await rollUp(t, a);
    expect((await alphaState()).totals[0]).toEqual(live);
  });

  it("B's token cannot name A's tenant", async () => {
    const response = await t.request('GET', `${api}/sites/${alpha.site}`, {
      headers: { authorization: `Bearer ${b.accessToken}`, 'x-tenant': a.tenant!.slug },
    });
    expect(response.status).toBe(403);
  });
});

describe('public pages and redirects', () => {
  it("never show or follow another tenant's blocks", async () => {
    const page = await visit(t, '/b/alpha-site');
    expect(page.text).toContain('Alpha link');
    expect(page.text).not.toContain('Beta');
    for (const path of [`/b/beta-site/l/${alpha.link}`, `/b/alpha-site/l/${beta.link}`]) {
      const response = await visit(t, path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('location'), path).toBeNull();
    }
  });

  it("record visits and subscribers in the site's own tenant", async () => {
    await visit(t, '/b/beta-site');
    expect((await visit(t, '/b/beta-site/subscribe', { method: 'POST', headers: form, body: 'email=x%40beta.example' })).status).toBe(404);
    await addBlock(t, b, beta.site, { type: 'email_capture', data: {} });
    expect((await visit(t, '/b/beta-site/subscribe', { method: 'POST', headers: form, body: 'email=x%40beta.example' })).status).toBe(303);
    const subscribers = await t.sql<{ tenant_id: string; email: string }>('select tenant_id, email from bio_sites_subscribers order by email');
    expect(subscribers).toEqual([
      { tenant_id: a.tenant!.id, email: 'fan@alpha.example' },
      { tenant_id: b.tenant!.id, email: 'x@beta.example' },
    ]);
    await t.flushWrites();
    const hits = await t.sql<{ tenant_id: string; subject_id: string }>('select distinct tenant_id, subject_id from bio_sites_hits');
    expect(new Set(hits.map((hit) => `${hit.tenant_id}:${hit.subject_id}`))).toEqual(
      new Set([`${a.tenant!.id}:${alpha.site}`, `${b.tenant!.id}:${beta.site}`]),
    );
  });

  it("resolve a short code to its own tenant's link only", async () => {
    expect((await call(b, 'POST', '/short-links', { code: 'alpha-code', target_url: 'https://evil.example' })).status).toBe(409);
    const beta2 = await call(b, 'POST', '/short-links', { code: 'beta-code', target_url: 'https://beta.example/short' });
    expect(beta2.status).toBe(201);
    expect((await visit(t, '/s/alpha-code')).headers.get('location')).toBe('https://alpha.example/short');
    expect((await visit(t, '/s/beta-code')).headers.get('location')).toBe('https://beta.example/short');
  });
});
