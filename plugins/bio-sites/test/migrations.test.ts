import { createTestKernel, signUp, type TestKernel } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { createSite } from './helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
});
afterAll(() => t?.close());

// In a file of its own: it drops and recreates the tables, and with them the tenants' enablement.
describe('bio-sites migrations', () => {
  it('are reversible: every down and up runs again, and the tables work afterwards', async () => {
    await t.checkMigrations('bio-sites');
    const tables = await t.sql<{ table_name: string }>(
      "select table_name from information_schema.tables where table_name like 'bio_sites_%' order by table_name",
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'bio_sites_blocks',
      'bio_sites_codes',
      'bio_sites_daily_breakdown',
      'bio_sites_daily_stats',
      'bio_sites_daily_uniques',
      'bio_sites_domains',
      'bio_sites_hits',
      'bio_sites_salts',
      'bio_sites_short_links',
      'bio_sites_sites',
      'bio_sites_slugs',
      'bio_sites_subscribers',
    ]);
    const owner = await signUp(t, { tenant: true });
    await t.enable(owner, 'bio-sites');
    const site = await createSite(t, owner, { slug: 'after-migrations', custom_domain: 'after.example.com' });
    expect(site.custom_domain).toBe('after.example.com');
  });
});
