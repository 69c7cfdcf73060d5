import { defineMigration } from '@plinth/sdk';

/**
 * Analytics: raw hits (one cheap insert per visit or click, rolled up and deleted by the rollup job), daily
 * aggregates per subject (a site, a link block or a short link), daily breakdowns by referrer, device and
 * country, the daily visitor hashes that make unique counts exact, and the daily salts of those hashes.
 */
export const createBioSitesAnalytics = defineMigration({
  name: '002-create-bio-sites-analytics',
  async up({ db, createTenantTable }) {
    await createTenantTable('bio_sites_hits', (table) => {
      table.text('kind').notNullable(); // visit | click | short
      table.uuid('site_id');
      table.uuid('subject_id').notNullable(); // the site (visit), the link block (click) or the short link (short)
      table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.text('referrer').notNullable();
      table.text('device').notNullable();
      table.text('country').notNullable();
      table.text('visitor_hash').notNullable();
    });

    await createTenantTable('bio_sites_daily_stats', (table) => {
      table.date('day').notNullable();
      table.text('subject_kind').notNullable(); // site | link | short_link
      table.uuid('subject_id').notNullable();
      table.uuid('site_id');
      table.integer('views').notNullable().defaultTo(0);
      table.integer('clicks').notNullable().defaultTo(0);
      table.integer('uniques').notNullable().defaultTo(0);
      table.unique(['tenant_id', 'subject_id', 'day']);
    });

    await createTenantTable('bio_sites_daily_breakdown', (table) => {
      table.date('day').notNullable();
      table.uuid('subject_id').notNullable();
      table.text('dimension').notNullable(); // referrer | device | country
      table.text('value').notNullable();
      table.integer('views').notNullable().defaultTo(0);
      table.integer('clicks').notNullable().defaultTo(0);
      table.unique(['tenant_id', 'subject_id', 'day', 'dimension', 'value']);
    });

    await createTenantTable('bio_sites_daily_uniques', (table) => {
      table.date('day').notNullable();
      table.uuid('subject_id').notNullable();
      table.text('visitor_hash').notNullable();
      table.unique(['tenant_id', 'subject_id', 'day', 'visitor_hash']);
    });

    await createTenantTable('bio_sites_salts', (table) => {
      table.date('day').notNullable();
      table.text('salt').notNullable();
      table.unique(['tenant_id', 'day']);
    });
  },
  async down({ db }) {
    for (const table of ['bio_sites_salts', 'bio_sites_daily_uniques', 'bio_sites_daily_breakdown', 'bio_sites_daily_stats', 'bio_sites_hits']) {
      await db.schema.dropTable(table);
    }
  },
});
