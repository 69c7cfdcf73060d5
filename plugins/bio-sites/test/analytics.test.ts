import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, crawler, createSite, desktop, phone, rollUp, visit } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  // Clicks come from many visitors: their addresses in X-Forwarded-For, as behind the host's proxy (each IP has a click limit).
  t = await createTestKernel({ plugins: [plugin], env: { PLINTH_TRUST_PROXY: 'true' } });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
});
afterAll(() => t?.close());

const today = new Date().toISOString().slice(0, 10);
const analytics = (path: string) => t.request('GET', `/api/v1/bio-sites${path}`, { headers: owner.headers });
const clickedEvents = (linkId: string) =>
  t.sql<{ payload: { clicks: number; siteId: string; linkId: string; from: string; to: string } }>(
    "select payload from plinth_events where name = 'bio-sites.link.clicked' and payload->>'linkId' = $1 order by created_at",
    [linkId],
  );

describe('visit and click analytics', () => {
  it('schedules the recurring rollup when the plugin is enabled', async () => {
    await t.drainEvents();
    // The kernel's own worker may be delivering core.plugin.enabled at the same time: wait for its schedule, bounded.
    const scheduled = () =>
      t.sql<{ repeat_interval: string }>("select repeat_interval from plinth_jobs where name = 'bio-sites.analytics.rollup' and data->>'tenantId' = $1", [
        owner.tenant!.id,
      ]);
    await expect.poll(async () => (await scheduled()).map((job) => job.repeat_interval), { timeout: 10_000 }).toEqual(['5 minutes']);
  });

  it('counts visits, unique visitors, clicks, devices, referrers and countries; ignores bots', async () => {
    const site = await createSite(t, owner, { slug: 'stats-site', status: 'published' });
    const blog = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Blog', url: 'https://blog.example' } });
    const shop = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Shop', url: 'https://shop.example' } });
    for (let index = 0; index < 3; index++) await visit(t, '/b/stats-site');
    await visit(t, '/b/stats-site', { headers: { 'user-agent': desktop, referer: 'https://www.instagram.com/p/123?secret=1', 'cf-ipcountry': 'de' } });
    await visit(t, '/b/stats-site', { headers: { 'user-agent': crawler } });
    await visit(t, '/b/stats-site', { headers: { 'user-agent': 'curl/8.5.0' } });
    await visit(t, '/b/stats-site', { headers: { 'user-agent': '' } });
    await visit(t, `/b/stats-site/l/${blog.id}`);
    await visit(t, `/b/stats-site/l/${blog.id}`, { headers: { referer: `${t.url}/b/stats-site` } });
    await visit(t, `/b/stats-site/l/${shop.id}`, { headers: { 'user-agent': desktop } });
    await visit(t, `/b/stats-site/l/${shop.id}`, { headers: { 'user-agent': crawler } });
    await t.flushWrites();
    expect((await t.sql<{ n: number }>('select count(*)::int as n from bio_sites_hits'))[0]!.n).toBe(7);

    await rollUp(t, owner);
    await t.flushWrites();
    expect(await t.sql('select 1 from bio_sites_hits')).toHaveLength(0);
    const response = await analytics(`/sites/${site.id}/analytics`);
    expect(response.status).toBe(200);
    const data = response.body.data;
    expect(data.totals).toEqual({ views: 4, uniques: 2, clicks: 3 });
    expect(data.series).toHaveLength(30);
    expect(data.series.at(-1)).toEqual({ day: today, views: 4, clicks: 3, uniques: 2 });
    expect(data.from).toBe(data.series[0].day);
    expect(data.devices).toEqual([
      { value: 'mobile', views: 3, clicks: 2 },
      { value: 'desktop', views: 1, clicks: 1 },
    ]);
    expect(data.referrers).toEqual([
      { value: 'direct', views: 3, clicks: 2 },
      { value: 'instagram.com', views: 1, clicks: 0 },
      { value: 'internal', views: 0, clicks: 1 },
    ]);
    expect(data.countries).toEqual([
      { value: 'unknown', views: 3, clicks: 3 },
      { value: 'DE', views: 1, clicks: 0 },
    ]);
    expect(data.links).toEqual([
      { link_id: blog.id, title: 'Blog', clicks: 2, uniques: 1 },
      { link_id: shop.id, title: 'Shop', clicks: 1, uniques: 1 },
    ]);

    const link = await analytics(`/sites/${site.id}/links/${blog.id}/analytics?from=${today}&to=${today}`);
    expect(link.body.data).toMatchObject({
      from: today,
      to: today,
      totals: { views: 0, clicks: 2, uniques: 1 },
      series: [{ day: today, views: 0, clicks: 2, uniques: 1 }],
    });

    // One event per link per rollup, carrying the count, not one per click.
    const events = await clickedEvents(blog.id);
    expect(events.map((event) => event.payload)).toEqual([{ siteId: site.id, linkId: blog.id, clicks: 2, from: expect.any(String), to: expect.any(String) }]);

    // A later rollup adds to the day; the same visitor is still one unique.
    await visit(t, `/b/stats-site/l/${blog.id}`);
    await rollUp(t, owner);
    const after = await analytics(`/sites/${site.id}/links/${blog.id}/analytics?from=${today}&to=${today}`);
    expect(after.body.data.totals).toEqual({ views: 0, clicks: 3, uniques: 1 });
    expect((await clickedEvents(blog.id)).map((event) => event.payload.clicks)).toEqual([2, 1]);
  });

  it('stores no address: hashes only, salted per day, past salts deleted', async () => {
    const site = await createSite(t, owner, { slug: 'privacy-site', status: 'published' });
    await visit(t, '/b/privacy-site');
    await t.flushWrites();
    const [hit] = await t.sql<Record<string, unknown>>('select * from bio_sites_hits');
    expect(Object.keys(hit!).sort()).toEqual(
      ['country', 'created_at', 'device', 'id', 'kind', 'occurred_at', 'referrer', 'site_id', 'subject_id', 'tenant_id', 'updated_at', 'visitor_hash'].sort(),
    );
    expect(JSON.stringify(hit)).not.toMatch(/127\.0\.0\.1|::1|iPhone/);
    expect(hit!.visitor_hash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await t.sql("insert into bio_sites_salts (tenant_id, day, salt) values ($1, current_date - 3, 'old')", [owner.tenant!.id]);
    await rollUp(t, owner);
    const salts = await t.sql<{ day: string }>("select to_char(day, 'YYYY-MM-DD') as day from bio_sites_salts where tenant_id = $1", [owner.tenant!.id]);
    expect(salts.map((salt) => salt.day)).toEqual([today]);
    expect((await analytics(`/sites/${site.id}/analytics`)).body.data.totals).toEqual({ views: 1, uniques: 1, clicks: 0 });
  });

  it('counts exactly under 1,000 concurrent clicks, with rollups running meanwhile', async () => {
    const site = await createSite(t, owner, { slug: 'busy-site', status: 'published' });
    const link = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Drop', url: 'https://drop.example' } });
    const clicks = Array.from({ length: 1000 }, (_, index) =>
      visit(t, `/b/busy-site/l/${link.id}`, {
        headers: { 'user-agent': `${phone} visitor/${index}`, 'x-forwarded-for': `203.0.${Math.floor(index / 250)}.${index % 250}` },
      }).then((response) => response.status),
    );
    const bots = Array.from({ length: 50 }, () =>
      visit(t, `/b/busy-site/l/${link.id}`, { headers: { 'user-agent': crawler } }).then((response) => response.status),
    );
    const midway = (async () => {
      for (let index = 0; index < 3; index++) await t.request('POST', '/api/v1/bio-sites/analytics/rollup', { headers: owner.headers });
    })();
    const statuses = await Promise.all([...clicks, ...bots]);
    await midway;
    expect(statuses.every((status) => status === 302)).toBe(true);
    await rollUp(t, owner);
    const result = await analytics(`/sites/${site.id}/links/${link.id}/analytics?from=${today}&to=${today}`);
    expect(result.body.data.totals).toEqual({ views: 0, clicks: 1000, uniques: 1000 });
    const events = await clickedEvents(link.id);
    expect(events.reduce((sum, event) => sum + event.payload.clicks, 0)).toBe(1000);
    expect(events.length).toBeLessThanOrEqual(5);
  });

  it('refuses bad ranges and unknown subjects', async () => {
    const site = await createSite(t, owner, { slug: 'range-site' });
    expect((await analytics(`/sites/${site.id}/analytics?from=2026-02-01&to=2026-01-01`)).body.errors).toEqual({ from: ['must not be after to'] });
    expect((await analytics(`/sites/${site.id}/analytics?from=2020-01-01&to=2026-01-01`)).status).toBe(422);
    expect((await analytics(`/sites/${site.id}/analytics?from=yesterday`)).status).toBe(422);
    expect((await analytics(`/sites/${site.id}/analytics?from=2026-02-30`)).status).toBe(422);
    const year = await analytics(`/sites/${site.id}/analytics?from=2025-01-01&to=2025-12-31`);
    expect(year.body.data.series).toHaveLength(365);
    expect((await analytics('/sites/00000000-0000-4000-8000-000000000000/analytics')).status).toBe(404);
    expect((await analytics(`/sites/${site.id}/links/00000000-0000-4000-8000-000000000000/analytics`)).status).toBe(404);
    expect((await analytics('/short-links/00000000-0000-4000-8000-000000000000/analytics')).status).toBe(404);
  });

  it('counts short link clicks', async () => {
    const created = (
      await t.request('POST', '/api/v1/bio-sites/short-links', { headers: owner.headers, body: { code: 'promo', target_url: 'https://a.example' } })
    ).body.data;
    await visit(t, '/s/promo');
    await visit(t, '/s/promo', { headers: { 'user-agent': desktop } });
    await visit(t, '/s/promo', { headers: { 'user-agent': crawler } });
    await rollUp(t, owner);
    const result = await analytics(`/short-links/${created.id}/analytics?from=${today}&to=${today}`);
    expect(result.body.data).toMatchObject({
      totals: { views: 0, clicks: 2, uniques: 2 },
      devices: [
        { value: 'desktop', clicks: 1 },
        { value: 'mobile', clicks: 1 },
      ],
    });
  });
});
