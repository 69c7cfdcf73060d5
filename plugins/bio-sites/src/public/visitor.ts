import { createHash, randomBytes } from 'node:crypto';
import type { PluginCache, TenantDb } from '@plinth/sdk';
import { isbot } from 'isbot';

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Whether the user agent is a crawler, preview fetcher or monitor (isbot's list); a missing one counts as a bot. */
export function isBotAgent(userAgent: string | undefined): boolean {
  return !userAgent || isbot(userAgent);
}

/** `mobile`, `tablet` or `desktop`, from the user agent. */
export function deviceClass(userAgent: string | undefined): 'mobile' | 'tablet' | 'desktop' {
  const agent = userAgent ?? '';
  if (/ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))/i.test(agent)) return 'tablet';
  if (/mobi|iphone|ipod|android|blackberry|opera mini|iemobile|windows phone/i.test(agent)) return 'mobile';
  return 'desktop';
}

/** The referring site's host name (never its path or query), `direct` without one, `internal` from the same host. */
export function referrerHost(headers: Headers): string {
  const referrer = header(headers, 'referer');
  if (!referrer) return 'direct';
  try {
    const host = new URL(referrer).hostname.toLowerCase().replace(/^www\./, '');
    if (!host) return 'direct';
    return host ===
      (header(headers, 'host') ?? '')
        .split(':')[0]
        ?.toLowerCase()
        .replace(/^www\./, '')
      ? 'internal'
      : host.slice(0, 253);
  } catch {
    return 'direct';
  }
}

/** The ISO country code a CDN put in a header (`cf-ipcountry`, `cloudfront-viewer-country`, `x-vercel-ip-country`), else `unknown`. */
export function countryOf(headers: Headers): string {
  for (const name of ['cf-ipcountry', 'cloudfront-viewer-country', 'x-vercel-ip-country', 'x-country-code']) {
    const value = header(headers, name)?.trim().toUpperCase();
    if (value && /^[A-Z]{2}$/.test(value) && value !== 'XX' && value !== 'T1') return value;
  }
  return 'unknown';
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date of an instant in an IANA time zone (the tenant's), `YYYY-MM-DD`: analytics count days as the
 * creator lives them, so "today" on the analytics screen is today where the creator is, not in UTC.
 */
export function zoneDay(timeZone: string, at = new Date()): string {
  let format = dayFormats.get(timeZone);
  if (!format) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(at);
  const part = (type: string) => parts.find((item) => item.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The tenant's salt of the day: random, created on first use, deleted by the rollup job once the day is over, so
 * visitor hashes of different days cannot be linked and no hash can be traced back to an address.
 */
async function dailySalt(db: TenantDb, cache: PluginCache, day: string): Promise<string> {
  const salt = await cache.getOrLoad(`salt:${day}`, 3_600_000, async () => {
    await db.query('insert into bio_sites_salts (day, salt) values ($1, $2) on conflict (tenant_id, day) do nothing', [day, randomBytes(32).toString('hex')]);
    return (await db.one<{ salt: string }>('select salt from bio_sites_salts where day = $1', [day]))?.salt;
  });
  return salt!;
}

/** A visitor's id for one day and one tenant: a salted hash of the address and user agent (the address is never stored). */
export async function visitorHash(db: TenantDb, cache: PluginCache, ip: string, userAgent: string | undefined, day: string): Promise<string> {
  const salt = await dailySalt(db, cache, day);
  return createHash('sha256')
    .update(`${salt}|${ip}|${userAgent ?? ''}`)
    .digest('base64url')
    .slice(0, 32);
}
