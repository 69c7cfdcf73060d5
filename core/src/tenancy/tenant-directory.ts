import { BadRequestError, NotFoundError, type TenantInfo } from '@plinth/sdk';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { isUuid, runAsSystem } from '../db/scoped-db.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';
import { effectiveQuotas, tenantEntitlementsKey, type LimitValues } from '../billing/effective-limits.js';

/**
 * A tenant's core limits in effect: the host defaults ⊕ its plan's limits ⊕ a host administrator's overrides
 * (`tenants.quotas`; docs/billing.md). A plan's unlimited (`null`) is `Number.MAX_SAFE_INTEGER` here.
 */
export interface Quotas {
  members: number;
  api_tokens: number;
  requests_per_minute: number;
  /** Bytes of stored files (originals and their image variants), counted in `storage_usage`. */
  storage_bytes: number;
}

export const defaultQuotas: Quotas = { members: 1000, api_tokens: 50, requests_per_minute: 60_000, storage_bytes: 1024 ** 3 };

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  /** What dunning does to the tenant (core/src/billing/dunning.ts), apart from a host administrator's `status`. */
  billing_status: 'ok' | 'read_only' | 'suspended';
  plan: string;
  settings: Record<string, unknown>;
  quotas: Quotas;
  /** IANA time zone, BCP 47 locale and ISO 4217 currency, set by the owner (see tenant-locale.ts). */
  time_zone: string;
  locale: string;
  currency: string;
  /** The tenant's logo, a public file of its own (PATCH /tenant); kept here so the cached tenant answers GET /tenant. */
  logo_file_id: string | null;
  created_at: string;
  updated_at: string;
}

/** The columns of a {@link Tenant}, for `select` and `returning`. */
export const tenantColumns =
  'id, slug, name, status, billing_status, plan, settings, quotas, time_zone, locale, currency, logo_file_id, created_at, updated_at';

/** What a plugin's handlers see of a tenant (`ctx.tenant`). */
export function tenantInfo(tenant: Tenant): TenantInfo {
  return { id: tenant.id, slug: tenant.slug, name: tenant.name, timeZone: tenant.time_zone, locale: tenant.locale, currency: tenant.currency };
}

export interface TenantDirectory {
  /**
   * The tenant a request names: `X-Tenant` (slug or id), `<slug>.<base domain>`, or a verified custom domain.
   * A cached tenant comes without a promise (so does a bad `X-Tenant`'s error, thrown).
   */
  resolve(header: string | undefined, host: string): MaybePromise<Tenant | undefined>;
  byId(id: string): MaybePromise<Tenant | undefined>;
  bySlug(slug: string): MaybePromise<Tenant | undefined>;
  /** The tenant that verified `domain` (lower-case host name) as a custom domain. */
  byDomain(domain: string): Promise<Tenant | undefined>;
  /** Whether `host` (lower-case, no port) names the platform itself: `localhost`, an IP, the base domain, the public URL's host. */
  isPlatformHost(host: string): boolean;
  /** The tenant whose own host name `host` is (`<slug>.<base domain>`, or a custom domain it verified); none for the platform's. */
  ownerOfHost(host: string): Promise<Tenant | undefined>;
  /** Drops cached copies after a change (name, status, quotas, plan, time zone, locale, currency, domains), the tenant's entitlements too. */
  forget(tenant: Pick<Tenant, 'id' | 'slug'>, domains?: string[]): Promise<void>;
}

const ttlMs = 60_000;
const qualifiedColumns = tenantColumns
  .split(', ')
  .map((column) => `t.${column}`)
  .join(', ');
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const found = (tenant: Tenant | undefined) => {
  if (!tenant) throw new NotFoundError('Tenant not found');
  return tenant;
};

/**
 * Finds tenants by id, slug and host name. `platformHosts` are the host names of the platform itself (base domain,
 * public URL's host, bind address), which never name a tenant.
 */
export function createTenantDirectory(
  database: Database,
  cache: Cache,
  baseDomain: string | undefined,
  platformHosts: readonly string[] = [],
): TenantDirectory {
  // The plan's limits come with the tenant, so the quotas every caller reads (members, API tokens, storage, the
  // request meter) follow the plan; a plan or subscription change drops the entry (`forget`).
  const load = (column: 'id' | 'slug', value: string) =>
    runAsSystem(database, (db) =>
      db.one<Tenant & { plan_limits: LimitValues | null }>(
        `select ${qualifiedColumns}, p.limits as plan_limits
           from tenants t left join tenant_subscriptions s on s.tenant_id = t.id left join billing_plans p on p.id = s.plan_id
          where t.${column} = $1`,
        [value],
      ),
    ).then((row) => {
      if (!row) return undefined;
      const { plan_limits: planLimits, ...tenant } = row;
      return { ...tenant, quotas: effectiveQuotas(defaultQuotas, planLimits, tenant.quotas) };
    });
  const cached = (column: 'id' | 'slug', value: string) => {
    const key = `tenant:${column}:${value}`;
    return cache.peek<Tenant>(key) ?? cache.getOrLoad(key, ttlMs, () => load(column, value));
  };
  const byId = (id: string) => (isUuid(id) ? cached('id', id) : undefined);
  const bySlug = (slug: string) => (slugPattern.test(slug) ? cached('slug', slug) : undefined);
  const byDomain = async (domain: string) => {
    const id = await cache.getOrLoad(`tenant:domain:${domain}`, ttlMs, () =>
      runAsSystem(database, (db) => db.one<{ tenant_id: string }>('select tenant_id from tenant_domains where domain = $1 and verified', [domain])).then(
        (row) => row?.tenant_id,
      ),
    );
    return id ? byId(id) : undefined;
  };
  const isPlatformHost = (host: string) =>
    !host || host === 'localhost' || host.startsWith('[') || /^[\d.]+$/.test(host) || host === baseDomain || platformHosts.includes(host);
  const subdomainSlug = (host: string) => (baseDomain && host.endsWith(`.${baseDomain}`) ? host.slice(0, -baseDomain.length - 1) : undefined);

  return {
    byId,
    bySlug,
    byDomain,
    isPlatformHost,
    async ownerOfHost(host) {
      if (isPlatformHost(host)) return undefined;
      const slug = subdomainSlug(host);
      return slug === undefined ? byDomain(host) : bySlug(slug);
    },
    resolve(header, hostHeader) {
      if (header) {
        const named = header.trim().toLowerCase();
        if (!isUuid(named) && !slugPattern.test(named)) throw new BadRequestError('X-Tenant must be a tenant slug or id');
        return andThen(isUuid(named) ? byId(named) : bySlug(named), found);
      }
      const host = hostHeader.toLowerCase().replace(/:\d+$/, '');
      if (isPlatformHost(host)) return undefined;
      const slug = subdomainSlug(host);
      return slug === undefined ? byDomain(host) : andThen(bySlug(slug), found);
    },
    async forget(tenant, domains = []) {
      await Promise.all([
        cache.delete(`tenant:id:${tenant.id}`),
        cache.delete(`tenant:slug:${tenant.slug}`),
        cache.delete(tenantEntitlementsKey(tenant.id)),
        ...domains.map((domain) => cache.delete(`tenant:domain:${domain}`)),
      ]);
    },
  };
}
