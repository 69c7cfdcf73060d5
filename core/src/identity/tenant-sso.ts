import { recordHostAudit, recordTenantAudit, type AuditActor } from '../audit/audit.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import { emitEvent } from '../events/outbox.js';
import { coreErrors } from '../http/core-errors.js';
import type { KernelServices } from '../kernel.js';
import { OidcRefusal, type ProviderClient, type VerifiedClaims } from './oidc-flows.js';

/**
 * A tenant's own single sign-on (issue 23): its OpenID provider answers for the email domains the tenant proved it
 * controls. The flow itself (state, nonce, PKCE, the `id_token` checks) is the OpenID Connect engine's
 * (`oidc-flows.ts`); it resolves a provider key `sso-<tenant slug>` through {@link tenantSsoClient} and completes
 * the sign-in through {@link signInThroughTenant}. Every function here runs on the system path.
 */

/** The provider key of a tenant's single sign-on in the flow routes (`/auth/oidc/sso-<slug>/start`). */
export function ssoProviderKey(tenantSlug: string): string {
  return `sso-${tenantSlug}`;
}

/** The tenant slug a provider key names, when it is a tenant's single sign-on. */
export function tenantSlugOfKey(providerKey: string): string | undefined {
  return providerKey.startsWith('sso-') ? providerKey.slice(4) : undefined;
}

/** Where a browser starts signing in through the tenant's provider. */
export function ssoStartUrl(publicUrl: string, tenantSlug: string): string {
  return `${publicUrl}/api/v1/auth/oidc/${ssoProviderKey(tenantSlug)}/start`;
}

/** The redirect URI the tenant registers at its provider. */
export function ssoRedirectUri(publicUrl: string, tenantSlug: string): string {
  return `${publicUrl}/api/v1/auth/oidc/${ssoProviderKey(tenantSlug)}/callback`;
}

/** The domain of an email address, lower-case ('' when there is none). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).toLowerCase();
}

/** The scopes asked of a tenant's provider. */
const ssoScopes = ['openid', 'email', 'profile'];

/** The tenant's provider as the flow engine needs it, when its single sign-on is on and the tenant active. */
export async function tenantSsoClient(db: ScopedDb, services: Pick<KernelServices, 'secretBox'>, tenantSlug: string): Promise<ProviderClient | undefined> {
  const row = await db.one<{ issuer: string; client_id: string; client_secret_enc: string | null }>(
    `select s.issuer, s.client_id, s.client_secret_enc from tenant_sso s join tenants t on t.id = s.tenant_id
      where t.slug = $1 and s.enabled and t.status = 'active'`,
    [tenantSlug],
  );
  if (!row) return undefined;
  return {
    key: ssoProviderKey(tenantSlug),
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: row.client_secret_enc ? services.secretBox.open(row.client_secret_enc) : null,
    scopes: ssoScopes,
    protocol: 'oidc',
  };
}

/** Where an email's domain signs in: the tenant whose enabled single sign-on verified it. */
export interface SsoRoute {
  tenantId: string;
  slug: string;
  name: string;
  passwordAllowed: boolean;
}

/**
 * The tenant an email's domain is routed to (a verified domain of an enabled configuration of an active tenant), or
 * undefined. Says nothing about whether the email belongs to anyone.
 */
export async function ssoRouteForEmail(db: ScopedDb, email: string): Promise<SsoRoute | undefined> {
  const domain = emailDomain(email);
  if (!domain) return undefined;
  const row = await db.one<{ tenant_id: string; slug: string; name: string; password_allowed: boolean }>(
    `select t.id as tenant_id, t.slug, t.name, s.password_allowed
       from tenant_sso_domains d
       join tenant_sso s on s.tenant_id = d.tenant_id and s.enabled
       join tenants t on t.id = d.tenant_id and t.status = 'active'
      where d.domain = $1 and d.verified_at is not null`,
    [domain],
  );
  return row ? { tenantId: row.tenant_id, slug: row.slug, name: row.name, passwordAllowed: row.password_allowed } : undefined;
}

/**
 * The tenant whose single sign-on replaces this user's password: the user's email domain is routed to a tenant
 * that turned passwords off, and the user is on its staff. Host operators are never held to a tenant's rule (a
 * tenant must not be able to lock the host out); customers sign in on the tenant's pages, not with a password here.
 */
export async function ssoRequiredFor(db: ScopedDb, user: { id: string; email: string; is_super_admin: boolean }): Promise<SsoRoute | undefined> {
  if (user.is_super_admin) return undefined;
  const route = await ssoRouteForEmail(db, user.email);
  if (!route || route.passwordAllowed) return undefined;
  const member = await db.one("select 1 from memberships where tenant_id = $1 and user_id = $2 and kind = 'staff'", [route.tenantId, user.id]);
  return member ? route : undefined;
}

/**
 * Refuses a password (signing in with one, or setting one by a reset link) to a user whose organisation requires its
 * single sign-on: `403 sso_required` with `errors['sso.start_url']`, audited (`auth.sso.refused`) in a transaction of
 * its own, since the request's rolls back. Call it only once the password (or reset token) proved right, so the
 * answer tells nothing to someone who does not hold it.
 */
export async function refuseUnlessPasswordAllowed(
  db: ScopedDb,
  services: Pick<KernelServices, 'database' | 'publicUrl'>,
  user: { id: string; email: string; is_super_admin: boolean },
  actor: AuditActor,
  via: 'login' | 'password_reset',
): Promise<void> {
  const route = await ssoRequiredFor(db, user);
  if (!route) return;
  await runAsSystem(services.database, (system) =>
    recordHostAudit(
      system,
      { ...actor, userId: user.id },
      {
        action: 'auth.sso.refused',
        targetType: 'user',
        targetId: user.id,
        tenantId: route.tenantId,
        data: { reason: 'password_not_allowed', via, tenant: route.slug },
      },
    ),
  );
  throw coreErrors.sso_required(`Your organisation ${route.name} signs you in with single sign-on; continue with its identity provider`, {
    errors: { 'sso.start_url': [ssoStartUrl(services.publicUrl(), route.slug)], 'sso.tenant': [route.slug] },
  });
}

interface TenantConfigRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  default_role_id: string | null;
  issuer_set_at: Date;
}

interface AccountRow {
  id: string;
  email: string;
  name: string;
  status: string;
  email_verified_at: Date | null;
}

/**
 * Completes a sign-in through a tenant's provider, once the engine has validated the `id_token`. The person is the
 * user who holds this identity (tenant, subject); or, on a first sign-in, the account with the identity's email, linked
 * when both the provider and the account have it verified; or a new account (no password; its email counts as
 * verified: the tenant proved by DNS that it controls the domain, and its provider vouches for the person). Only
 * emails of the tenant's verified domains may arrive for the first time. The user ends up a staff member of the
 * tenant (with the configured role), within the members quota. Refusals throw {@link OidcRefusal}; the caller's
 * transaction rolls back, so nothing is linked or created.
 */
export async function signInThroughTenant(
  db: ScopedDb,
  services: Pick<KernelServices, 'tenantAccess' | 'jobs' | 'logger' | 'entitlements'>,
  tenantSlug: string,
  claims: VerifiedClaims,
  actor: AuditActor = {},
): Promise<{ userId: string }> {
  const tenant = await db.one<TenantConfigRow>(
    `select t.id, t.slug, t.name, t.status, s.default_role_id, s.issuer_set_at
       from tenants t join tenant_sso s on s.tenant_id = t.id and s.enabled
      where t.slug = $1`,
    [tenantSlug],
  );
  if (!tenant) throw new OidcRefusal('not_allowed', 'This organisation does not offer single sign-on');
  if (tenant.status !== 'active') throw new OidcRefusal('tenant_suspended', 'This organisation is suspended');

  const email = claims.email?.trim().toLowerCase() || null;
  let user: AccountRow | undefined;
  let newAccount = false;
  // Identities linked under an earlier issuer were another provider's subjects: they no longer name anyone.
  await db.query('delete from user_identities where sso_tenant_id = $1 and created_at < $2', [tenant.id, tenant.issuer_set_at]);
  const known = await db.one<{ id: string; user_id: string }>('select id, user_id from user_identities where sso_tenant_id = $1 and subject = $2', [
    tenant.id,
    claims.subject,
  ]);
  if (known) {
    user = await db.one<AccountRow>('select id, email, name, status, email_verified_at from users where id = $1', [known.user_id]);
    if (!user) throw new OidcRefusal('not_allowed', 'This account no longer exists');
    if (user.status !== 'active') throw new OidcRefusal('account_disabled', 'This account is disabled');
    await db.query('update user_identities set last_used_at = now(), email = coalesce($2, email) where id = $1', [known.id, email]);
  } else {
    if (!email) throw new OidcRefusal('not_allowed', 'The identity provider gave no email address');
    const verifiedDomain = await db.one('select 1 from tenant_sso_domains where tenant_id = $1 and domain = $2 and verified_at is not null', [
      tenant.id,
      emailDomain(email),
    ]);
    if (!verifiedDomain) throw new OidcRefusal('not_allowed', 'This email address is not in a verified domain of the organisation');
    user = await db.one<AccountRow>('select id, email, name, status, email_verified_at from users where lower(email) = $1 for update', [email]);
    if (user) {
      // No takeover: an existing account is joined only when the provider and the account both have the email verified.
      if (!claims.emailVerified) throw new OidcRefusal('email_unverified', 'The identity provider has not verified this email address');
      if (!user.email_verified_at) {
        throw new OidcRefusal('account_unverified', 'An account with this email exists but its email is not verified; verify it, then try again');
      }
      if (user.status !== 'active') throw new OidcRefusal('account_disabled', 'This account is disabled');
    } else {
      user = await db.one<AccountRow>(
        `insert into users (email, name, password_hash, email_verified_at) values ($1, $2, null, now())
         on conflict do nothing returning id, email, name, status, email_verified_at`,
        [email, (claims.name?.trim() || email.slice(0, email.indexOf('@'))).slice(0, 120)],
      );
      if (!user) throw new OidcRefusal('not_allowed', 'An account with this email was created at the same time; try again');
      newAccount = true;
    }
    await db.query('insert into user_identities (user_id, sso_tenant_id, subject, email, last_used_at) values ($1, $2, $3, $4, now())', [
      user.id,
      tenant.id,
      claims.subject,
      email,
    ]);
    const who = { ...actor, userId: user.id };
    if (newAccount)
      await recordHostAudit(db, who, { action: 'auth.registered', targetType: 'user', targetId: user.id, tenantId: tenant.id, data: { method: 'sso' } });
    else
      await recordHostAudit(db, who, {
        action: 'auth.sso.linked',
        targetType: 'user',
        targetId: user.id,
        tenantId: tenant.id,
        data: { issuer: claims.issuer },
      });
    if (newAccount) await emitEvent(db, services, tenant.id, 'core.user.registered', { userId: user.id, email: user.email, name: user.name }, 'core');
  }

  await ensureStaffMembership(db, services, tenant, user, newAccount, { ...actor, userId: user.id });
  return { userId: user.id };
}

/** Makes the user a staff member of the tenant with the configured role, unless they are one already (just-in-time membership). */
async function ensureStaffMembership(
  db: ScopedDb,
  services: Pick<KernelServices, 'tenantAccess' | 'jobs' | 'logger' | 'entitlements'>,
  tenant: TenantConfigRow,
  user: AccountRow,
  newAccount: boolean,
  actor: AuditActor,
): Promise<void> {
  const existing = await db.one<{ id: string; kind: string }>('select id, kind from memberships where tenant_id = $1 and user_id = $2 for update', [
    tenant.id,
    user.id,
  ]);
  if (existing?.kind === 'staff') return;
  // Locking the tenant row serialises joins (not every sign-in), so concurrent ones cannot overshoot the members quota.
  // `no key update`: the rows this sign-in already wrote (its identity) hold a key-share lock on the tenant through
  // their foreign key; a plain `for update` would wait on the other sign-in's, and it on ours: a deadlock.
  await db.query('select 1 from tenants where id = $1 for no key update', [tenant.id]);
  // The members limit in effect: the plan's, or a host administrator's override (docs/billing.md).
  const limit = (await services.entitlements.limitsOf(tenant.id)).members ?? Infinity;
  const members = await db.one<{ count: number }>("select count(*)::int as count from memberships where tenant_id = $1 and kind = 'staff'", [tenant.id]);
  if ((members?.count ?? 0) >= limit) {
    throw new OidcRefusal('member_limit', `This organisation has reached its limit of ${limit} members; ask an administrator to make room`);
  }
  let membershipId: string;
  if (existing) {
    // A customer joins the staff: the customer role goes (ADR 0007).
    await db.query("update memberships set kind = 'staff', updated_at = now() where id = $1", [existing.id]);
    await db.query('delete from membership_roles where membership_id = $1', [existing.id]);
    membershipId = existing.id;
  } else {
    const created = await db.one<{ id: string }>('insert into memberships (tenant_id, user_id) values ($1, $2) returning id', [tenant.id, user.id]);
    membershipId = created!.id;
  }
  // The configured role, unless it was deleted (or is one staff may not get by default): then the built-in member role.
  const role = await db.one<{ id: string; name: string }>(
    `select id, name from roles where tenant_id = $1
        and ((id = $2 and builtin is distinct from 'owner' and builtin is distinct from 'customer') or builtin = 'member')
      order by (id = $2) desc nulls last limit 1`,
    [tenant.id, tenant.default_role_id],
  );
  if (role) await db.query('insert into membership_roles (tenant_id, membership_id, role_id) values ($1, $2, $3)', [tenant.id, membershipId, role.id]);
  await recordTenantAudit(
    db,
    actor,
    {
      action: 'sso.member_joined',
      targetType: 'user',
      targetId: user.id,
      data: { user_id: user.id, email: user.email, roles: role ? [role.name] : [], new_account: newAccount },
    },
    tenant.id,
  );
  const joined = { userId: user.id, email: user.email, name: user.name, roles: role ? [role.name] : [] };
  await emitEvent(db, services, tenant.id, 'core.member.joined', joined, 'core');
  db.afterCommit(() => services.tenantAccess.forget(tenant.id, [user.id]));
}
