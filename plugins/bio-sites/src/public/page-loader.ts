import type { PluginCache, TenantDb } from '@plinth/sdk';
import { pageKey, type PageVariant } from '../services/page-cache.js';
import { renderPage, type PageBlock, type PageSite, type RenderedPage } from './render-page.js';

/** A page as cached: rendered, or known to be absent; good until a schedule boundary (a link starting or ending). */
interface CachedPage {
  page: RenderedPage | null;
  siteId: string | null;
  expiresAt: number;
}

const ttlMs = 60_000;

async function build(db: TenantDb, slug: string, variant: PageVariant): Promise<CachedPage> {
  const now = Date.now();
  const site = await db.prepared<PageSite>(
    'bio_sites_page_site',
    `select id, slug, title, bio, avatar_url, theme, seo from bio_sites_sites where slug = $1 and status = 'published'`,
    [slug],
  );
  if (!site[0]) return { page: null, siteId: null, expiresAt: now + ttlMs };
  const rows = await db.prepared<PageBlock & { starts_at: Date | null; ends_at: Date | null }>(
    'bio_sites_page_blocks',
    'select id, type, data, starts_at, ends_at from bio_sites_blocks where site_id = $1 and active and (ends_at is null or ends_at > now()) order by position, id',
    [site[0].id],
  );
  let expiresAt = now + ttlMs;
  const live = rows.filter((row) => {
    for (const boundary of [row.starts_at, row.ends_at]) if (boundary && boundary.getTime() > now) expiresAt = Math.min(expiresAt, boundary.getTime());
    return (!row.starts_at || row.starts_at.getTime() <= now) && (!row.ends_at || row.ends_at.getTime() > now);
  });
  return { page: renderPage(site[0], live, { subscribed: variant === 'subscribed' }), siteId: site[0].id, expiresAt };
}

/**
 * The published page of `slug`, from the tenant's cache when warm (invalidated by every change to the site or its
 * blocks, and expiring when a scheduled block starts or ends), else rendered from the database.
 */
export async function loadPage(deps: { db: TenantDb; cache: PluginCache }, slug: string, variant: PageVariant): Promise<CachedPage> {
  const key = pageKey(slug, variant);
  const cached = await deps.cache.getOrLoad(key, ttlMs, () => build(deps.db, slug, variant));
  if (cached && cached.expiresAt > Date.now()) return cached;
  const fresh = await build(deps.db, slug, variant);
  await deps.cache.set(key, fresh, Math.max(1, fresh.expiresAt - Date.now()));
  return fresh;
}
