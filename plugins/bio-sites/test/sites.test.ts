import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { createSite } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
const sites = '/api/v1/bio-sites/sites';

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(owner, 'bio-sites');
  await t.enable(other, 'bio-sites');
});
afterAll(() => t?.close());

describe('POST /sites', () => {
  it('creates an unpublished site with the default theme', async () => {
    const response = await t.request('POST', sites, { headers: owner.headers, body: { slug: 'grace-h', title: '  Grace  ', bio: 'Admiral' } });
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({
      slug: 'grace-h',
      title: 'Grace',
      bio: 'Admiral',
      avatar_url: null,
      status: 'unpublished',
      published_at: null,
      url: '/b/grace-h',
      theme: { preset: 'light', font: 'system', background: '#ffffff', text: '#1f2937', accent: '#2563eb' },
      seo: { title: null, description: null, image_url: null },
    });
    const [registry] = await t.sql<{ tenant_id: string }>('select tenant_id from bio_sites_slugs where slug = $1', ['grace-h']);
    expect(registry?.tenant_id).toBe(owner.tenant!.id);
  });

  it('emits bio-sites.site.published when created published', async () => {
    const site = await createSite(t, owner, { slug: 'published-now', status: 'published' });
    expect(site.published_at).toEqual(expect.any(String));
    const [event] = await t.sql<{ payload: unknown }>("select payload from plinth_events where name = 'bio-sites.site.published' and payload->>'slug' = $1", [
      'published-now',
    ]);
    expect(event?.payload).toEqual({ siteId: site.id, slug: 'published-now' });
  });

  it('refuses a slug another tenant holds with 409, and the same slug twice in one tenant', async () => {
    await createSite(t, owner, { slug: 'taken-slug' });
    const across = await t.request('POST', sites, { headers: other.headers, body: { slug: 'taken-slug', title: 'Mine' } });
    expect(across.status).toBe(409);
    expect(across.body).toMatchObject({ code: 'conflict', errors: { slug: ['is already taken'] } });
    const again = await t.request('POST', sites, { headers: owner.headers, body: { slug: 'taken-slug', title: 'Again' } });
    expect(again.status).toBe(409);
    expect(await t.sql('select 1 from bio_sites_sites where slug = $1', ['taken-slug'])).toHaveLength(1);
  });

  it('gives exactly one of two tenants racing for a slug', async () => {
    const results = await Promise.all(
      [owner, other].map((user) => t.request('POST', sites, { headers: user.headers, body: { slug: 'raced-slug', title: 'Race' } })),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 409]);
    expect(await t.sql('select 1 from bio_sites_sites where slug = $1', ['raced-slug'])).toHaveLength(1);
    expect(await t.sql('select 1 from bio_sites_slugs where slug = $1', ['raced-slug'])).toHaveLength(1);
  });

  it.each([
    [{ slug: 'admin' }, 'slug', 'is reserved'],
    [{ slug: 'www' }, 'slug', 'is reserved'],
    [{ slug: 'Upper-Case' }, 'slug', 'must match pattern'],
    [{ slug: 'ab' }, 'slug', 'must match pattern'],
    [{ slug: '-dash-first' }, 'slug', 'must match pattern'],
    [{ slug: 'x'.repeat(41) }, 'slug', 'must match pattern'],
    [{ title: '' }, 'title', 'must NOT have fewer than 1 characters'],
    [{ title: 't'.repeat(101) }, 'title', 'must NOT have more than 100 characters'],
    [{ bio: 'b'.repeat(501) }, 'bio', 'must NOT have more than 500 characters'],
    [{ avatar_url: 'javascript:alert(1)' }, 'avatar_url', 'must be an https URL'],
    [{ avatar_url: 'data:image/png;base64,AAAA' }, 'avatar_url', 'must be an https URL'],
    [{ avatar_url: 'http://insecure.example/a.png' }, 'avatar_url', 'must be an https URL'],
    [{ avatar_url: `https://example.com/${'a'.repeat(2100)}` }, 'avatar_url', 'must NOT have more than 2048 characters'],
    [{ seo: { image_url: 'javascript:alert(1)' } }, 'seo.image_url', 'must be an https URL'],
    [{ seo: { title: 's'.repeat(71) } }, 'seo.title', 'must NOT have more than 70 characters'],
    [{ theme: { preset: 'neon' } }, 'theme.preset', ''],
    [{ theme: { background: 'red' } }, 'theme.background', 'must match pattern'],
    [{ theme: { background: '#ffffff', text: '#eeeeee' } }, 'theme.text', 'must contrast with the background'],
    [{ theme: { font: 'comic' } }, 'theme.font', ''],
    [{ status: 'draft' }, 'status', ''],
    [{ owner: 'me' }, 'owner', 'is not allowed'],
  ])('refuses %j with 422 naming %s', async (patch, field, message) => {
    const slug = `bad-${Math.random().toString(36).slice(2, 10)}`;
    const response = await t.request('POST', sites, { headers: owner.headers, body: { slug, title: 'Bad', ...patch } });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(Object.keys(response.body.errors).some((key) => key === field || key.startsWith(`${field}`))).toBe(true);
    if (message) expect(JSON.stringify(response.body.errors)).toContain(message);
    expect(await t.sql('select 1 from bio_sites_slugs where slug = $1', [slug])).toHaveLength(0);
  });

  it('refuses a missing body field and a malformed body', async () => {
    const missing = await t.request('POST', sites, { headers: owner.headers, body: { title: 'No slug' } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.slug).toEqual(['is required']);
    const malformed = await t.request('POST', sites, { headers: owner.headers, body: '{"slug":' });
    expect(malformed.status).toBe(400);
  });

  it('requires a token, and the plugin enabled', async () => {
    expect((await t.request('POST', sites, { headers: { 'x-tenant': owner.tenant!.slug }, body: { slug: 'anon-x', title: 'x' } })).status).toBe(401);
    const stranger = await signUp(t, { tenant: true });
    const gated = await t.request('GET', sites, { headers: stranger.headers });
    expect(gated.status).toBe(404);
    expect(gated.body.code).toBe('plugin_not_enabled');
  });
});

describe('GET /sites', () => {
  it('lists newest first with pagination, a status filter and a search', async () => {
    const user = await signUp(t, { tenant: true });
    await t.enable(user, 'bio-sites');
    for (const [slug, status] of [
      ['list-one', 'unpublished'],
      ['list-two', 'published'],
      ['list-three', 'published'],
    ] as const) {
      await createSite(t, user, { slug, title: `Title ${slug}`, status });
    }
    const page = await t.request('GET', `${sites}?per_page=2`, { headers: user.headers });
    expect(page.body.data.map((site: { slug: string }) => site.slug)).toEqual(['list-three', 'list-two']);
    expect(page.body.meta.pagination).toEqual({ page: 1, per_page: 2, total: 3, total_pages: 2 });
    const published = await t.request('GET', `${sites}?status=published`, { headers: user.headers });
    expect(published.body.meta.pagination.total).toBe(2);
    const search = await t.request('GET', `${sites}?q=two`, { headers: user.headers });
    expect(search.body.data.map((site: { slug: string }) => site.slug)).toEqual(['list-two']);
    const wildcard = await t.request('GET', `${sites}?q=%25`, { headers: user.headers });
    expect(wildcard.body.meta.pagination.total).toBe(0);
    expect((await t.request('GET', `${sites}?per_page=101`, { headers: user.headers })).status).toBe(422);
    expect((await t.request('GET', `${sites}?status=draft`, { headers: user.headers })).status).toBe(422);
  });
});

describe('GET, PATCH, DELETE /sites/:id', () => {
  it('reads one site, 404 for an unknown id, 422 for a malformed one', async () => {
    const site = await createSite(t, owner, { slug: 'read-me' });
    expect((await t.request('GET', `${sites}/${site.id}`, { headers: owner.headers })).body.data).toEqual(site);
    expect((await t.request('GET', `${sites}/00000000-0000-4000-8000-000000000000`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('GET', `${sites}/not-a-uuid`, { headers: owner.headers })).status).toBe(422);
  });

  it('changes the slug: the old one is freed for anyone, the new one claimed', async () => {
    const site = await createSite(t, owner, { slug: 'old-name' });
    const renamed = await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { slug: 'new-name', theme: { preset: 'dark' } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ slug: 'new-name', url: '/b/new-name', theme: { preset: 'dark', background: '#111827' } });
    expect(await t.sql('select slug from bio_sites_slugs where slug in ($1, $2)', ['old-name', 'new-name'])).toEqual([{ slug: 'new-name' }]);
    await createSite(t, other, { slug: 'old-name' });
  });

  it('keeps everything when the new slug is taken (nothing half-written)', async () => {
    const site = await createSite(t, owner, { slug: 'keep-mine' });
    await createSite(t, other, { slug: 'theirs-now' });
    const clash = await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { slug: 'theirs-now', title: 'Changed' } });
    expect(clash.status).toBe(409);
    const after = await t.request('GET', `${sites}/${site.id}`, { headers: owner.headers });
    expect(after.body.data).toMatchObject({ slug: 'keep-mine', title: 'My links' });
    expect(await t.sql('select tenant_id from bio_sites_slugs where slug = $1', ['keep-mine'])).toEqual([{ tenant_id: owner.tenant!.id }]);
  });

  it('publishes once: published_at set, the event emitted', async () => {
    const site = await createSite(t, owner, { slug: 'to-publish' });
    const published = await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { status: 'published' } });
    expect(published.body.data.published_at).toEqual(expect.any(String));
    await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { title: 'Still published' } });
    expect(await t.sql("select 1 from plinth_events where name = 'bio-sites.site.published' and payload->>'siteId' = $1", [site.id])).toHaveLength(1);
  });

  it('refuses an empty patch and bad fields', async () => {
    const site = await createSite(t, owner, { slug: 'patch-bad' });
    expect((await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: {} })).status).toBe(422);
    const bad = await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { avatar_url: 'javascript:alert(1)' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual({ avatar_url: ['must be an https URL'] });
    expect((await t.request('PATCH', `${sites}/${site.id}`, { headers: owner.headers, body: { slug: 'login' } })).status).toBe(422);
  });

  it('deletes a site, its blocks and its slug', async () => {
    const site = await createSite(t, owner, { slug: 'delete-me' });
    await t.request('POST', `${sites}/${site.id}/blocks`, { headers: owner.headers, body: { type: 'heading', data: { text: 'Hi' } } });
    expect((await t.request('DELETE', `${sites}/${site.id}`, { headers: owner.headers })).status).toBe(204);
    expect((await t.request('GET', `${sites}/${site.id}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('DELETE', `${sites}/${site.id}`, { headers: owner.headers })).status).toBe(404);
    expect(await t.sql('select 1 from bio_sites_blocks where site_id = $1', [site.id])).toHaveLength(0);
    expect(await t.sql('select 1 from bio_sites_slugs where slug = $1', ['delete-me'])).toHaveLength(0);
  });
});
