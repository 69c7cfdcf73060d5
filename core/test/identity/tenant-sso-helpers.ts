import { expect } from 'vitest';
import { setTxtLookupForTests } from '../../src/tenancy/domain-verification.js';
import type { OidcPeer } from '../../src/testing/oidc-peer.js';
import { signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem } from '../isolation/fixtures.js';

let counter = 0;

/** A unique email domain for one test (a lower-case name the API accepts). */
export function uniqueDomain(label = 'school'): string {
  return `${label}-${process.pid}-${++counter}.example`;
}

/** TXT records the tests publish (DNS cannot be written from a test): domain → record values. */
const published = new Map<string, string[]>();

/** Answers TXT lookups from {@link publish}; returns the restore function. */
export function fakeDns(): () => void {
  return setTxtLookupForTests(async (domain) => {
    const values = published.get(domain);
    if (!values) throw Object.assign(new Error(`queryTxt ENODATA ${domain}`), { code: 'ENODATA' });
    return values.map((value) => [value]);
  });
}

/** Publishes a TXT record on a domain. */
export function publish(domain: string, value: string): void {
  published.set(domain, [...(published.get(domain) ?? []), value]);
}

/** Signs up a user with this email, its address verified (as a verification link would). */
export async function verifiedUser(t: TestKernel, email: string): Promise<TestUser> {
  const user = await signUp(t, { email });
  await t.sql('update users set email_verified_at = coalesce(email_verified_at, now()) where id = $1', [user.id]);
  return user;
}

/** A user with this email who is a staff member of the owner's tenant with the built-in roles. */
export async function memberWithEmail(t: TestKernel, owner: TestUser, email: string, roles: string[] = ['member']): Promise<TestUser> {
  const user = await verifiedUser(t, email);
  await asSystem(t, async (db) => {
    const [membership] = await db.query<{ id: string }>('insert into memberships (tenant_id, user_id) values ($1, $2) returning id', [
      owner.tenant!.id,
      user.id,
    ]);
    await db.query(
      `insert into membership_roles (tenant_id, membership_id, role_id)
       select $1, $2, id from roles where tenant_id = $1 and builtin = any($3::text[])`,
      [owner.tenant!.id, membership!.id, roles],
    );
  });
  await t.kernel.services.tenantAccess.forget(owner.tenant!.id, [user.id]);
  return { ...user, tenant: owner.tenant!, headers: { ...user.headers, 'x-tenant': owner.tenant!.slug } };
}

export interface SsoSettings {
  domains: string[];
  password_allowed?: boolean;
  default_role_id?: string | null;
  enabled?: boolean;
  /** Domains to publish the TXT record for and verify (default: all of `domains`). */
  verify?: string[];
}

/**
 * Configures the owner's tenant to sign in through `peer` (client `sso-<slug>` registered there with the redirect URI
 * the API gives), publishes the TXT records and verifies the domains. Returns the configuration as the API answers it.
 */
export async function configureSso(t: TestKernel, owner: TestUser, peer: OidcPeer, settings: SsoSettings) {
  const clientId = `plinth-${owner.tenant!.slug}`;
  const clientSecret = `secret-${owner.tenant!.slug}`;
  const saved = await t.request('PUT', '/api/v1/tenant/sso', {
    headers: owner.headers,
    body: {
      issuer: peer.issuer,
      client_id: clientId,
      client_secret: clientSecret,
      domains: settings.domains,
      password_allowed: settings.password_allowed ?? true,
      default_role_id: settings.default_role_id ?? null,
      enabled: settings.enabled ?? true,
    },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  peer.addClient({ client_id: clientId, client_secret: clientSecret, redirect_uris: [saved.body.data.redirect_uri] });
  for (const domain of settings.verify ?? settings.domains) {
    const entry = (saved.body.data.domains as { domain: string; verification: { value: string } }[]).find((d) => d.domain === domain)!;
    publish(domain, entry.verification.value);
    const verified = await t.request('POST', `/api/v1/tenant/sso/domains/${domain}/verify`, { headers: owner.headers });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  }
  const config = await t.request('GET', '/api/v1/tenant/sso', { headers: owner.headers });
  return config.body.data as {
    redirect_uri: string;
    start_url: string;
    domains: { domain: string; verified: boolean; verification: { value: string } }[];
  };
}
