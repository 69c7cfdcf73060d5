import { addMember, createTestKernel, reportCsv, runReport, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { zoneDay } from '../src/public/visitor.js';
import { addBlock, createSite, rollUp, visit } from './helpers.js';

// Issue 24: `bio-sites.analytics` runs through core's reports, from the daily aggregates the rollup job writes.
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  for (const user of [owner, other]) await t.enable(user, 'bio-sites');
});
afterAll(() => t?.close());

const today = zoneDay('UTC');
/** The day `offset` days from today, `YYYY-MM-DD`. */
const day = (offset: number) => new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

/** Writes a day's rolled-up figures of a site or a link block, as the rollup job does. */
async function seed(
  user: TestUser,
  row: { day: string; kind: 'site' | 'link'; subject: string; site: string; views?: number; clicks?: number; uniques?: number },
) {
  await t.sql(
    'insert into bio_sites_daily_stats (tenant_id, day, subject_kind, subject_id, site_id, views, clicks, uniques) values ($1, $2, $3, $4, $5, $6, $7, $8)',
    [user.tenant!.id, row.day, row.kind, row.subject, row.site, row.views ?? 0, row.clicks ?? 0, row.uniques ?? 0],
  );
}

const header = ['Day', 'Site', 'Slug', 'Views', 'Unique visitors', 'Clicks', 'Top link', 'Top link clicks'];

describe('the bio site analytics report', () => {
  it('gives each site’s day: views, unique visitors, clicks and the most clicked link, as rolled up', async () => {
    const alpha = await createSite(t, owner, { title: 'Alpha', slug: 'report-alpha', status: 'published' });
    const beta = await createSite(t, owner, { title: 'Beta', slug: 'report-beta', status: 'published' });
    const blog = await addBlock(t, owner, alpha.id, { type: 'link', data: { title: 'Blog', url: 'https://blog.example' } });
    const shop = await addBlock(t, owner, alpha.id, { type: 'link', data: { title: 'Shop', url: 'https://shop.example' } });
    const home = await addBlock(t, owner, beta.id, { type: 'link', data: { title: 'Home', url: 'https://home.example' } });
    await seed(owner, { day: day(-10), kind: 'site', subject: alpha.id, site: alpha.id, views: 99, uniques: 50 });
    await seed(owner, { day: day(-5), kind: 'site', subject: alpha.id, site: alpha.id, views: 10, clicks: 4, uniques: 7 });
    await seed(owner, { day: day(-5), kind: 'link', subject: blog.id, site: alpha.id, clicks: 1, uniques: 1 });
    await seed(owner, { day: day(-5), kind: 'link', subject: shop.id, site: alpha.id, clicks: 3, uniques: 2 });
    await seed(owner, { day: day(-5), kind: 'site', subject: beta.id, site: beta.id, views: 5, uniques: 5 });
    // A tie goes to the link higher on the page.
    await seed(owner, { day: day(-4), kind: 'site', subject: alpha.id, site: alpha.id, views: 2, clicks: 4, uniques: 1 });
    await seed(owner, { day: day(-4), kind: 'link', subject: shop.id, site: alpha.id, clicks: 2, uniques: 1 });
    await seed(owner, { day: day(-4), kind: 'link', subject: blog.id, site: alpha.id, clicks: 2, uniques: 1 });
    await seed(owner, { day: day(-1), kind: 'site', subject: beta.id, site: beta.id, views: 1, clicks: 1, uniques: 1 });
    await seed(owner, { day: day(-1), kind: 'link', subject: home.id, site: beta.id, clicks: 1, uniques: 1 });
    // Today's figures come from real visits and a click, rolled up by the job.
    await visit(t, '/b/report-alpha');
    await visit(t, '/b/report-alpha');
    expect((await visit(t, `/b/report-alpha/l/${blog.id}`)).status).toBe(302);
    await rollUp(t, owner);
    // Another tenant's site on the same days is never in this tenant's report.
    const foreign = await createSite(t, other, { title: 'Foreign', slug: 'report-foreign' });
    await seed(other, { day: day(-5), kind: 'site', subject: foreign.id, site: foreign.id, views: 1000, uniques: 1000 });

    const run = await runReport(t, owner, 'bio-sites.analytics', { from: day(-5), to: today });
    expect(run).toMatchObject({ status: 'done', error: null });
    expect(await reportCsv(t, owner, run.id)).toEqual([
      header,
      [day(-5), 'Alpha', 'report-alpha', '10', '7', '4', 'Shop', '3'],
      [day(-5), 'Beta', 'report-beta', '5', '5', '0', '', ''],
      [day(-4), 'Alpha', 'report-alpha', '2', '1', '4', 'Blog', '2'],
      [day(-1), 'Beta', 'report-beta', '1', '1', '1', 'Home', '1'],
      [today, 'Alpha', 'report-alpha', '2', '1', '1', 'Blog', '1'],
    ]);

    const betaOnly = await runReport(t, owner, 'bio-sites.analytics', { from: day(-5), to: day(-1), site_id: beta.id });
    expect(await reportCsv(t, owner, betaOnly.id)).toEqual([
      header,
      [day(-5), 'Beta', 'report-beta', '5', '5', '0', '', ''],
      [day(-1), 'Beta', 'report-beta', '1', '1', '1', 'Home', '1'],
    ]);

    // The other tenant, asking for this tenant's site, gets an empty report: only its own figures exist for it.
    const guessed = await runReport(t, other, 'bio-sites.analytics', { from: day(-5), to: today, site_id: alpha.id });
    expect(await reportCsv(t, other, guessed.id)).toEqual([header]);
    const own = await runReport(t, other, 'bio-sites.analytics', { from: day(-5), to: today });
    expect(await reportCsv(t, other, own.id)).toEqual([header, [day(-5), 'Foreign', 'report-foreign', '1000', '1000', '0', '', '']]);
  });

  it('needs bio-sites.analytics.view, refuses parameters outside the schema, and fails a range longer than a year', async () => {
    const viewer = await addMember(t, owner, ['viewer']);
    const refused = await t.request('POST', '/api/v1/reports', {
      headers: viewer.headers,
      body: { report: 'bio-sites.analytics', params: { from: day(-1), to: today }, format: 'csv' },
    });
    expect(refused.status).toBe(403);
    for (const params of [{ from: 'yesterday', to: today }, { from: day(-1) }, { from: day(-1), to: today, site_id: 'x' }]) {
      const bad = await t.request('POST', '/api/v1/reports', { headers: owner.headers, body: { report: 'bio-sites.analytics', params, format: 'csv' } });
      expect(bad.status, JSON.stringify(params)).toBe(422);
    }
    const long = await runReport(t, owner, 'bio-sites.analytics', { from: day(-400), to: today });
    expect(long.status).toBe('failed');
    expect(long.error).toContain('366 days');
  });
});
