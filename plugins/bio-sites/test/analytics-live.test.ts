import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { zoneDay } from '../src/public/visitor.js';
import { addBlock, createSite, desktop, visit } from './helpers.js';

// The creator lives in Los Angeles: from 16:00 to 24:00 there, the UTC date is already tomorrow's.
const zone = 'America/Los_Angeles';
const chromium = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { time_zone: zone } })).status).toBe(200);
});
afterAll(() => t?.close());

const analytics = async (path: string) => {
  const response = await t.request('GET', `/api/v1/bio-sites${path}`, { headers: owner.headers });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
};

/** Runs the tenant's recurring rollup the way production does: its schedule comes due and the kernel's worker runs it. */
async function scheduledRollup(): Promise<void> {
  await t.flushWrites();
  const due = await t.sql(
    "update plinth_jobs set next_run_at = now() where name = 'bio-sites.analytics.rollup' and data->>'tenantId' = $1 and repeat_interval is not null returning id",
    [owner.tenant!.id],
  );
  expect(due).toHaveLength(1);
  await expect.poll(async () => (await t.sql('select 1 from bio_sites_hits')).length, { timeout: 10_000 }).toBe(0);
  await t.drainJobs();
}

describe('analytics a creator sees (issue 21: "0 views after real visits and a rollup")', () => {
  it("shows visits and clicks at once, on today's date in the tenant's zone, and the same after the scheduled rollup", async () => {
    const site = await createSite(t, owner, { slug: 'live-site', status: 'published' });
    const blog = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Blog', url: 'https://blog.example' } });
    const shop = await addBlock(t, owner, site.id, { type: 'link', data: { title: 'Shop', url: 'https://shop.example' } });
    await visit(t, '/b/live-site', { headers: { 'user-agent': desktop } });
    await visit(t, '/b/live-site', { headers: { 'user-agent': desktop, referer: 'https://www.instagram.com/' } });
    await visit(t, `/b/live-site/l/${blog.id}`, { headers: { 'user-agent': desktop } });
    await t.flushWrites();

    const today = zoneDay(zone);
    const expectLive = async () => {
      // The screen asks for today in the tenant's zone; the default range ends on the same day.
      for (const data of [await analytics(`/sites/${site.id}/analytics?from=${today}&to=${today}`), await analytics(`/sites/${site.id}/analytics`)]) {
        expect(data.to).toBe(today);
        expect(data.totals).toEqual({ views: 2, uniques: 1, clicks: 1 });
        expect(data.series.at(-1)).toEqual({ day: today, views: 2, uniques: 1, clicks: 1 });
        expect(data.links).toEqual([
          { link_id: blog.id, title: 'Blog', clicks: 1, uniques: 1 },
          { link_id: shop.id, title: 'Shop', clicks: 0, uniques: 0 },
        ]);
        expect(data.referrers).toEqual([
          { value: 'direct', views: 1, clicks: 1 },
          { value: 'instagram.com', views: 1, clicks: 0 },
        ]);
      }
      const link = await analytics(`/sites/${site.id}/links/${blog.id}/analytics?from=${today}&to=${today}`);
      expect(link.totals).toEqual({ views: 0, clicks: 1, uniques: 1 });
    };
    // Before any rollup: the hits waiting for it are counted.
    expect((await t.sql('select 1 from bio_sites_hits')).length).toBe(3);
    await expectLive();
    // After the scheduled rollup: the same figures (moved to the aggregates, not counted twice).
    await scheduledRollup();
    await expectLive();
    const [stat] = await t.sql<{ day: string }>("select to_char(day, 'YYYY-MM-DD') as day from bio_sites_daily_stats where subject_id = $1", [site.id]);
    expect(stat!.day).toBe(today);

    // A returning visitor after the rollup: one more view, still one unique visitor (pending hashes meet rolled-up ones).
    await visit(t, '/b/live-site', { headers: { 'user-agent': desktop } });
    await t.flushWrites();
    expect((await analytics(`/sites/${site.id}/analytics?from=${today}&to=${today}`)).totals).toEqual({ views: 3, uniques: 1, clicks: 1 });
  });

  it("counts a hit on its date in the tenant's zone, pending or rolled up", async () => {
    const site = await createSite(t, owner, { slug: 'late-night', status: 'published' });
    // 23:30 in Los Angeles on 9 March 2026 is 06:30 UTC on the 10th.
    await t.sql(
      `insert into bio_sites_hits (tenant_id, kind, site_id, subject_id, occurred_at, referrer, device, country, visitor_hash)
       values ($1, 'visit', $2, $2, '2026-03-10T06:30:00Z', 'direct', 'mobile', 'unknown', 'late-visitor')`,
      [owner.tenant!.id, site.id],
    );
    const range = `?from=2026-03-09&to=2026-03-10`;
    const days = async () => (await analytics(`/sites/${site.id}/analytics${range}`)).series.map((day: { day: string; views: number }) => [day.day, day.views]);
    expect(await days()).toEqual([
      ['2026-03-09', 1],
      ['2026-03-10', 0],
    ]);
    await scheduledRollup();
    expect(await days()).toEqual([
      ['2026-03-09', 1],
      ['2026-03-10', 0],
    ]);
  });

  it('does not count automated Chromium (its user agent says HeadlessChrome), as any other bot', async () => {
    const site = await createSite(t, owner, { slug: 'headless', status: 'published' });
    await visit(t, '/b/headless', { headers: { 'user-agent': chromium } });
    await t.flushWrites();
    expect((await analytics(`/sites/${site.id}/analytics`)).totals).toEqual({ views: 0, uniques: 0, clicks: 0 });
  });

  it("keeps each tenant's pending hits to itself", async () => {
    const site = await createSite(t, owner, { slug: 'mine-only', status: 'published' });
    await visit(t, '/b/mine-only', { headers: { 'user-agent': desktop } });
    await t.flushWrites();
    const other = await signUp(t, { tenant: true });
    await t.enable(other, 'bio-sites');
    const theirs = await createSite(t, other, { slug: 'theirs-only', status: 'published' });
    await visit(t, '/b/theirs-only', { headers: { 'user-agent': desktop } });
    await t.flushWrites();
    // Both visits are pending (not rolled up): each tenant sees its own, and cannot ask for the other's.
    expect((await t.request('GET', `/api/v1/bio-sites/sites/${site.id}/analytics`, { headers: other.headers })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/bio-sites/sites/${theirs.id}/analytics`, { headers: owner.headers })).status).toBe(404);
    const theirTotals = (await t.request('GET', `/api/v1/bio-sites/sites/${theirs.id}/analytics`, { headers: other.headers })).body.data.totals;
    expect(theirTotals).toEqual({ views: 1, uniques: 1, clicks: 0 });
    expect((await analytics(`/sites/${site.id}/analytics`)).totals).toEqual({ views: 1, uniques: 1, clicks: 0 });
  });

  it('refuses a range longer than 366 days or ending before it starts, and accepts exactly 366 days', async () => {
    const site = await createSite(t, owner, { slug: 'ranges' });
    const ask = (query: string) => t.request('GET', `/api/v1/bio-sites/sites/${site.id}/analytics${query}`, { headers: owner.headers });
    expect((await ask('?from=2026-01-02&to=2026-01-01')).status).toBe(422);
    expect((await ask('?from=2024-01-01&to=2025-01-01')).status).toBe(422);
    expect((await ask('?from=2024-01-01&to=2024-12-31')).body.data.series).toHaveLength(366);
    expect((await ask('?to=2026-13-01')).status).toBe(422);
  });
});
