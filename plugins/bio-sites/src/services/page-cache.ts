import type { PluginCache, TenantDb } from '@plinth/sdk';

/** Page variants kept in the cache per slug: the page, and the page thanking a new subscriber. */
export type PageVariant = 'plain' | 'subscribed';

/** The cache key of a rendered page (the cache is already namespaced to the tenant and the plugin). */
export function pageKey(slug: string, variant: PageVariant): string {
  return `page:${slug}:${variant}`;
}

/** Drops a site's rendered pages once the transaction that changed it commits (before, a reader could cache the old rows again). */
export function invalidatePage(deps: { db: TenantDb; cache: PluginCache }, slug: string): void {
  deps.db.afterCommit(() => Promise.all([deps.cache.delete(pageKey(slug, 'plain')), deps.cache.delete(pageKey(slug, 'subscribed'))]).catch(() => undefined));
}
