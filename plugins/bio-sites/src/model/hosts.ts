/**
 * A lower-case host name of at least two labels whose last label starts with a letter (so never an IP address);
 * the pattern core's custom domains use.
 */
export const hostNamePattern = '^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$';

/** The domain under which every site answers as `<slug>.<domain>` (`PLINTH_BIO_SITES_DOMAIN`), lower-case; undefined when unset. */
export function bioDomain(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const domain = env.PLINTH_BIO_SITES_DOMAIN?.trim().toLowerCase().replace(/\.$/, '');
  return domain || undefined;
}

/** The slug a host names under the bio domain (`ada.bio.example.com` → `ada`): one label, else undefined. */
export function slugOfHost(host: string, domain: string | undefined): string | undefined {
  if (!domain || !host.endsWith(`.${domain}`)) return undefined;
  const label = host.slice(0, -domain.length - 1);
  return /^[a-z0-9-]{1,64}$/.test(label) ? label : undefined;
}

/**
 * The path of the site's root routes that a path on the site's own host means: `/` → `/b/<slug>`,
 * `/l/<id>` → `/b/<slug>/l/<id>`, paths under `/b/<slug>` unchanged (the page's own links and form), anything
 * else undefined.
 */
export function siteHostPath(slug: string, path: string): string | undefined {
  const base = `/b/${slug}`;
  if (path === '/' || path === '') return base;
  if (/^\/l\/[^/]+$/.test(path)) return `${base}${path}`;
  if (path === base || path.startsWith(`${base}/`)) return path;
  return undefined;
}
