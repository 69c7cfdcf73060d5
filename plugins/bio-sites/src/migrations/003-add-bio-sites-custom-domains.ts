import { defineMigration } from '@plinth/sdk';
import { createRegistry } from './001-create-bio-sites.js';

/**
 * Custom domains of sites: the site's `custom_domain`, and a global registry of domains → site slug and tenant
 * (so a host name finds its site before the tenant is known, and no two sites anywhere claim one domain). A
 * registry row goes with its slug's row.
 */
export const addBioSitesCustomDomains = defineMigration({
  name: '003-add-bio-sites-custom-domains',
  async up(context) {
    const { db } = context;
    await db.raw('alter table bio_sites_sites add column custom_domain text');
    await db.raw('alter table bio_sites_sites add constraint bio_sites_sites_custom_domain_lower check (custom_domain = lower(custom_domain))');
    await createRegistry(context, 'bio_sites_domains', 'domain', "Custom domains are globally unique: a request's host finds its site here");
    await db.raw('alter table bio_sites_domains add column slug text not null unique references bio_sites_slugs (slug) on delete cascade');
  },
  async down({ db }) {
    await db.schema.dropTable('bio_sites_domains');
    await db.raw('alter table bio_sites_sites drop column custom_domain');
  },
});
