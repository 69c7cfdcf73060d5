import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubPeer, type GithubPeer } from '../../src/testing/github-peer.js';
import { startOidcPeer, type OidcPeer } from '../../src/testing/oidc-peer.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { addProvider, callBack, complete, identityCounts, refusals, signedIn, startAt } from './oidc-helpers.js';

// Issue 23: host administrators configure sign-in providers (the secret write-only, sealed); GitHub (OAuth 2, not
// OpenID Connect) signs in through its API's verified primary email, against a stand-in on loopback.
let t: TestKernel;
let peer: OidcPeer;
let github: GithubPeer;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  peer = await startOidcPeer();
  github = await startGithubPeer({
    clients: [{ client_id: 'gh-client', client_secret: 'gh-secret', redirect_uri: `${t.url}/api/v1/auth/oidc/github/callback` }],
  });
  admin = await signUpSuperAdmin(t);
});
afterAll(async () => {
  await github.close();
  await peer.close();
  await t.close();
});

describe('host providers (admin)', () => {
  it('adds, reads, changes, disables and removes a provider; the secret is sealed and never returned', async () => {
    const created = await t.request('POST', '/api/v1/admin/identity-providers', {
      headers: admin.headers,
      body: { slug: 'school', kind: 'oidc', name: 'School ID', issuer: `${peer.issuer}/`, client_id: 'school', client_secret: 'very-secret-value' },
    });
    expect(created.status).toBe(201);
    const provider = created.body.data;
    expect(provider).toMatchObject({
      slug: 'school',
      kind: 'oidc',
      name: 'School ID',
      issuer: peer.issuer,
      has_secret: true,
      scopes: ['openid', 'email', 'profile'],
      enabled: true,
      redirect_uri: `${t.url}/api/v1/auth/oidc/school/callback`,
      linked_users: 0,
    });
    expect(JSON.stringify(created.body)).not.toContain('very-secret-value');
    const [stored] = await t.sql<{ client_secret_enc: string }>('select client_secret_enc from identity_providers where id = $1', [provider.id]);
    expect(stored!.client_secret_enc).toMatch(/^v1\./);
    expect(t.kernel.services.secretBox.open(stored!.client_secret_enc)).toBe('very-secret-value');

    const listed = await t.request('GET', '/api/v1/admin/identity-providers', { headers: admin.headers });
    expect(listed.body.data.map((p: { slug: string }) => p.slug)).toContain('school');
    expect(JSON.stringify(listed.body)).not.toContain('very-secret-value');

    const changed = await t.request('PATCH', `/api/v1/admin/identity-providers/${provider.id}`, {
      headers: admin.headers,
      body: { name: 'School sign-in', enabled: false, client_secret: null },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ name: 'School sign-in', enabled: false, has_secret: false });
    const publicList = await t.request('GET', '/api/v1/auth/providers');
    expect(publicList.body.data.map((p: { slug: string }) => p.slug)).not.toContain('school');
    // A disabled provider starts no flow.
    expect(await startAt(t, 'school')).toBe(`${t.url}/login?error=oidc_failed&reason=unknown_provider`);

    expect((await t.request('GET', `/api/v1/admin/identity-providers/${provider.id}`, { headers: admin.headers })).body.data.name).toBe('School sign-in');
    expect((await t.request('DELETE', `/api/v1/admin/identity-providers/${provider.id}`, { headers: admin.headers })).status).toBe(204);
    expect((await t.request('GET', `/api/v1/admin/identity-providers/${provider.id}`, { headers: admin.headers })).status).toBe(404);

    const actions = await t.sql<{ action: string }>(
      "select action from host_audit_log where target_id = $1 and action like 'admin.identity_provider.%' order by created_at",
      [provider.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['admin.identity_provider.created', 'admin.identity_provider.updated', 'admin.identity_provider.deleted']);
  });

  it('unlinks the accounts of a provider whose issuer changes (a subject is someone else at another issuer)', async () => {
    const other = await startOidcPeer();
    try {
      const provider = await addProvider(t, admin, { slug: 'moving', kind: 'oidc', issuer: peer.issuer, client_id: 'moving' });
      const user = await signUp(t);
      await t.sql('insert into user_identities (user_id, provider_id, subject) values ($1, $2, $3)', [user.id, provider.id, 'sub-1']);
      const renamed = await t.request('PATCH', `/api/v1/admin/identity-providers/${provider.id}`, { headers: admin.headers, body: { name: 'Moving' } });
      expect(renamed.body.data.linked_users).toBe(1);
      const moved = await t.request('PATCH', `/api/v1/admin/identity-providers/${provider.id}`, { headers: admin.headers, body: { issuer: other.issuer } });
      expect(moved.status).toBe(200);
      expect(moved.body.data).toMatchObject({ issuer: other.issuer, linked_users: 0 });
      const [audit] = await t.sql<{ data: Record<string, unknown> }>(
        "select data from host_audit_log where action = 'admin.identity_provider.updated' and target_id = $1 and data ? 'unlinked'",
        [provider.id],
      );
      expect(audit?.data).toMatchObject({ unlinked: 1, changed: ['issuer'] });
    } finally {
      await other.close();
    }
  });

  it('fills a preset’s issuer, scopes and name', async () => {
    const created = await addProvider(t, admin, { slug: 'gh-preset', kind: 'github', issuer: github.url, client_id: 'x' });
    expect(created).toMatchObject({ name: 'GitHub', scopes: ['read:user', 'user:email'], issuer: github.url });
    await t.request('DELETE', `/api/v1/admin/identity-providers/${created.id}`, { headers: admin.headers });
  });

  it('refuses a reserved or taken slug, and an issuer without an OpenID configuration', async () => {
    const base = { kind: 'oidc', issuer: peer.issuer, client_id: 'c' };
    const reserved = await t.request('POST', '/api/v1/admin/identity-providers', { headers: admin.headers, body: { ...base, slug: 'sso-acme' } });
    expect(reserved.status).toBe(422);
    await addProvider(t, admin, { ...base, slug: 'taken' });
    const taken = await t.request('POST', '/api/v1/admin/identity-providers', { headers: admin.headers, body: { ...base, slug: 'taken' } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual({ slug: ['is taken'] });
    const noDiscovery = await t.request('POST', '/api/v1/admin/identity-providers', {
      headers: admin.headers,
      body: { ...base, slug: 'nowhere', issuer: `${github.url}/nothing-here` },
    });
    expect(noDiscovery.status).toBe(422);
    expect(noDiscovery.body.errors.issuer[0]).toMatch(/has no OpenID configuration/);
    const insecure = await t.request('POST', '/api/v1/admin/identity-providers', {
      headers: admin.headers,
      body: { ...base, slug: 'insecure', issuer: 'http://id.example.test' },
    });
    expect(insecure.status).toBe(422);
    expect(insecure.body.errors.issuer).toEqual(['must be an https URL']);
  });

  it('is for host administrators only', async () => {
    const user = await signUp(t, { tenant: true });
    expect((await t.request('GET', '/api/v1/admin/identity-providers', { headers: user.headers })).status).toBe(403);
    const created = await t.request('POST', '/api/v1/admin/identity-providers', {
      headers: user.headers,
      body: { slug: 'mine', kind: 'oidc', issuer: peer.issuer, client_id: 'c' },
    });
    expect(created.status).toBe(403);
    expect(await t.sql("select 1 from identity_providers where slug = 'mine'")).toEqual([]);
  });
});

describe('GitHub (OAuth 2 and its API, against a stand-in)', () => {
  beforeAll(async () => {
    await addProvider(t, admin, { slug: 'github', kind: 'github', issuer: github.url, client_id: 'gh-client', client_secret: 'gh-secret' });
  });

  let ids = 5000;
  function githubUser(primary: { email: string; verified: boolean }, others: { email: string; verified: boolean }[] = []) {
    const user = {
      id: ++ids,
      login: `octo${ids}`,
      name: `Octo ${ids}`,
      emails: [{ ...primary, primary: true }, ...others.map((o) => ({ ...o, primary: false }))],
    };
    github.addUser(user);
    return user;
  }

  async function viaGithub(login: string) {
    const authorization = await startAt(t, 'github', '/account');
    expect(authorization.startsWith(`${github.url}/login/oauth/authorize?`)).toBe(true);
    expect(new URL(authorization).searchParams.get('code_challenge_method')).toBe('S256');
    return complete(t, await callBack(await github.authorize(authorization, { login })));
  }

  it('signs up with the verified primary email; the subject is the numeric id', async () => {
    const user = githubUser({ email: `octo-${process.pid}@gh.test`, verified: true });
    const outcome = signedIn(await viaGithub(user.login));
    expect(outcome.user).toMatchObject({ email: `octo-${process.pid}@gh.test`, email_verified: true, name: user.name });
    expect(outcome.return_to).toBe('/account');
    expect(await t.sql('select subject from user_identities where user_id = $1', [outcome.user.id])).toEqual([{ subject: String(user.id) }]);
    // Renamed at GitHub: still the same person.
    user.login = `renamed${user.id}`;
    github.addUser(user);
    expect(signedIn(await viaGithub(user.login)).user.id).toBe(outcome.user.id);
  });

  it('refuses an unverified primary email, even with a verified secondary one; nothing created', async () => {
    const victim = await signUp(t);
    const user = githubUser({ email: victim.email, verified: false }, [{ email: `spare-${ids}@gh.test`, verified: true }]);
    const before = await identityCounts(t);
    const outcome = await viaGithub(user.login);
    expect(outcome).toMatchObject({ refused: 'email_unverified' });
    expect(await identityCounts(t)).toEqual(before);
    expect((await refusals(t))[0]).toMatchObject({ reason: 'email_unverified', target_id: 'github' });
  });

  it('refuses when the person cancels at GitHub', async () => {
    const authorization = await startAt(t, 'github');
    const outcome = await complete(t, await callBack(await github.authorize(authorization, { deny: true })));
    expect(outcome).toMatchObject({ refused: 'denied' });
  });

  it('refuses a replayed GitHub callback', async () => {
    const user = githubUser({ email: `replay-${ids}@gh.test`, verified: true });
    const callback = await github.authorize(await startAt(t, 'github'), { login: user.login });
    expect(await complete(t, await callBack(callback))).toHaveProperty('signedIn');
    expect(await complete(t, await callBack(callback))).toMatchObject({ refused: 'replayed' });
  });
});
