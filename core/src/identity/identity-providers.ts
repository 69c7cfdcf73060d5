import { recordHostAudit, type AuditActor } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { OidcRefusal, type ProviderClient, type VerifiedClaims } from './oidc-flows.js';

/** The kinds of host provider: any OpenID provider, and presets. */
export type ProviderKind = 'oidc' | 'google' | 'microsoft' | 'github';
export const providerKinds: readonly ProviderKind[] = ['oidc', 'google', 'microsoft', 'github'];

/** What a preset fills in when the host leaves it out. */
export const providerPresets: Record<ProviderKind, { issuer: string | null; scopes: string[]; name: string }> = {
  oidc: { issuer: null, scopes: ['openid', 'email', 'profile'], name: 'OpenID Connect' },
  google: { issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'], name: 'Google' },
  // `common` takes work, school and personal accounts; a directory's id (or `organizations`) narrows it.
  microsoft: { issuer: 'https://login.microsoftonline.com/common/v2.0', scopes: ['openid', 'email', 'profile'], name: 'Microsoft' },
  github: { issuer: 'https://github.com', scopes: ['read:user', 'user:email'], name: 'GitHub' },
};

/** A slug: lower-case, starts with a letter, 2–31 characters; `sso-…` is reserved for tenants' single sign-on. */
export const providerSlugPattern = '^(?!sso-)[a-z][a-z0-9-]{1,30}$';

export interface ProviderRow {
  id: string;
  slug: string;
  kind: ProviderKind;
  name: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string | null;
  scopes: string[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The enabled host provider with this slug, as the engine needs it (system path). */
export async function hostProviderClient(
  db: ScopedDb,
  services: Pick<KernelServices, 'secretBox'>,
  slug: string,
): Promise<{ id: string; client: ProviderClient } | undefined> {
  const row = await db.one<ProviderRow>('select * from identity_providers where slug = $1 and enabled', [slug]);
  if (!row) return undefined;
  return {
    id: row.id,
    client: {
      key: row.slug,
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecret: row.client_secret_enc ? services.secretBox.open(row.client_secret_enc) : null,
      scopes: row.scopes,
      protocol: row.kind === 'github' ? 'github' : 'oidc',
    },
  };
}

interface AccountRow {
  id: string;
  status: string;
  email_verified_at: Date | null;
}

/**
 * Signs in through a host provider, once its answer is verified (system path, inside the transaction that rolls back
 * on refusal). The person is: the user holding this identity; or, the first time, the account with the provider's
 * email, linked only when the provider says the email is verified AND the account has its email verified (no
 * takeover through an address the provider never checked); or a new account (no password, email verified) — only
 * for a verified provider email too, so nobody can pre-create an account for someone else's address.
 */
export async function signInThroughHost(db: ScopedDb, providerId: string, claims: VerifiedClaims, actor: AuditActor): Promise<{ userId: string }> {
  const known = await db.one<{ id: string; user_id: string }>('select id, user_id from user_identities where provider_id = $1 and subject = $2', [
    providerId,
    claims.subject,
  ]);
  let userId: string;
  if (known) {
    const user = await db.one<AccountRow>('select id, status, email_verified_at from users where id = $1', [known.user_id]);
    if (!user || user.status !== 'active') throw new OidcRefusal('account_disabled', 'This account is disabled');
    await db.query('update user_identities set last_used_at = now(), email = coalesce($2, email) where id = $1', [known.id, claims.email]);
    userId = user.id;
  } else {
    if (!claims.email) throw new OidcRefusal('email_missing', 'The identity provider gave no email address');
    if (!claims.emailVerified) throw new OidcRefusal('email_unverified', 'The identity provider has not verified this email address');
    const existing = await db.one<AccountRow>('select id, status, email_verified_at from users where lower(email) = $1 for update', [claims.email]);
    if (existing) {
      if (!existing.email_verified_at) {
        throw new OidcRefusal('account_unverified', 'An account with this email exists but its email is not verified; verify it, or sign in and link');
      }
      if (existing.status !== 'active') throw new OidcRefusal('account_disabled', 'This account is disabled');
      userId = existing.id;
      await insertIdentity(db, userId, providerId, claims);
      await recordHostAudit(
        db,
        { ...actor, userId },
        { action: 'auth.oidc.linked', targetType: 'user', targetId: userId, data: { provider: claims.providerKey, by: 'email' } },
      );
    } else {
      const created = await db.one<{ id: string }>(
        `insert into users (email, name, password_hash, email_verified_at) values ($1, $2, null, now()) on conflict do nothing returning id`,
        [claims.email, displayName(claims)],
      );
      if (!created) throw new OidcRefusal('account_exists', 'An account with this email was created at the same time; try again');
      userId = created.id;
      await insertIdentity(db, userId, providerId, claims);
      await recordHostAudit(
        db,
        { ...actor, userId },
        { action: 'auth.registered', targetType: 'user', targetId: userId, data: { method: 'oidc', provider: claims.providerKey } },
      );
    }
  }
  await recordHostAudit(
    db,
    { ...actor, userId },
    { action: 'auth.login.succeeded', targetType: 'user', targetId: userId, data: { method: 'oidc', provider: claims.providerKey } },
  );
  return { userId };
}

/** Links an identity to a signed-in user: refused (`identity_taken`) when it is someone else's. */
export async function linkHostIdentity(db: ScopedDb, providerId: string, userId: string, claims: VerifiedClaims, actor: AuditActor): Promise<void> {
  const known = await db.one<{ id: string; user_id: string }>('select id, user_id from user_identities where provider_id = $1 and subject = $2', [
    providerId,
    claims.subject,
  ]);
  if (known && known.user_id !== userId) throw new OidcRefusal('identity_taken', 'This account at the provider is linked to another user');
  const user = await db.one<AccountRow>('select id, status, email_verified_at from users where id = $1', [userId]);
  if (!user || user.status !== 'active') throw new OidcRefusal('account_disabled', 'This account is disabled');
  if (known) {
    await db.query('update user_identities set last_used_at = now(), email = coalesce($2, email) where id = $1', [known.id, claims.email]);
    return;
  }
  await insertIdentity(db, userId, providerId, claims);
  await recordHostAudit(
    db,
    { ...actor, userId },
    { action: 'auth.oidc.linked', targetType: 'user', targetId: userId, data: { provider: claims.providerKey, by: 'user' } },
  );
}

async function insertIdentity(db: ScopedDb, userId: string, providerId: string, claims: VerifiedClaims): Promise<void> {
  const inserted = await db.query(
    `insert into user_identities (user_id, provider_id, subject, email, last_used_at) values ($1, $2, $3, $4, now())
     on conflict do nothing returning id`,
    [userId, providerId, claims.subject, claims.email],
  );
  if (inserted.length === 0) throw new OidcRefusal('identity_taken', 'This account at the provider is linked to another user');
}

function displayName(claims: VerifiedClaims): string {
  const email = claims.email ?? '';
  return (claims.name?.trim() || email.slice(0, Math.max(0, email.indexOf('@'))) || 'User').slice(0, 120);
}

/**
 * Whether a user keeps a way to sign in without the identity `exceptIdentityId`: a password, another identity (host or
 * tenant), or a passkey (the `passkeys` table, when its migration has run).
 */
export async function hasOtherSignInMethod(db: ScopedDb, userId: string, exceptIdentityId: string): Promise<boolean> {
  const row = await db.one<{ password: boolean; identities: number; passkeys_table: boolean }>(
    `select u.password_hash is not null as password,
            (select count(*)::int from user_identities i where i.user_id = u.id and i.id <> $2) as identities,
            to_regclass('passkeys') is not null as passkeys_table
       from users u where u.id = $1`,
    [userId, exceptIdentityId],
  );
  if (!row) return false;
  if (row.password || row.identities > 0) return true;
  if (!row.passkeys_table) return false;
  const passkey = await db.one('select 1 from passkeys where user_id = $1 limit 1', [userId]);
  return passkey !== undefined;
}
