import type { GlobalDb, RootMount } from '@plinth/sdk';

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

  /** The `root` option of a route whose path parameter `param` holds the name. */
  mount(): RootMount {
    return { resolveTenant: ({ params, db }) => this.find(params[this.param], db) };
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
