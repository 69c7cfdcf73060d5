import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcPeer, type OidcPeer } from '../../src/testing/oidc-peer.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { configureSso, fakeDns, memberWithEmail, uniqueDomain, verifiedUser } from './tenant-sso-helpers.js';

// Issue 23, "Per-tenant SSO": a person signs in through the tenant's own OpenID provider (a real one on loopback),
// and lands in the tenant just in time; each refusal is audited and leaves nothing linked or created.
let t: TestKernel;
let peer: OidcPeer;
let restoreDns: () => void;

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  peer = await startOidcPeer();
  restoreDns = fakeDns();
});
afterAll(async () => {
  restoreDns();
  await peer.close();
  await t.close();
});

let subjects = 0;
/** An account at the peer. */
function person(email: string, emailVerified = true, name = 'Ada Lovelace') {
  const sub = `sub-${process.pid}-${++subjects}`;
  peer.addAccount({ sub, email, email_verified: emailVerified, name });
  return sub;
}

type Outcome =
  { signedIn: { user: { id: string; email: string; email_verified: boolean }; tokens: { access_token: string }; return_to: string } } | { refused: string };

/** Signs in through the tenant's provider as `sub` (after `before` breaks something, if given), as a browser would. */
async function ssoSignIn(slug: string, sub: string, before?: () => void): Promise<Outcome> {
  const start = await fetch(`${t.url}/api/v1/auth/oidc/sso-${slug}/start?return_to=${encodeURIComponent(`/t/${slug}`)}`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorization = start.headers.get('location')!;
  if (!authorization.startsWith(peer.issuer)) return { refused: new URL(authorization).searchParams.get('reason')! };
  before?.();
  const callback = await peer.authorize(authorization, { sub });
  const back = await fetch(callback, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const location = back.headers.get('location')!;
  const code = /#code=(.+)$/.exec(location)?.[1];
  if (!code) return { refused: new URL(location).searchParams.get('reason')! };
  const completed = await t.request('POST', '/api/v1/auth/oidc/complete', { body: { code } });
  expect(completed.status).toBe(200);
  return { signedIn: completed.body.data };
}

function signedIn(outcome: Outcome) {
  if (!('signedIn' in outcome)) throw new Error(`refused: ${outcome.refused}`);
  return outcome.signedIn;
}

async function customRole(owner: TestUser, name: string): Promise<string> {
  const created = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions: ['core.members.view'] } });
  expect(created.status).toBe(201);
  return created.body.data.id;
}

const usersWithEmail = async (email: string) => t.sql('select id from users where lower(email) = $1', [email]);
const refusals = async (reason: string) =>
  t.sql("select data from host_audit_log where action = 'auth.oidc.refused' and data->>'reason' = $1", [reason]).then((rows) => rows.length);

describe('a first sign-in through the tenant’s provider', () => {
  it('creates the account (no password, email verified), a staff membership with the default role, a session of method sso', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    const roleId = await customRole(owner, 'Teacher');
    await configureSso(t, owner, peer, { domains: [domain], default_role_id: roleId });
    const email = `grace@${domain}`;
    const sub = person(email, true, 'Grace Hopper');

    const { user, tokens, return_to } = signedIn(await ssoSignIn(owner.tenant!.slug, sub));
    expect(user).toMatchObject({ email, email_verified: true });
    expect(return_to).toBe(`/t/${owner.tenant!.slug}`);
    const [account] = await t.sql<{ name: string; password_hash: string | null }>('select name, password_hash from users where id = $1', [user.id]);
    expect(account).toEqual({ name: 'Grace Hopper', password_hash: null });
    const members = await t.request('GET', `/api/v1/members/${user.id}`, { headers: owner.headers });
    expect(members.status).toBe(200);
    expect(members.body.data.roles).toEqual([{ id: roleId, name: 'Teacher' }]);
    const [session] = await t.sql<{ method: string }>('select method from refresh_tokens where user_id = $1', [user.id]);
    expect(session!.method).toBe('sso');
    const audit = await t.sql<{ data: Record<string, unknown> }>("select data from audit_log where tenant_id = $1 and action = 'sso.member_joined'", [
      owner.tenant!.id,
    ]);
    expect(audit).toEqual([{ data: { user_id: user.id, email, roles: ['Teacher'], new_account: true } }]);
    // The session works in the tenant.
    const me = await t.request('GET', '/api/v1/members', { headers: { authorization: `Bearer ${tokens.access_token}`, 'x-tenant': owner.tenant!.slug } });
    expect(me.status).toBe(200);

    // Signing in again is the same person: no second account, membership or audit entry.
    const again = signedIn(await ssoSignIn(owner.tenant!.slug, sub));
    expect(again.user.id).toBe(user.id);
    expect(await usersWithEmail(email)).toHaveLength(1);
    expect(await t.sql("select 1 from audit_log where tenant_id = $1 and action = 'sso.member_joined'", [owner.tenant!.id])).toHaveLength(1);
  });

  it('gives the built-in member role when no default role is set', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const { user } = signedIn(await ssoSignIn(owner.tenant!.slug, person(`m@${domain}`)));
    const member = await t.request('GET', `/api/v1/members/${user.id}`, { headers: owner.headers });
    expect(member.body.data.roles.map((role: { name: string }) => role.name)).toEqual(['member']);
  });

  it('links an existing account with a verified email when the provider verified it too, and makes it a member', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const existing = await verifiedUser(t, `existing@${domain}`);
    const { user } = signedIn(await ssoSignIn(owner.tenant!.slug, person(existing.email)));
    expect(user.id).toBe(existing.id);
    expect(await t.sql('select sso_tenant_id from user_identities where user_id = $1', [existing.id])).toEqual([{ sso_tenant_id: owner.tenant!.id }]);
    expect(await t.sql("select 1 from host_audit_log where action = 'auth.sso.linked' and actor_user_id = $1", [existing.id])).toHaveLength(1);
    expect((await t.request('GET', `/api/v1/members/${existing.id}`, { headers: owner.headers })).status).toBe(200);
  });

  it('signs in a member who already belongs to the tenant without touching their roles', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const admin = await memberWithEmail(t, owner, `admin@${domain}`, ['admin']);
    signedIn(await ssoSignIn(owner.tenant!.slug, person(admin.email)));
    const member = await t.request('GET', `/api/v1/members/${admin.id}`, { headers: owner.headers });
    expect(member.body.data.roles.map((role: { name: string }) => role.name)).toEqual(['admin']);
    expect(await t.sql("select 1 from audit_log where tenant_id = $1 and action = 'sso.member_joined'", [owner.tenant!.id])).toEqual([]);
  });
});

describe('refusals: audited, nothing linked or created', () => {
  it('refuses an email outside the tenant’s verified domains (listed but unverified, or another domain): not_allowed', async () => {
    const owner = await signUp(t, { tenant: true });
    const [verified, unverified] = [uniqueDomain(), uniqueDomain()];
    await configureSso(t, owner, peer, { domains: [verified, unverified], verify: [verified] });
    const before = await refusals('not_allowed');
    for (const email of [`x@${unverified}`, 'x@gmail.example']) {
      expect(await ssoSignIn(owner.tenant!.slug, person(email))).toEqual({ refused: 'not_allowed' });
      expect(await usersWithEmail(email)).toEqual([]);
    }
    expect(await refusals('not_allowed')).toBe(before + 2);
    expect(await t.sql('select 1 from user_identities where sso_tenant_id = $1', [owner.tenant!.id])).toEqual([]);
  });

  it('refuses to link an existing account when the provider has not verified the email: email_unverified', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const existing = await verifiedUser(t, `victim@${domain}`);
    const before = await refusals('email_unverified');
    expect(await ssoSignIn(owner.tenant!.slug, person(existing.email, false))).toEqual({ refused: 'email_unverified' });
    expect(await refusals('email_unverified')).toBe(before + 1);
    expect(await t.sql('select 1 from user_identities where user_id = $1', [existing.id])).toEqual([]);
    expect(await t.sql('select 1 from memberships where user_id = $1 and tenant_id = $2', [existing.id, owner.tenant!.id])).toEqual([]);
  });

  it('refuses to link an existing account whose own email is not verified (a squatted address): account_unverified', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const squatter = await signUp(t, { email: `squatted@${domain}` });
    await t.sql('update users set email_verified_at = null where id = $1', [squatter.id]);
    expect(await ssoSignIn(owner.tenant!.slug, person(squatter.email))).toEqual({ refused: 'account_unverified' });
    expect(await t.sql('select 1 from user_identities where user_id = $1', [squatter.id])).toEqual([]);
  });

  it('refuses a new member beyond the members quota: member_limit, no account created', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    await t.sql('update tenants set quotas = $2 where id = $1', [owner.tenant!.id, { members: 1 }]);
    await t.kernel.services.tenants.forget(owner.tenant!);
    const email = `late@${domain}`;
    expect(await ssoSignIn(owner.tenant!.slug, person(email))).toEqual({ refused: 'member_limit' });
    expect(await usersWithEmail(email)).toEqual([]);
    expect(await t.sql('select 1 from user_identities where sso_tenant_id = $1', [owner.tenant!.id])).toEqual([]);
  });

  it('lets exactly one of two simultaneous first sign-ins take the last place of the quota', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    await t.sql('update tenants set quotas = $2 where id = $1', [owner.tenant!.id, { members: 2 }]);
    await t.kernel.services.tenants.forget(owner.tenant!);
    const callbacks = [];
    for (const email of [`first@${domain}`, `second@${domain}`]) {
      const start = await fetch(`${t.url}/api/v1/auth/oidc/sso-${owner.tenant!.slug}/start`, { redirect: 'manual' });
      callbacks.push(await peer.authorize(start.headers.get('location')!, { sub: person(email) }));
    }
    const answers = await Promise.all(callbacks.map((callback) => fetch(callback, { redirect: 'manual' }).then((back) => back.headers.get('location')!)));
    expect(answers.filter((location) => location.includes('#code=')).length, answers.join(' ')).toBe(1);
    expect(answers.filter((location) => location.includes('reason=member_limit')).length, answers.join(' ')).toBe(1);
    expect(await t.sql("select 1 from memberships where tenant_id = $1 and kind = 'staff'", [owner.tenant!.id])).toHaveLength(2);
  });

  it.each([
    ['nonce', (p: OidcPeer) => p.nextWrongNonce()],
    ['issuer', (p: OidcPeer) => p.nextWrongIssuer()],
    ['audience', (p: OidcPeer) => p.nextWrongAudience()],
    ['expired', (p: OidcPeer) => p.nextExpired()],
  ])('refuses a forged id_token for the tenant (%s), creating nothing', async (reason, breakIt) => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const email = `forged-${reason}@${domain}`;
    const before = await refusals(reason);
    expect(await ssoSignIn(owner.tenant!.slug, person(email), () => breakIt(peer))).toEqual({ refused: reason });
    expect(await refusals(reason)).toBe(before + 1);
    expect(await usersWithEmail(email)).toEqual([]);
    expect(await t.sql('select 1 from memberships where tenant_id = $1', [owner.tenant!.id])).toHaveLength(1);
  });

  it('refuses a callback with a state the tenant never issued, and a replayed one', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const forged = await fetch(`${t.url}/api/v1/auth/oidc/sso-${owner.tenant!.slug}/callback?state=forged&code=whatever`, { redirect: 'manual' });
    expect(new URL(forged.headers.get('location')!).searchParams.get('reason')).toBe('state');
    const start = await fetch(`${t.url}/api/v1/auth/oidc/sso-${owner.tenant!.slug}/start`, { redirect: 'manual' });
    const callback = await peer.authorize(start.headers.get('location')!, { sub: person(`replay@${domain}`) });
    expect((await fetch(callback, { redirect: 'manual' })).headers.get('location')).toContain('#code=');
    const replayed = await fetch(callback, { redirect: 'manual' });
    expect(new URL(replayed.headers.get('location')!).searchParams.get('reason')).toBe('replayed');
  });

  it('offers no sign-in for a disabled configuration', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain], enabled: false });
    expect(await ssoSignIn(owner.tenant!.slug, person(`off@${domain}`))).toEqual({ refused: 'unknown_provider' });
  });

  it('forgets identities linked under a previous issuer: a new provider’s subject is a first sign-in again', async () => {
    const owner = await signUp(t, { tenant: true });
    const domain = uniqueDomain();
    await configureSso(t, owner, peer, { domains: [domain] });
    const sub = person(`moved@${domain}`);
    const first = signedIn(await ssoSignIn(owner.tenant!.slug, sub));
    const other = await startOidcPeer();
    try {
      // The same subject at another provider, with another person's email outside the domain: not the first person.
      other.addAccount({ sub, email: 'stranger@elsewhere.example', email_verified: true });
      await configureSso(t, owner, other, { domains: [domain], verify: [] });
      const start = await fetch(`${t.url}/api/v1/auth/oidc/sso-${owner.tenant!.slug}/start`, { redirect: 'manual' });
      const back = await fetch(await other.authorize(start.headers.get('location')!, { sub }), { redirect: 'manual' });
      expect(new URL(back.headers.get('location')!).searchParams.get('reason')).toBe('not_allowed');
      expect(await t.sql('select user_id from user_identities where sso_tenant_id = $1', [owner.tenant!.id])).toEqual([{ user_id: first.user.id }]);
    } finally {
      await other.close();
    }
  });
});
