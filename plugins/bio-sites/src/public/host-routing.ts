import type { GlobalDb, HostRouting } from '@plinth/sdk';
import { bioDomain, siteHostPath, slugOfHost } from '../model/hosts.js';

const ttlMs = 10_000;
const maxEntries = 10_000;

/**
 * Custom domain → the site's slug and tenant, from the global registry. Answers, a domain no site claims
 * included, are remembered for a few seconds (the kernel asks on every request to a tenant's domain, whichever
 * plugin serves it); a change made in this process is seen at once, in another one within 10 s.
 */
export class DomainLookup {
  private readonly entries = new Map<string, { site: { slug: string; tenantId: string } | undefined; until: number }>();

  async find(domain: string, db: GlobalDb): Promise<{ slug: string; tenantId: string } | undefined> {
    const cached = this.entries.get(domain);
    if (cached && cached.until > Date.now()) return cached.site;
    const row = await db.one<{ slug: string; tenant_id: string }>('select slug, tenant_id from bio_sites_domains where domain = $1', [domain]);
    const site = row ? { slug: row.slug, tenantId: row.tenant_id } : undefined;
    if (this.entries.size >= maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(domain, { site, until: Date.now() + ttlMs });
    return site;
  }

  /** Drops a domain this process changed, so it sees the change at once. */
  forget(domain: string): void {
    this.entries.delete(domain);
  }
}

/** `custom domain` → site. */
export const domainLookup = new DomainLookup();

/**
 * Serves sites on `<slug>.<PLINTH_BIO_SITES_DOMAIN>` and on their custom domains. A custom domain is served only
 * when core says the site's own tenant verified it (`domainTenantId`), so claiming someone else's domain on a
 * site routes nothing.
 */
export const bioSitesHosts: HostRouting = {
  async route({ host, path, domainTenantId, db }) {
    const slug = slugOfHost(host, bioDomain());
    if (slug) return siteHostPath(slug, path);
    if (!domainTenantId) return undefined;
    const site = await domainLookup.find(host, db);
    if (!site || site.tenantId !== domainTenantId) return undefined;
    return siteHostPath(site.slug, path);
  },
};
