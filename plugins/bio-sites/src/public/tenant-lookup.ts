import type { GlobalDb, RootMount } from '@plinth/sdk';
import { bioDomain, slugOfHost } from '../model/hosts.js';
import { domainLookup } from './host-routing.js';
import { notFoundReply } from './html-reply.js';

const ttlMs = 10_000;
const maxEntries = 10_000;

/**
 * Finds the tenant of a public name in a global registry, remembering answers for a few seconds so a busy page
 * costs no registry query per visit. Another process may answer from a stale entry for up to 10 s after a slug
 * moves; the tenant's own tables are checked by the handler anyway, so a stale entry only yields a 404.
 */
export class RegistryLookup {
  private readonly entries = new Map<string, { tenantId: string; until: number }>();

  constructor(
    private readonly table: 'bio_sites_slugs' | 'bio_sites_codes',
    private readonly column: 'slug' | 'code',
    private readonly param: string,
  ) {}

  /**
   * The `root` option of a route whose path parameter `param` holds the name: its tenant, unless the request came
   * to another site's own host (see `hostServes`); an unknown name gets the plugin's 404 page.
   */
  mount(): RootMount {
    return {
      resolveTenant: async ({ params, host, db }) => {
        const name = params[this.param]?.toLowerCase();
        const tenantId = await this.find(name, db);
        return tenantId && (await hostServes(host, { [this.column]: name!, tenantId }, db)) ? tenantId : undefined;
      },
      notFound: notFoundReply,
    };
  }

  async find(name: string | undefined, db: GlobalDb): Promise<string | undefined> {
    if (!name || name.length > 64) return undefined;
    const key = name.toLowerCase();
    const cached = this.entries.get(key);
    if (cached && cached.until > Date.now()) return cached.tenantId;
    const row = await db.one<{ tenant_id: string }>(`select tenant_id from ${this.table} where ${this.column} = $1`, [key]);
    if (!row) return undefined;
    if (this.entries.size >= maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { tenantId: row.tenant_id, until: Date.now() + ttlMs });
    return row.tenant_id;
  }

  /** Drops a name this process changed, so it sees the change at once. */
  forget(name: string): void {
    this.entries.delete(name.toLowerCase());
  }
}

/** `/b/:slug…` → tenant. */
export const siteLookup = new RegistryLookup('bio_sites_slugs', 'slug', 'slug');
/** `/s/:code` → tenant. */
export const codeLookup = new RegistryLookup('bio_sites_codes', 'code', 'code');

/** A host name worth looking up as a site's own: lower-case, without the port, not an IP address or `localhost`. */
function siteHostName(host: string): string | undefined {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return /^(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*$/.test(name) ? name : undefined;
}

/**
 * Whether a request on `host` may be answered with this site page or short code. A site's own host
 * (`<slug>.<PLINTH_BIO_SITES_DOMAIN>`, or the custom domain a site claims) shows that site's pages and its
 * tenant's short codes only, so `/b/<another-slug>` on it never shows another site, of this tenant or another.
 * Other hosts (the platform's) serve every site.
 */
async function hostServes(host: string, asked: { tenantId: string; slug?: string; code?: string }, db: GlobalDb): Promise<boolean> {
  const name = siteHostName(host);
  if (!name) return true;
  const bioSlug = slugOfHost(name, bioDomain());
  const site = bioSlug ? { slug: bioSlug, tenantId: await siteLookup.find(bioSlug, db) } : await domainLookup.find(name, db);
  if (!site) return true;
  return asked.slug !== undefined ? asked.slug === site.slug : asked.tenantId === site.tenantId;
}
