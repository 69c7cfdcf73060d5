/** Site slugs and short codes: lower-case letters, digits and inner hyphens, 3–40 characters. */
export const slugPattern = '^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$';

/** Short codes: lower-case letters, digits, `-` and `_`, 1–40 characters. */
export const codePattern = '^[a-z0-9][a-z0-9_-]{0,39}$';

/** Slugs nobody may take: they would read as the platform's own pages or invite impersonation. */
export const reservedSlugs: ReadonlySet<string> = new Set([
  'about',
  'account',
  'admin',
  'administrator',
  'api',
  'app',
  'assets',
  'auth',
  'billing',
  'blog',
  'cdn',
  'console',
  'contact',
  'dashboard',
  'dev',
  'docs',
  'download',
  'email',
  'help',
  'home',
  'host',
  'index',
  'info',
  'legal',
  'login',
  'logout',
  'mail',
  'marketplace',
  'me',
  'new',
  'news',
  'official',
  'owner',
  'password',
  'plinth',
  'privacy',
  'register',
  'root',
  'security',
  'settings',
  'signin',
  'signup',
  'sitemap',
  'static',
  'status',
  'support',
  'system',
  'team',
  'terms',
  'test',
  'tenant',
  'user',
  'web',
  'webmaster',
  'www',
]);

/** Whether a slug or short code may not be taken. */
export function isReservedSlug(slug: string): boolean {
  return reservedSlugs.has(slug) || slug.startsWith('xn--');
}
