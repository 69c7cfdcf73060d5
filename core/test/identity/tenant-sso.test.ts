import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantSso } from '../../src/db/migrations/027-tenant-sso.js';
import { startOidcPeer, type OidcPeer } from '../../src/testing/oidc-peer.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem, signUpMember } from '../isolation/fixtures.js';
import { configureSso, fakeDns, memberWithEmail, publish, uniqueDomain } from './tenant-sso-helpers.js';

// Issue 23, "Per-tenant SSO": the configuration, its domains' DNS proof, discovery for the sign-in page, and passwords
// refused to members whose organisation requires its own identity provider.
let t: TestKernel;
let peer: OidcPeer;
let owner: TestUser;
let restoreDns: () => void;

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  peer = await startOidcPeer();
  owner = await signUp(t, { tenant: true });
  restoreDns = fakeDns();
});
afterAll(async () => {
  restoreDns();
  await peer.close();
  await t.close();
});

const body = (overrides: Record<string, unknown> = {}) => ({
  issuer: peer.issuer,
  client_id: 'plinth-test',
  client_secret: 'the-secret',
  domains: [uniqueDomain()],
  enabled: true,
  ...overrides,
});

async function auditActions(tenantId: string, action: string) {
  return asSystem(t, (db) =>
    db.query<{ data: Record<string, unknown> }>('select data from audit_log where tenant_id = $1 and action = $2 order by created_at', [tenantId, action]),
  );
}

describe('GET and PUT /tenant/sso', () => {
  it('answers the defaults, the redirect URI to register and the start URL before anything is saved', async () => {
    const fresh = await signUp(t, { tenant: true });
    const response = await t.request('GET', '/api/v1/tenant/sso', { headers: fresh.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      configured: false,
      issuer: null,
      client_id: null,
      has_secret: false,
      domains: [],
      password_allowed: true,
      default_role_id: null,
      enabled: false,
      redirect_uri: `${t.url}/api/v1/auth/oidc/sso-${fresh.tenant!.slug}/callback`,
      start_url: `${t.url}/api/v1/auth/oidc/sso-${fresh.tenant!.slug}/start`,
      updated_at: null,
    });
  });

  it('saves a configuration whose issuer is discovered, keeps the secret write-only and sealed, and audits it without the secret', async () => {
    const fresh = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    const saved = await t.request('PUT', '/api/v1/tenant/sso', { headers: fresh.headers, body: body({ domains: [domain], password_allowed: false }) });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({
      configured: true,
      issuer: peer.issuer,
      client_id: 'plinth-test',
      has_secret: true,
      password_allowed: false,
      enabled: true,
      domains: [{ domain, verified: false, verified_at: null, verification: { type: 'TXT', name: domain } }],
    });
    expect(saved.body.data.domains[0].verification.value).toMatch(/^plinth-verification=[0-9a-f]{32}$/);
    expect(JSON.stringify(saved.body)).not.toContain('the-secret');
    const [stored] = await t.sql<{ client_secret_enc: string }>('select client_secret_enc from tenant_sso where tenant_id = $1', [fresh.tenant!.id]);
    expect(stored!.client_secret_enc).toMatch(/^v1\./);
    expect(t.kernel.services.secretBox.open(stored!.client_secret_enc)).toBe('the-secret');
    const [entry] = await auditActions(fresh.tenant!.id, 'sso.configured');
    expect(entry!.data).toMatchObject({ issuer: peer.issuer, domains: [domain], secret: 'changed', password_allowed: false });
    expect(JSON.stringify(entry)).not.toContain('the-secret');

    // Left out, the secret stays; null removes it. A second save is `sso.updated`; the domain keeps its record.
    const again = await t.request('PUT', '/api/v1/tenant/sso', { headers: fresh.headers, body: { ...body({ domains: [domain] }), client_secret: undefined } });
    expect(again.body.data.has_secret).toBe(true);
    expect(again.body.data.domains[0].verification.value).toBe(saved.body.data.domains[0].verification.value);
    const removed = await t.request('PUT', '/api/v1/tenant/sso', { headers: fresh.headers, body: body({ domains: [domain], client_secret: null }) });
    expect(removed.body.data.has_secret).toBe(false);
    expect((await auditActions(fresh.tenant!.id, 'sso.updated')).map((row) => row.data.secret)).toEqual([undefined, 'removed']);
  });

  it.each([
    ['not a URL', 'must be an absolute https URL'],
    ['http://sso.example.com', 'must be an https URL'],
    ['https://sso.example.com/?tenant=1', 'must not have a query or fragment'],
  ])('answers 422 on issuer for %s', async (issuer, message) => {
    const response = await t.request('PUT', '/api/v1/tenant/sso', { headers: owner.headers, body: body({ issuer }) });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual({ issuer: [message] });
  });

  it('answers 422 on issuer when discovery fails (no such document, or a document naming another issuer), and stores nothing', async () => {
    const fresh = await signUp(t, { tenant: true });
    for (const issuer of [`${peer.issuer}/elsewhere`, 'http://127.0.0.1:9']) {
      const response = await t.request('PUT', '/api/v1/tenant/sso', { headers: fresh.headers, body: body({ issuer }) });
      expect(response.status).toBe(422);
      expect(response.body.errors.issuer[0]).toMatch(/^has no OpenID configuration that could be read/);
    }
    expect(await t.sql('select 1 from tenant_sso where tenant_id = $1', [fresh.tenant!.id])).toEqual([]);
    expect(await auditActions(fresh.tenant!.id, 'sso.configured')).toEqual([]);
  });

  it('refuses an issuer on a private network address, even with loopback allowed', async () => {
    const response = await t.request('PUT', '/api/v1/tenant/sso', { headers: owner.headers, body: body({ issuer: 'https://10.0.0.1' }) });
    expect(response.status).toBe(422);
    expect(response.body.errors.issuer[0]).toMatch(/private/);
  });

  it.each([
    [{ domains: ['School.Example'] }, 'domains.0'],
    [{ domains: ['a.example', 'a.example'] }, 'domains'],
    [{ domains: ['10.0.0.1'] }, 'domains.0'],
    [{ client_id: '' }, 'client_id'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ extra: true }, 'extra'],
  ])('answers 422 naming the field for %o', async (overrides, field) => {
    const response = await t.request('PUT', '/api/v1/tenant/sso', { headers: owner.headers, body: body(overrides) });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([field]);
  });

  it('takes a role of the tenant as the default, never the owner role, nor another tenant’s role', async () => {
    const roles = await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
    const byName = new Map((roles.body.data as { id: string; name: string }[]).map((role) => [role.name, role.id]));
    const ownerRole = await t.request('PUT', '/api/v1/tenant/sso', { headers: owner.headers, body: body({ default_role_id: byName.get('owner') }) });
    expect(ownerRole.status).toBe(422);
    expect(ownerRole.body.errors).toEqual({ default_role_id: ['must not be the owner or customer role'] });
    const other = await signUp(t, { tenant: true });
    const otherRoles = await t.request('GET', '/api/v1/roles?per_page=100', { headers: other.headers });
    const foreign = (otherRoles.body.data as { id: string; name: string }[]).find((role) => role.name === 'viewer')!.id;
    const foreignRole = await t.request('PUT', '/api/v1/tenant/sso', { headers: owner.headers, body: body({ default_role_id: foreign }) });
    expect(foreignRole.status).toBe(422);
    expect(foreignRole.body.errors).toEqual({ default_role_id: ['names a role that does not exist'] });
    const viewer = await t.request('PUT', '/api/v1/tenant/sso', { headers: owner.headers, body: body({ default_role_id: byName.get('viewer') }) });
    expect(viewer.status).toBe(200);
    expect(viewer.body.data.default_role_id).toBe(byName.get('viewer'));
  });

  it('needs core.sso.manage: an admin gets 403, no token 401, no tenant 400', async () => {
    const admin = await signUpMember(t, owner.tenant!, ['admin']);
    expect((await t.request('GET', '/api/v1/tenant/sso', { headers: admin.headers })).status).toBe(403);
    expect((await t.request('PUT', '/api/v1/tenant/sso', { headers: admin.headers, body: body() })).status).toBe(403);
    expect((await t.request('DELETE', '/api/v1/tenant/sso', { headers: admin.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/tenant/sso', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    const noTenant = await t.request('GET', '/api/v1/tenant/sso', { headers: { authorization: owner.headers.authorization! } });
    expect(noTenant.status).toBe(400);
  });

  it('DELETE removes the configuration and its domains (404 when there is none), audited', async () => {
    const fresh = await signUp(t, { tenant: true });
    await t.request('PUT', '/api/v1/tenant/sso', { headers: fresh.headers, body: body() });
    const removed = await t.request('DELETE', '/api/v1/tenant/sso', { headers: fresh.headers });
    expect(removed.status).toBe(204);
    expect((await t.request('GET', '/api/v1/tenant/sso', { headers: fresh.headers })).body.data.configured).toBe(false);
    expect(await t.sql('select 1 from tenant_sso_domains where tenant_id = $1', [fresh.tenant!.id])).toEqual([]);
    expect(await auditActions(fresh.tenant!.id, 'sso.removed')).toHaveLength(1);
    expect((await t.request('DELETE', '/api/v1/tenant/sso', { headers: fresh.headers })).status).toBe(404);
  });
});

describe('POST /tenant/sso/domains/:domain/verify', () => {
  it('answers 409 domain_not_verified without the TXT record, then verifies with it (audited)', async () => {
    const fresh = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    const saved = await t.request('PUT', '/api/v1/tenant/sso', { headers: fresh.headers, body: body({ domains: [domain] }) });
    const missing = await t.request('POST', `/api/v1/tenant/sso/domains/${domain}/verify`, { headers: fresh.headers });
    expect(missing.status).toBe(409);
    expect(missing.body.code).toBe('domain_not_verified');
    publish(domain, saved.body.data.domains[0].verification.value);
    const verified = await t.request('POST', `/api/v1/tenant/sso/domains/${domain}/verify`, { headers: fresh.headers });
    expect(verified.status).toBe(200);
    expect(verified.body.data).toMatchObject({ domain, verified: true });
    expect(await auditActions(fresh.tenant!.id, 'sso.domain_verified')).toEqual([{ data: { domain } }]);
    expect((await t.request('POST', `/api/v1/tenant/sso/domains/${domain}/verify`, { headers: fresh.headers })).status).toBe(200);
  });

  it('answers 404 for a domain that is not in the configuration', async () => {
    const response = await t.request('POST', `/api/v1/tenant/sso/domains/${uniqueDomain()}/verify`, { headers: owner.headers });
    expect(response.status).toBe(404);
  });
});

describe('isolation between tenants', () => {
  it('another tenant cannot read or change the configuration, nor verify or claim its verified domain', async () => {
    const a = await signUp(t, { tenant: true });
    const b = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, a, peer, { domains: [domain] });
    const before = await t.sql('select to_jsonb(s) as row from tenant_sso s where tenant_id = $1', [a.tenant!.id]);

    // B sees its own (empty) configuration, never A's.
    const seen = await t.request('GET', '/api/v1/tenant/sso', { headers: b.headers });
    expect(seen.body.data.configured).toBe(false);
    expect(JSON.stringify(seen.body)).not.toContain(domain);
    // B's token naming A's tenant is refused.
    expect((await t.request('GET', '/api/v1/tenant/sso', { headers: { ...b.headers, 'x-tenant': a.tenant!.slug } })).status).toBe(403);
    expect((await t.request('DELETE', '/api/v1/tenant/sso', { headers: { ...b.headers, 'x-tenant': a.tenant!.slug } })).status).toBe(403);
    // B cannot verify A's domain through its own configuration…
    expect((await t.request('POST', `/api/v1/tenant/sso/domains/${domain}/verify`, { headers: b.headers })).status).toBe(404);
    // …and once B lists it too and publishes its own record, verifying conflicts: the domain is A's.
    const listed = await t.request('PUT', '/api/v1/tenant/sso', { headers: b.headers, body: body({ domains: [domain] }) });
    expect(listed.status).toBe(200);
    publish(domain, listed.body.data.domains[0].verification.value);
    const claim = await t.request('POST', `/api/v1/tenant/sso/domains/${domain}/verify`, { headers: b.headers });
    expect(claim.status).toBe(409);
    expect(claim.body.errors).toEqual({ domain: ['is verified by another organisation'] });
    expect(await t.sql('select to_jsonb(s) as row from tenant_sso s where tenant_id = $1', [a.tenant!.id])).toEqual(before);
    const discovered = await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: `someone@${domain}` } });
    expect(discovered.body.data.sso.tenant.slug).toBe(a.tenant!.slug);
  });

  it('keeps both tables to their tenant under forced Row Level Security', async () => {
    const rows = await t.sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      "select relname, relrowsecurity, relforcerowsecurity from pg_class where relname in ('tenant_sso', 'tenant_sso_domains') order by relname",
    );
    expect(rows).toEqual([
      { relname: 'tenant_sso', relrowsecurity: true, relforcerowsecurity: true },
      { relname: 'tenant_sso_domains', relrowsecurity: true, relforcerowsecurity: true },
    ]);
    const a = await signUp(t, { tenant: true });
    const b = await signUp(t, { tenant: true });
    await configureSso(t, a, peer, { domains: [uniqueDomain()] });
    const { runInTenant } = await import('../../src/db/scoped-db.js');
    const seenByB = await runInTenant(t.kernel.services.database, b.tenant!.id, async (db) => ({
      sso: await db.query('select id from tenant_sso'),
      domains: await db.query('select id from tenant_sso_domains'),
      updated: await db.query('update tenant_sso set enabled = false returning id'),
    }));
    expect(seenByB).toEqual({ sso: [], domains: [], updated: [] });
    expect((await t.sql<{ enabled: boolean }>('select enabled from tenant_sso where tenant_id = $1', [a.tenant!.id]))[0]!.enabled).toBe(true);
  });
});

describe('POST /auth/sso/discover', () => {
  it('routes a verified domain of an enabled configuration, and nothing else', async () => {
    const fresh = await signUp(t, { tenant: true });
    const [verified, unverified] = [uniqueDomain(), uniqueDomain()];
    await configureSso(t, fresh, peer, { domains: [verified, unverified], verify: [verified], password_allowed: false });
    const found = await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: `Ada@${verified.toUpperCase()}` } });
    expect(found.status).toBe(200);
    expect(found.body.data).toEqual({
      sso: {
        tenant: { slug: fresh.tenant!.slug, name: fresh.tenant!.name },
        start_url: `${t.url}/api/v1/auth/oidc/sso-${fresh.tenant!.slug}/start`,
        password_allowed: false,
      },
    });
    for (const email of [`ada@${unverified}`, 'ada@elsewhere.example']) {
      expect((await t.request('POST', '/api/v1/auth/sso/discover', { body: { email } })).body.data).toEqual({ sso: null });
    }
    await t.request('PUT', '/api/v1/tenant/sso', {
      headers: fresh.headers,
      body: { ...body({ domains: [verified, unverified] }), client_secret: undefined, enabled: false },
    });
    expect((await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: `ada@${verified}` } })).body.data).toEqual({ sso: null });
  });

  it('answers a member and a stranger of the domain alike (it reveals no membership)', async () => {
    const fresh = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, fresh, peer, { domains: [domain] });
    const member = await memberWithEmail(t, fresh, `member@${domain}`);
    const forMember = await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: member.email } });
    const forStranger = await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: `nobody@${domain}` } });
    expect(forMember.body.data).toEqual(forStranger.body.data);
  });

  it('answers 422 for a malformed email', async () => {
    const response = await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: 'not-an-email' } });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(['email']);
  });
});

describe('passwords refused where the organisation requires its single sign-on', () => {
  async function enforcedTenant(passwordAllowed = false) {
    const fresh = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    const config = await configureSso(t, fresh, peer, { domains: [domain], password_allowed: passwordAllowed });
    return { fresh, domain, config };
  }

  it('refuses the right password of a staff member with 403 sso_required and the start URL, audited, no session', async () => {
    const { fresh, domain, config } = await enforcedTenant();
    const member = await memberWithEmail(t, fresh, `teacher@${domain}`);
    const sessions = async () => (await t.sql('select 1 from refresh_tokens where user_id = $1', [member.id])).length;
    const before = await sessions();
    const response = await t.request('POST', '/api/v1/auth/login', { body: { email: member.email, password: member.password } });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('sso_required');
    expect(response.body.errors).toEqual({ 'sso.start_url': [config.start_url], 'sso.tenant': [fresh.tenant!.slug] });
    expect(response.body.message).toContain(fresh.tenant!.name);
    expect(await sessions()).toBe(before);
    const audit = await t.sql<{ data: Record<string, unknown> }>("select data from host_audit_log where action = 'auth.sso.refused' and actor_user_id = $1", [
      member.id,
    ]);
    expect(audit).toEqual([{ data: { reason: 'password_not_allowed', via: 'login', tenant: fresh.tenant!.slug } }]);
    const arabic = await t.request('POST', '/api/v1/auth/login', {
      body: { email: member.email, password: member.password },
      headers: { 'accept-language': 'ar' },
    });
    expect(arabic.body.message).toContain('الدخول الموحّد');
  });

  it('answers a wrong password 401 as for anyone: the refusal comes only after the password proved right', async () => {
    const { fresh, domain } = await enforcedTenant();
    const member = await memberWithEmail(t, fresh, `wrong@${domain}`);
    const response = await t.request('POST', '/api/v1/auth/login', { body: { email: member.email, password: `${member.password}x` } });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthenticated');
    expect(await t.sql("select 1 from host_audit_log where action = 'auth.sso.refused' and actor_user_id = $1", [member.id])).toEqual([]);
  });

  it('lets in a non-member of the domain, a host operator, and members when the organisation allows passwords', async () => {
    const { fresh, domain } = await enforcedTenant();
    const stranger = await signUp(t, { email: `visitor@${domain}` });
    expect((await t.request('POST', '/api/v1/auth/login', { body: { email: stranger.email, password: stranger.password } })).status).toBe(200);
    // A host operator is never held to a tenant's rule (a tenant must not be able to lock the host out).
    const operator = await memberWithEmail(t, fresh, `operator@${domain}`);
    await t.sql('update users set is_super_admin = true where id = $1', [operator.id]);
    expect((await t.request('POST', '/api/v1/auth/login', { body: { email: operator.email, password: operator.password } })).status).toBe(200);
    const allowed = await enforcedTenant(true);
    const member = await memberWithEmail(t, allowed.fresh, `ok@${allowed.domain}`);
    expect((await t.request('POST', '/api/v1/auth/login', { body: { email: member.email, password: member.password } })).status).toBe(200);
  });

  it('refuses setting a password by a reset link with the same error, and leaves the password as it was', async () => {
    const { fresh, domain, config } = await enforcedTenant();
    const member = await memberWithEmail(t, fresh, `reset@${domain}`);
    expect((await t.request('POST', '/api/v1/auth/password/forgot', { body: { email: member.email } })).status).toBe(202);
    // The mail is sent once the request has committed.
    let resetMail: { text: string } | undefined;
    await expect
      .poll(async () => (resetMail = (await t.mailbox(member.email)).find((mail) => mail.text.includes('/reset-password?token='))) !== undefined)
      .toBe(true);
    const token = /reset-password\?token=([\w%-]+)/.exec(resetMail!.text)![1]!;
    const passwordHash = async () => (await t.sql<{ password_hash: string }>('select password_hash from users where id = $1', [member.id]))[0]!.password_hash;
    const before = await passwordHash();
    const reset = await t.request('POST', '/api/v1/auth/password/reset', { body: { token: decodeURIComponent(token), password: 'Another-Pa55word-here' } });
    expect(reset.status).toBe(403);
    expect(reset.body.code).toBe('sso_required');
    expect(reset.body.errors['sso.start_url']).toEqual([config.start_url]);
    expect(await passwordHash()).toBe(before);
    expect(await t.sql("select data from host_audit_log where action = 'auth.sso.refused' and actor_user_id = $1", [member.id])).toEqual([
      { data: { reason: 'password_not_allowed', via: 'password_reset', tenant: fresh.tenant!.slug } },
    ]);
  });
});

describe('migration 027', () => {
  it('is undone by its down and redone by its up (in a transaction rolled back after)', async () => {
    const { knex } = t.kernel.services.database;
    const tables = async (trx: typeof knex) =>
      (await trx.raw("select to_regclass('tenant_sso') is not null as sso, to_regclass('tenant_sso_domains') is not null as domains")).rows[0];
    await knex
      .transaction(async (trx) => {
        await tenantSso.down(trx);
        expect(await tables(trx)).toEqual({ sso: false, domains: false });
        await tenantSso.up(trx);
        expect(await tables(trx)).toEqual({ sso: true, domains: true });
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past 30 discoveries per IP in 15 minutes', async () => {
    let limited: Awaited<ReturnType<TestKernel['request']>> | undefined;
    for (let i = 0; i < 40 && !limited; i += 1) {
      const response = await t.request('POST', '/api/v1/auth/sso/discover', { body: { email: `a${i}@limit.example` } });
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(200);
    }
    expect(limited?.body.code).toBe('rate_limited');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
