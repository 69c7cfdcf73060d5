import { formatMoney, type PluginCache, type PluginFiles, type TenantDb, type TenantInfo } from '@plinth/sdk';
import { pageKey, type PageVariant } from '../services/page-cache.js';
import type { ProductOffer, ShopOffers } from '../services/shop-offers.js';
import { blockFileId, publicImageUrl } from '../services/site-files.js';
import { renderPage, type PageBlock, type PageSite, type RenderedPage } from './render-page.js';

/** A page as cached: rendered, or known to be absent; good until a schedule boundary (a link starting or ending). */
interface CachedPage {
  page: RenderedPage | null;
  siteId: string | null;
  expiresAt: number;
  /** The tenant's locale it was rendered in: a page cached before the tenant changed language is built again. */
  locale: string;
}

const ttlMs = 60_000;
/** While a stored image's variants are being made the page shows the original; it looks again this soon. */
const pendingVariantsTtlMs = 5_000;
/**
 * A page showing products is built again this soon: a variant's new price reaches the page within this time even
 * though the shop announces no event for it (product changes the shop announces drop the page at once).
 */
export const productPageTtlMs = 10_000;

type Deps = { db: TenantDb; cache: PluginCache; files: PluginFiles; shop: ShopOffers | undefined };

/** The avatar's public URL: a stored file's small variant (the original until it is made), else the avatar URL. */
async function avatarOf(deps: Deps, tenantId: string, site: PageSite & { avatar_file_id: string | null }): Promise<{ url: string | null; pending: boolean }> {
  if (!site.avatar_file_id) return { url: site.avatar_url, pending: false };
  const file = await deps.files.get(site.avatar_file_id);
  if (!file) return { url: site.avatar_url, pending: false };
  // The thumbnail (200 px) is sharp at the avatar's 96 CSS pixels on a 2× screen.
  return { url: publicImageUrl(tenantId, file, 'thumb'), pending: !file.variants.includes('thumb') };
}

/**
 * Image blocks showing a stored file get its public URL (the 1024 px `medium` variant once made, else the original);
 * a block whose file is gone is left out.
 */
async function storedImages(deps: Deps, tenantId: string, blocks: PageBlock[]): Promise<{ blocks: PageBlock[]; pending: boolean }> {
  let pending = false;
  const shown = await Promise.all(
    blocks.map(async (block) => {
      const fileId = blockFileId(block.type, block.data);
      if (!fileId) return block;
      const file = await deps.files.get(fileId);
      if (!file) return undefined;
      pending ||= !file.variants.includes('medium');
      return { ...block, data: { ...block.data, url: publicImageUrl(tenantId, file, 'medium') } };
    }),
  );
  return { blocks: shown.filter((block): block is PageBlock => block !== undefined), pending };
}

/**
 * Product blocks become cards from the shop's offers (name, price in the tenant's locale, image, buy page); a
 * product no longer on sale, or every product without the shop, is left out.
 */
async function productCards(deps: Deps, locale: string, blocks: PageBlock[]): Promise<{ blocks: PageBlock[]; products: boolean }> {
  const ids = [...new Set(blocks.filter((block) => block.type === 'product').map((block) => String(block.data.product_id)))];
  if (ids.length === 0) return { blocks, products: false };
  const offers = deps.shop ? await deps.shop.offers(ids) : new Map<string, never>();
  const cards = blocks.flatMap((block): PageBlock[] => {
    if (block.type !== 'product') return [block];
    const offer: ProductOffer | undefined = offers.get(String(block.data.product_id));
    if (!offer) return [];
    const card = { name: offer.name, price: formatMoney(offer.price, offer.currency, locale), href: offer.buyPath, image: offer.image ?? null };
    return [{ ...block, data: { ...card, label: block.data.label ?? null } }];
  });
  return { blocks: cards, products: true };
}

type StoredSite = PageSite & { avatar_file_id: string | null };

async function build(deps: Deps, tenant: Pick<TenantInfo, 'id' | 'locale'>, slug: string, variant: PageVariant): Promise<CachedPage> {
  const site = await deps.db.prepared<StoredSite>(
    'bio_sites_page_site',
    `select id, slug, title, bio, avatar_url, avatar_file_id, theme, seo from bio_sites_sites where slug = $1 and status = 'published'`,
    [slug],
  );
  if (!site[0]) return { page: null, siteId: null, expiresAt: Date.now() + ttlMs, locale: tenant.locale };
  return buildSite(deps, tenant, site[0], { subscribed: variant === 'subscribed', preview: false });
}

/**
 * The page of a site as visitors see it now, published or not, for the console's live preview: rendered afresh
 * (never cached) by the same code as the public page, with embeds shown as placeholders (see `renderPage`).
 */
export async function previewPage(deps: Deps, tenant: Pick<TenantInfo, 'id' | 'locale'>, siteId: string): Promise<RenderedPage | null> {
  const site = await deps.db.one<StoredSite>('select id, slug, title, bio, avatar_url, avatar_file_id, theme, seo from bio_sites_sites where id = $1', [
    siteId,
  ]);
  if (!site) return null;
  return (await buildSite(deps, tenant, site, { subscribed: false, preview: true })).page;
}

async function buildSite(
  deps: Deps,
  tenant: Pick<TenantInfo, 'id' | 'locale'>,
  site: StoredSite,
  options: { subscribed: boolean; preview: boolean },
): Promise<CachedPage> {
  const tenantId = tenant.id;
  const { db } = deps;
  const now = Date.now();
  const rows = await db.prepared<PageBlock & { starts_at: Date | null; ends_at: Date | null }>(
    'bio_sites_page_blocks',
    'select id, type, data, starts_at, ends_at from bio_sites_blocks where site_id = $1 and active and (ends_at is null or ends_at > now()) order by position, id',
    [site.id],
  );
  const avatar = await avatarOf(deps, tenantId, site);
  let expiresAt = now + (avatar.pending ? pendingVariantsTtlMs : ttlMs);
  const live = rows.filter((row) => {
    for (const boundary of [row.starts_at, row.ends_at]) if (boundary && boundary.getTime() > now) expiresAt = Math.min(expiresAt, boundary.getTime());
    return (!row.starts_at || row.starts_at.getTime() <= now) && (!row.ends_at || row.ends_at.getTime() > now);
  });
  const images = await storedImages(deps, tenantId, live);
  if (images.pending) expiresAt = Math.min(expiresAt, now + pendingVariantsTtlMs);
  const cards = await productCards(deps, tenant.locale, images.blocks);
  if (cards.products) expiresAt = Math.min(expiresAt, now + productPageTtlMs);
  return {
    page: renderPage({ ...site, avatar_url: avatar.url }, cards.blocks, { ...options, locale: tenant.locale }),
    siteId: site.id,
    expiresAt,
    locale: tenant.locale,
  };
}

/**
 * The published page of `slug`, from the tenant's cache when warm (invalidated by every change to the site or its
 * blocks and by the shop's product events, expiring when a scheduled block starts or ends and soon when it shows
 * products), else rendered from the database.
 */
export async function loadPage(deps: Deps, tenant: Pick<TenantInfo, 'id' | 'locale'>, slug: string, variant: PageVariant): Promise<CachedPage> {
  const key = pageKey(slug, variant);
  const cached = await deps.cache.getOrLoad(key, ttlMs, () => build(deps, tenant, slug, variant));
  if (cached && cached.expiresAt > Date.now() && cached.locale === tenant.locale) return cached;
  const fresh = await build(deps, tenant, slug, variant);
  await deps.cache.set(key, fresh, Math.max(1, fresh.expiresAt - Date.now()));
  return fresh;
}
