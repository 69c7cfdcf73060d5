import {
  NotFoundError,
  ValidationError,
  type FieldErrors,
  type PluginAudit,
  type PluginCache,
  type PluginEvents,
  type PluginFiles,
  type PluginLimits,
  type TenantDb,
} from '@plinth/sdk';
import type { Site, SiteInput, SitePatch } from '../model/schemas.js';
import { resolveTheme, themeErrors, type Theme } from '../model/theme.js';
import { checkUrl } from '../model/urls.js';
import { invalidatePage } from './page-cache.js';
import { bioDomain } from '../model/hosts.js';
import { claimDomain, claimName, releaseDomain, releaseName } from './registry.js';
import { attachSiteImage, releaseSiteImage } from './site-files.js';

interface SiteRow {
  id: string;
  slug: string;
  title: string;
  bio: string;
  avatar_url: string | null;
  avatar_file_id: string | null;
  custom_domain: string | null;
  theme: Partial<Theme>;
  seo: { title?: string | null; description?: string | null; image_url?: string | null };
  status: 'published' | 'unpublished';
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type Deps = { db: TenantDb; cache: PluginCache; events: PluginEvents; files: PluginFiles; audit: PluginAudit };

/** The key of Bio Sites' plan limit: how many sites a tenant may have (`bio-sites.sites` in a plan). */
export const sitesLimit = 'sites';

/** The tenant's sites (the plan's limit counts them all, published or not). */
export async function countSites(db: TenantDb): Promise<number> {
  const row = await db.one<{ n: string }>('select count(*) as n from bio_sites_sites');
  return Number(row!.n);
}

/** The audit verb of a site's change: publishing and unpublishing are named, anything else is an update. */
function siteVerb(before: SiteRow, after: SiteRow): string {
  if (before.status === after.status) return 'updated';
  return after.status === 'published' ? 'published' : 'unpublished';
}

/** The columns every site query returns. */
export const siteColumns = 'id, slug, title, bio, avatar_url, avatar_file_id, custom_domain, theme, seo, status, published_at, created_at, updated_at';

/** A stored site as the API shows it. */
export function toSite(row: SiteRow): Site {
  const resolved = resolveTheme(row.theme);
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    bio: row.bio,
    avatar_url: row.avatar_url,
    avatar_file_id: row.avatar_file_id,
    custom_domain: row.custom_domain,
    theme: {
      preset: row.theme.preset ?? 'light',
      font: row.theme.font ?? 'system',
      background: resolved.background,
      text: resolved.text,
      accent: resolved.accent,
    },
    seo: { title: row.seo.title ?? null, description: row.seo.description ?? null, image_url: row.seo.image_url ?? null },
    status: row.status,
    published_at: row.published_at?.toISOString() ?? null,
    url: `/b/${row.slug}`,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The site with this id, locked for update when asked; 404 when it is not the tenant's. */
export async function findSite(db: TenantDb, id: string, options: { lock?: boolean } = {}): Promise<SiteRow> {
  const row = await db.one<SiteRow>(`select ${siteColumns} from bio_sites_sites where id = $1${options.lock ? ' for update' : ''}`, [id]);
  if (!row) throw new NotFoundError('Site not found');
  return row;
}

/** Checks what the schema cannot: image URLs https only, readable theme colours, a custom domain outside the bio domain. */
function checkSiteFields(input: SitePatch, theme: Partial<Theme>): void {
  const errors: FieldErrors = { ...themeErrors(theme) };
  const https = (field: string, value: string | null | undefined) => {
    if (value === null || value === undefined) return;
    const checked = checkUrl(value, { httpsOnly: true });
    if ('error' in checked) errors[field] = [checked.error];
  };
  https('avatar_url', input.avatar_url);
  https('seo.image_url', input.seo?.image_url);
  const domain = bioDomain();
  if (domain && input.custom_domain && (input.custom_domain === domain || input.custom_domain.endsWith(`.${domain}`))) {
    errors.custom_domain = [`must not be under ${domain} (every site already answers on <slug>.${domain})`];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

/** Creates a site and claims its slug in the same transaction (409 `limit_reached` when the plan's sites are all used). */
export async function createSite(deps: Deps & { limits: PluginLimits }, tenantId: string, input: SiteInput): Promise<Site> {
  const theme = input.theme ?? {};
  checkSiteFields(input, theme);
  await deps.limits.ensure(sitesLimit, 1);
  await claimName(deps.db, 'slug', input.slug, tenantId);
  if (input.custom_domain) await claimDomain(deps.db, input.custom_domain, input.slug, tenantId);
  const status = input.status ?? 'unpublished';
  const [row] = await deps.db.query<SiteRow>(
    `insert into bio_sites_sites (slug, title, bio, avatar_url, custom_domain, theme, seo, status, published_at, avatar_file_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, case when $8 = 'published' then now() end, $9) returning ${siteColumns}`,
    [
      input.slug,
      input.title.trim(),
      (input.bio ?? '').trim(),
      input.avatar_url ?? null,
      input.custom_domain ?? null,
      JSON.stringify(theme),
      JSON.stringify(input.seo ?? {}),
      status,
      input.avatar_file_id ?? null,
    ],
  );
  if (input.avatar_file_id) await attachSiteImage(deps.files, input.avatar_file_id, row!.id, 'avatar_file_id');
  await deps.audit.record({ entity: 'site', verb: 'created', target: row!.id, after: { ...row! } });
  if (status === 'published') await deps.events.emit('bio-sites.site.published', { siteId: row!.id, slug: row!.slug });
  invalidatePage(deps, input.slug);
  return toSite(row!);
}

/** Applies changes; a new slug or custom domain is claimed and the old one released in the same transaction. */
export async function updateSite(deps: Deps, tenantId: string, id: string, patch: SitePatch): Promise<Site> {
  const current = await findSite(deps.db, id, { lock: true });
  const theme = patch.theme ?? current.theme;
  checkSiteFields(patch, theme);
  const slug = patch.slug ?? current.slug;
  const domain = patch.custom_domain === undefined ? current.custom_domain : patch.custom_domain;
  const moved = slug !== current.slug || domain !== current.custom_domain;
  if (moved && current.custom_domain) await releaseDomain(deps.db, current.custom_domain);
  if (slug !== current.slug) {
    await releaseName(deps.db, 'slug', current.slug);
    await claimName(deps.db, 'slug', slug, tenantId);
  }
  if (moved && domain) await claimDomain(deps.db, domain, slug, tenantId);
  const seo = patch.seo ? { ...current.seo, ...patch.seo } : current.seo;
  const avatarFileId = patch.avatar_file_id === undefined ? current.avatar_file_id : patch.avatar_file_id;
  const [row] = await deps.db.query<SiteRow>(
    `update bio_sites_sites set slug = $2, title = $3, bio = $4, avatar_url = $5, theme = $6, seo = $7, status = $8, custom_domain = $9,
            avatar_file_id = $10,
            published_at = case when $8 = 'published' and status <> 'published' then now() else published_at end, updated_at = now()
      where id = $1 returning ${siteColumns}`,
    [
      id,
      slug,
      patch.title?.trim() ?? current.title,
      patch.bio?.trim() ?? current.bio,
      patch.avatar_url === undefined ? current.avatar_url : patch.avatar_url,
      JSON.stringify(theme),
      JSON.stringify(seo),
      patch.status ?? current.status,
      domain,
      avatarFileId,
    ],
  );
  await deps.audit.record({ entity: 'site', verb: siteVerb(current, row!), target: id, before: { ...current }, after: { ...row! } });
  if (avatarFileId !== current.avatar_file_id) {
    if (avatarFileId) await attachSiteImage(deps.files, avatarFileId, id, 'avatar_file_id');
    await releaseSiteImage(deps, current.avatar_file_id);
  }
  if (row!.status === 'published' && current.status !== 'published') await deps.events.emit('bio-sites.site.published', { siteId: id, slug: row!.slug });
  invalidatePage(deps, current.slug);
  if (row!.slug !== current.slug) invalidatePage(deps, row!.slug);
  return toSite(row!);
}

/** Deletes a site with its blocks, subscribers, pending hits and statistics, and releases its slug. */
export async function deleteSite(deps: Deps, id: string): Promise<void> {
  const site = await findSite(deps.db, id, { lock: true });
  const subjects = `(select $1::uuid union all select id from bio_sites_blocks where site_id = $1)`;
  await deps.db.query(`delete from bio_sites_daily_breakdown where subject_id in ${subjects}`, [id]);
  await deps.db.query(`delete from bio_sites_daily_uniques where subject_id in ${subjects}`, [id]);
  await deps.db.query('delete from bio_sites_daily_stats where site_id = $1 or subject_id = $1', [id]);
  await deps.db.query('delete from bio_sites_hits where site_id = $1', [id]);
  const images = await deps.db.query<{ file_id: string }>(
    "select data->>'file_id' as file_id from bio_sites_blocks where site_id = $1 and type = 'image' and data->>'file_id' is not null",
    [id],
  );
  await deps.db.query('delete from bio_sites_blocks where site_id = $1', [id]);
  await deps.db.query('delete from bio_sites_sites where id = $1', [id]);
  await deps.audit.record({ entity: 'site', verb: 'deleted', target: id, before: { ...site } });
  for (const fileId of new Set([site.avatar_file_id, ...images.map((image) => image.file_id)])) await releaseSiteImage(deps, fileId);
  if (site.custom_domain) await releaseDomain(deps.db, site.custom_domain);
  await releaseName(deps.db, 'slug', site.slug);
  invalidatePage(deps, site.slug);
}
