import { randomBytes } from 'node:crypto';
import { commonErrors, ConflictError, isUniqueViolation, NotFoundError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runInTenant, type ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { Exact, NoContent, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { corePermissions } from '../rbac/permissions.js';
import { hasVerificationRecord, verificationRecord } from '../tenancy/domain-verification.js';
import { issuerProblem } from './tenant-sso-issuer.js';
import { ssoRedirectUri, ssoRouteForEmail, ssoStartUrl } from './tenant-sso.js';

interface ConfigRow {
  issuer: string;
  client_id: string;
  has_secret: boolean;
  password_allowed: boolean;
  default_role_id: string | null;
  enabled: boolean;
  updated_at: Date;
}

interface DomainRow {
  domain: string;
  verification_token: string;
  verified_at: Date | null;
}

const configColumns = 'issuer, client_id, client_secret_enc is not null as has_secret, password_allowed, default_role_id, enabled, updated_at';
const domainColumns = 'domain, verification_token, verified_at';

const SsoDomain = Exact({
  domain: Type.String(),
  verified: Type.Boolean(),
  verified_at: Nullable(Timestamp),
  verification: Exact(
    { type: Type.Literal('TXT'), name: Type.String(), value: Type.String() },
    { description: 'The DNS record on the domain that proves the tenant controls it' },
  ),
});

const SsoConfig = Exact({
  configured: Type.Boolean({ description: 'Whether the tenant has saved a configuration (false: every other field is its default)' }),
  issuer: Nullable(Type.String()),
  client_id: Nullable(Type.String()),
  has_secret: Type.Boolean({ description: 'A client secret is stored (it is never shown again)' }),
  domains: Type.Array(SsoDomain),
  password_allowed: Type.Boolean(),
  default_role_id: Nullable(Uuid, { description: 'The role new members get; null: the built-in member role' }),
  enabled: Type.Boolean(),
  redirect_uri: Type.String({ description: 'The redirect URI to register at the identity provider' }),
  start_url: Type.String({ description: 'Where a browser starts signing in through the provider (a "Test sign-in" link)' }),
  updated_at: Nullable(Timestamp),
});

function presentDomain(row: DomainRow) {
  return {
    domain: row.domain,
    verified: row.verified_at !== null,
    verified_at: row.verified_at?.toISOString() ?? null,
    verification: { type: 'TXT' as const, name: row.domain, value: verificationRecord(row.verification_token) },
  };
}

async function readConfig(db: ScopedDb, publicUrl: string, slug: string) {
  const config = await db.one<ConfigRow>(`select ${configColumns} from tenant_sso`);
  const domains = config ? await db.query<DomainRow>(`select ${domainColumns} from tenant_sso_domains order by domain`) : [];
  return {
    configured: config !== undefined,
    issuer: config?.issuer ?? null,
    client_id: config?.client_id ?? null,
    has_secret: config?.has_secret ?? false,
    domains: domains.map(presentDomain),
    password_allowed: config?.password_allowed ?? true,
    default_role_id: config?.default_role_id ?? null,
    enabled: config?.enabled ?? false,
    redirect_uri: ssoRedirectUri(publicUrl, slug),
    start_url: ssoStartUrl(publicUrl, slug),
    updated_at: config?.updated_at.toISOString() ?? null,
  };
}

/** A lower-case domain of at least two labels whose last label starts with a letter (as custom domains). */
const domainPattern = '^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const DomainName = Type.String({ pattern: domainPattern, description: 'a lower-case email domain, e.g. `school.example`' });

export const getTenantSso = defineRoute({
  method: 'GET',
  path: '/tenant/sso',
  summary: "The tenant's single sign-on: its identity provider, email domains (with their DNS records), password policy and new members' role",
  tag: 'identity',
  permission: corePermissions['sso.manage'],
  schema: { response: SsoConfig },
  deps: { publicUrl: kernelRefs.publicUrl },
  errors: [],
  async handler({ db, deps, tenant }) {
    return readConfig(db, deps.publicUrl(), tenant.slug);
  },
});

export const putTenantSso = defineRoute({
  method: 'PUT',
  path: '/tenant/sso',
  summary:
    "Configure the tenant's single sign-on; the issuer's OpenID discovery is checked (422 on `issuer`). `client_secret` is write-only: left out, the stored one stays; null removes it",
  tag: 'identity',
  permission: corePermissions['sso.manage'],
  schema: {
    body: Type.Object(
      {
        issuer: Type.String({ minLength: 1, maxLength: 500, description: 'The issuer identifier, e.g. `https://login.school.example`' }),
        client_id: Type.String({ minLength: 1, maxLength: 300, pattern: '^\\S+$' }),
        client_secret: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2000 }))),
        domains: Type.Array(DomainName, { maxItems: 20, uniqueItems: true }),
        password_allowed: Type.Optional(Type.Boolean({ default: true })),
        default_role_id: Type.Optional(Nullable(Uuid)),
        enabled: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    response: SsoConfig,
  },
  deps: { httpClient: kernelRefs.httpClient, publicUrl: kernelRefs.publicUrl, secretBox: kernelRefs.secretBox },
  errors: [commonErrors.conflict],
  async handler({ db, body, deps, tenant, audit }) {
    const issuer = body.issuer.trim();
    // Before the transaction opens: no pooled connection waits on the provider.
    const problem = await issuerProblem(deps.httpClient, issuer, body.client_id);
    if (problem) throw new ValidationError({ issuer: [problem] });
    if (body.default_role_id) {
      const role = await db.one<{ builtin: string | null }>('select builtin from roles where id = $1', [body.default_role_id]);
      if (!role) throw new ValidationError({ default_role_id: ['names a role that does not exist'] });
      if (role.builtin === 'owner' || role.builtin === 'customer') {
        throw new ValidationError({ default_role_id: ['must not be the owner or customer role'] });
      }
    }

    const secret = body.client_secret === undefined ? undefined : body.client_secret === null ? null : deps.secretBox.seal(body.client_secret);
    const before = await db.one<{ issuer: string }>('select issuer from tenant_sso for update');
    await db.query(
      `insert into tenant_sso (issuer, client_id, client_secret_enc, domains, password_allowed, default_role_id, enabled, issuer_set_at)
       values ($1, $2, $3, $4, $5, $6, $7, now())
       on conflict (tenant_id) do update set issuer = excluded.issuer, client_id = excluded.client_id,
         client_secret_enc = case when $8 then excluded.client_secret_enc else tenant_sso.client_secret_enc end,
         domains = excluded.domains, password_allowed = excluded.password_allowed, default_role_id = excluded.default_role_id,
         enabled = excluded.enabled, updated_at = now(),
         issuer_set_at = case when tenant_sso.issuer = excluded.issuer then tenant_sso.issuer_set_at else now() end`,
      [issuer, body.client_id, secret ?? null, body.domains, body.password_allowed ?? true, body.default_role_id ?? null, body.enabled, secret !== undefined],
    );
    await db.query('delete from tenant_sso_domains where domain <> all($1::text[])', [body.domains]);
    for (const domain of body.domains) {
      await db.query('insert into tenant_sso_domains (domain, verification_token) values ($1, $2) on conflict (tenant_id, domain) do nothing', [
        domain,
        randomBytes(16).toString('hex'),
      ]);
    }
    await audit({
      action: before ? 'sso.updated' : 'sso.configured',
      targetType: 'tenant',
      targetId: tenant.id,
      data: {
        issuer,
        client_id: body.client_id,
        domains: body.domains,
        password_allowed: body.password_allowed ?? true,
        default_role_id: body.default_role_id ?? null,
        enabled: body.enabled,
        ...(secret !== undefined ? { secret: secret === null ? 'removed' : 'changed' } : {}),
        ...(before && before.issuer !== issuer ? { previous_issuer: before.issuer } : {}),
      },
    });
    return readConfig(db, deps.publicUrl(), tenant.slug);
  },
});

export const deleteTenantSso = defineRoute({
  method: 'DELETE',
  path: '/tenant/sso',
  summary: "Remove the tenant's single sign-on (its domains' verifications too); members keep their accounts and sign in as before it",
  tag: 'identity',
  permission: corePermissions['sso.manage'],
  schema: { response: NoContent },
  errors: [commonErrors.not_found],
  async handler({ db, tenant, audit }) {
    const [removed] = await db.query<{ issuer: string }>('delete from tenant_sso returning issuer');
    if (!removed) throw new NotFoundError('Single sign-on is not configured');
    await db.query('delete from tenant_sso_domains');
    await audit({ action: 'sso.removed', targetType: 'tenant', targetId: tenant.id, data: { issuer: removed.issuer } });
    return Reply.noContent();
  },
});

export const verifySsoDomain = defineRoute({
  method: 'POST',
  path: '/tenant/sso/domains/:domain/verify',
  summary: 'Check the DNS TXT record `plinth-verification=<token>` on an email domain of the single sign-on and mark it verified',
  tag: 'identity',
  permission: corePermissions['sso.manage'],
  schema: { params: Type.Object({ domain: Type.String({ maxLength: 253 }) }), response: SsoDomain },
  deps: { database: kernelRefs.database },
  errors: [coreErrors.domain_not_verified, commonErrors.conflict],
  async handler({ db, params, deps, tenant, audit }) {
    const domain = params.domain.toLowerCase();
    // Read in a short transaction of its own, so no pooled connection waits on DNS.
    const found = await runInTenant(deps.database, tenant.id, (scoped) =>
      scoped.one<DomainRow>(`select ${domainColumns} from tenant_sso_domains where domain = $1`, [domain]),
    );
    if (!found) throw new NotFoundError('Domain not found');
    if (found.verified_at) return presentDomain(found);
    if (!(await hasVerificationRecord(found.domain, found.verification_token))) {
      throw coreErrors.domain_not_verified(
        `No TXT record "${verificationRecord(found.verification_token)}" found on ${found.domain}; add it at your DNS provider and try again (changes can take a while to appear)`,
      );
    }
    let row: DomainRow | undefined;
    try {
      row = await db.one<DomainRow>(`update tenant_sso_domains set verified_at = now(), updated_at = now() where domain = $1 returning ${domainColumns}`, [
        domain,
      ]);
    } catch (error) {
      if (isUniqueViolation(error, 'tenant_sso_domains_verified_unique')) {
        throw new ConflictError('This domain is verified by another organisation', { errors: { domain: ['is verified by another organisation'] } });
      }
      throw error;
    }
    if (!row) throw new NotFoundError('Domain not found');
    await audit({ action: 'sso.domain_verified', targetType: 'domain', targetId: row.domain, data: { domain: row.domain } });
    return presentDomain(row);
  },
});

export const discoverSso = defineRoute({
  method: 'POST',
  path: '/auth/sso/discover',
  summary:
    "Whether an email's domain signs in through an organisation's single sign-on (a verified domain of an enabled configuration). Says nothing about accounts or members",
  tag: 'auth',
  public: true,
  rateLimit: { per: 'ip', max: 30, windowSeconds: 900 },
  schema: {
    body: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }) }, { additionalProperties: false }),
    response: Exact({
      sso: Nullable(
        Exact({
          tenant: Exact({ slug: Type.String(), name: Type.String() }),
          start_url: Type.String(),
          password_allowed: Type.Boolean({ description: 'false: members of the organisation must sign in through its provider' }),
        }),
      ),
    }),
  },
  deps: { publicUrl: kernelRefs.publicUrl },
  errors: [],
  async handler({ db, body, deps }) {
    const route = await ssoRouteForEmail(db, body.email);
    if (!route) return { sso: null };
    return {
      sso: { tenant: { slug: route.slug, name: route.name }, start_url: ssoStartUrl(deps.publicUrl(), route.slug), password_allowed: route.passwordAllowed },
    };
  },
});

/** Routes of a tenant's single sign-on, and discovery for the sign-in page. */
export const tenantSsoRoutes: CoreRoute[] = [getTenantSso, putTenantSso, deleteTenantSso, verifySsoDomain, discoverSso];
