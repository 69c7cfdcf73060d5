import { ConflictError, ValidationError, type TenantDb } from '@plinth/sdk';
import { isReservedSlug } from '../model/slugs.js';
import { domainLookup } from '../public/host-routing.js';
import { codeLookup, siteLookup } from '../public/tenant-lookup.js';

const registries = {
  slug: { table: 'bio_sites_slugs', column: 'slug', lookup: siteLookup },
  code: { table: 'bio_sites_codes', column: 'code', lookup: codeLookup },
} as const;

/** A kind of globally unique public name: a site slug or a short code. */
export type NameKind = keyof typeof registries;

/** Claims the name for the tenant unless any tenant holds it; false when taken. */
export async function tryClaimName(db: TenantDb, kind: NameKind, name: string, tenantId: string): Promise<boolean> {
  const { table, column } = registries[kind];
  const claimed = await db.query(`insert into ${table} (${column}, tenant_id) values ($1, $2) on conflict do nothing returning tenant_id`, [name, tenantId]);
  return claimed.length > 0;
}

/**
 * Claims a globally unique public name for the tenant, in the caller's transaction (so the registry and the
 * tenant's own row commit or roll back together). Reserved words are `422`; a name held by any tenant,
 * this one included, is `409`.
 */
export async function claimName(db: TenantDb, kind: NameKind, name: string, tenantId: string): Promise<void> {
  if (isReservedSlug(name)) throw new ValidationError({ [kind]: ['is reserved'] });
  if (!(await tryClaimName(db, kind, name, tenantId))) {
    throw new ConflictError(`This ${kind} is already taken`, { errors: { [kind]: ['is already taken'] } });
  }
}

/** Gives a name back (Row Level Security lets a tenant delete only its own), and forgets it in this process once committed. */
export async function releaseName(db: TenantDb, kind: NameKind, name: string): Promise<void> {
  const { table, column, lookup } = registries[kind];
  await db.query(`delete from ${table} where ${column} = $1`, [name]);
  db.afterCommit(() => lookup.forget(name));
}

/** Claims a custom domain for the tenant's site (named by its slug) unless any site holds it (`409`); this process sees it once committed. */
export async function claimDomain(db: TenantDb, domain: string, slug: string, tenantId: string): Promise<void> {
  const claimed = await db.query('insert into bio_sites_domains (domain, slug, tenant_id) values ($1, $2, $3) on conflict do nothing returning domain', [
    domain,
    slug,
    tenantId,
  ]);
  if (claimed.length === 0) throw new ConflictError('This custom domain is already taken', { errors: { custom_domain: ['is already taken'] } });
  db.afterCommit(() => domainLookup.forget(domain));
}

/** Gives a custom domain back, and forgets it in this process once committed. */
export async function releaseDomain(db: TenantDb, domain: string): Promise<void> {
  await db.query('delete from bio_sites_domains where domain = $1', [domain]);
  db.afterCommit(() => domainLookup.forget(domain));
}
