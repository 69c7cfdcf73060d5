import { randomBytes } from 'node:crypto';
import { listPage, commonErrors, ConflictError, NotFoundError, PageQuery, paginate, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runInTenant } from '../db/scoped-db.js';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { coreErrors } from '../http/core-errors.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { hasVerificationRecord, verificationRecord } from './domain-verification.js';
import { Exact, NoContent, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';

interface DomainRow {
  id: string;
  domain: string;
  verified: boolean;
  verification_token: string;
  created_at: Date;
  updated_at: Date;
}

const domainColumns = 'id, domain, verified, verification_token, created_at, updated_at';

/** A custom domain with the DNS record that proves control of it. */
function presentDomain(row: DomainRow) {
  return {
    id: row.id,
    domain: row.domain,
    verified: row.verified,
    verification: { type: 'TXT' as const, name: row.domain, value: verificationRecord(row.verification_token) },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const Domain = Exact({
  id: Uuid,
  domain: Type.String(),
  verified: Type.Boolean(),
  verification: Exact({ type: Type.Literal('TXT'), name: Type.String(), value: Type.String() }, { description: 'The DNS record that proves control' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A lower-case host name of at least two labels whose last label starts with a letter (so never an IP address). */
const hostNamePattern = '^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const DomainParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const listDomains = defineRoute({
  method: 'GET',
  path: '/tenant/domains',
  summary: "The tenant's custom domains",
  tag: 'tenancy',
  permission: corePermissions['tenant.view'],
  schema: { query: Type.Object(PageQuery.properties, { additionalProperties: false }), response: Type.Array(Domain) },
  errors: [],
  async handler({ db, query }) {
    const { items, total } = await listPage<DomainRow>(db, { select: domainColumns, from: 'tenant_domains', orderBy: 'domain' }, query);
    return Reply.list(items.map(presentDomain), paginate(query, total));
  },
});

export const addDomain = defineRoute({
  method: 'POST',
  path: '/tenant/domains',
  summary: 'Claim a custom domain; it serves the tenant once verified by a DNS TXT record',
  tag: 'tenancy',
  permission: corePermissions['tenant.manage'],
  schema: {
    body: Type.Object(
      { domain: Type.String({ pattern: hostNamePattern, description: 'a lower-case host name, e.g. `shop.example.com`' }) },
      { additionalProperties: false },
    ),
    response: withStatus(Domain, 201),
  },
  deps: { config: kernelRefs.config, tenants: kernelRefs.tenants },
  errors: [commonErrors.conflict],
  async handler({ db, body, deps, tenant, audit }) {
    const baseDomain = deps.config.baseDomain?.toLowerCase();
    if (baseDomain && (body.domain === baseDomain || body.domain.endsWith(`.${baseDomain}`))) {
      throw new ValidationError({ domain: [`must not be the host's own domain ${baseDomain} or under it`] });
    }
    // The unique index spans every tenant: a domain claimed by another tenant conflicts even though RLS hides its row.
    const [row] = await db.query<DomainRow>(
      `insert into tenant_domains (tenant_id, domain, verification_token)
       values (nullif(current_setting('app.tenant_id', true), '')::uuid, $1, $2)
       on conflict (domain) do nothing returning ${domainColumns}`,
      [body.domain, randomBytes(16).toString('hex')],
    );
    if (!row) throw new ConflictError('This domain is already in use', { errors: { domain: ['is already in use'] } });
    await audit({ action: 'domain.added', targetType: 'domain', targetId: row.id, data: { domain: row.domain } });
    db.afterCommit(() => deps.tenants.forget(tenant, [row.domain]));
    return Reply.created(presentDomain(row));
  },
});

export const verifyDomain = defineRoute({
  method: 'POST',
  path: '/tenant/domains/:id/verify',
  summary: 'Check the DNS TXT record `plinth-verification=<token>` and mark the domain verified',
  tag: 'tenancy',
  permission: corePermissions['tenant.manage'],
  schema: { params: DomainParams, response: Domain },
  deps: { database: kernelRefs.database, tenants: kernelRefs.tenants },
  errors: [coreErrors.domain_not_verified],
  async handler({ db, params, deps, tenant, audit }) {
    // Read in a short transaction of its own, so no pooled connection waits on DNS.
    const found = await runInTenant(deps.database, tenant.id, (scoped) =>
      scoped.one<DomainRow>(`select ${domainColumns} from tenant_domains where id = $1`, [params.id]),
    );
    if (!found) throw new NotFoundError('Domain not found');
    if (found.verified) return presentDomain(found);
    if (!(await hasVerificationRecord(found.domain, found.verification_token))) {
      throw coreErrors.domain_not_verified(
        `No TXT record "${verificationRecord(found.verification_token)}" found on ${found.domain}; add it at your DNS provider and try again (changes can take a while to appear)`,
      );
    }
    const [row] = await db.query<DomainRow>(`update tenant_domains set verified = true, updated_at = now() where id = $1 returning ${domainColumns}`, [
      params.id,
    ]);
    if (!row) throw new NotFoundError('Domain not found');
    await audit({ action: 'domain.verified', targetType: 'domain', targetId: row.id, data: { domain: row.domain } });
    db.afterCommit(() => deps.tenants.forget(tenant, [row.domain]));
    return presentDomain(row);
  },
});

export const removeDomain = defineRoute({
  method: 'DELETE',
  path: '/tenant/domains/:id',
  summary: 'Release a custom domain',
  tag: 'tenancy',
  permission: corePermissions['tenant.manage'],
  schema: { params: DomainParams, response: NoContent },
  deps: { tenants: kernelRefs.tenants },
  errors: [],
  async handler({ db, params, deps, tenant, audit }) {
    const [row] = await db.query<{ id: string; domain: string }>('delete from tenant_domains where id = $1 returning id, domain', [params.id]);
    if (!row) throw new NotFoundError('Domain not found');
    await audit({ action: 'domain.removed', targetType: 'domain', targetId: row.id, data: { domain: row.domain } });
    db.afterCommit(() => deps.tenants.forget(tenant, [row.domain]));
    return Reply.noContent();
  },
});

/** Routes for custom domains. */
export const domainRoutes: CoreRoute[] = [listDomains, addDomain, verifyDomain, removeDomain];
