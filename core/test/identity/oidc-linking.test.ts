import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcPeer, type OidcPeer } from '../../src/testing/oidc-peer.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { addProvider, callBack, identityCounts, refusals, signedIn, signInWith } from './oidc-helpers.js';

// Issue 23: a signed-in user links and unlinks accounts at providers, keeping one way to sign in.
let t: TestKernel;
let peer: OidcPeer;
let admin: TestUser;
const slugs = ['link-one', 'link-two'];

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  peer = await startOidcPeer({
    clients: slugs.map((slug) => ({ client_id: slug, client_secret: `${slug}-secret`, redirect_uris: [`${t.url}/api/v1/auth/oidc/${slug}/callback`] })),
  });
  admin = await signUpSuperAdmin(t);
  for (const slug of slugs)
    await addProvider(t, admin, { slug, kind: 'oidc', name: slug, issuer: peer.issuer, client_id: slug, client_secret: `${slug}-secret` });
});
afterAll(async () => {
  await peer.close();
  await t.close();
});

let accounts = 0;
function person(email?: string) {
  const sub = `link-${process.pid}-${++accounts}`;
  peer.addAccount({ sub, email: email ?? `${sub}@people.test`, email_verified: true, name: `Person ${accounts}` });
  return sub;
}

/** Links `sub` at `slug` to `user` as the console does: POST /me/identities, the provider, the callback. */
async function link(user: { headers: Record<string, string> }, slug: string, sub: string): Promise<string> {
  const started = await t.request('POST', '/api/v1/me/identities', { headers: user.headers, body: { provider: slug } });
  expect(started.status).toBe(200);
  expect(started.body.data.url.startsWith(peer.issuer)).toBe(true);
  return callBack(await peer.authorize(started.body.data.url, { sub }));
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

describe('linking and unlinking', () => {
  it('links a provider account to the signed-in user, lists it, and signs in with it afterwards', async () => {
    const user = await signUp(t);
    const email = `other-${process.pid}-${accounts}@elsewhere.test`;
    const sub = person(email);
    expect(await link(user, 'link-one', sub)).toBe(`${t.url}/account?linked=link-one`);
    const listed = await t.request('GET', '/api/v1/me/identities', { headers: user.headers });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ provider: { slug: 'link-one', name: 'link-one', kind: 'oidc' }, tenant: null, email })]);
    const again = signedIn(await signInWith(t, peer, 'link-one', sub));
    expect(again.user.id).toBe(user.id);
    const [audit] = await t.sql<{ data: Record<string, unknown> }>("select data from host_audit_log where action = 'auth.oidc.linked' and target_id = $1", [
      user.id,
    ]);
    expect(audit?.data).toMatchObject({ provider: 'link-one', by: 'user' });
  });

  it('refuses to link an account at the provider that belongs to someone else (409-like: link_error), audited, nothing changed', async () => {
    const owner = await signUp(t);
    const sub = person();
    await link(owner, 'link-one', sub);
    const intruder = await signUp(t);
    const before = await identityCounts(t);
    expect(await link(intruder, 'link-one', sub)).toBe(`${t.url}/account?link_error=identity_taken`);
    expect(await identityCounts(t)).toEqual(before);
    expect((await refusals(t))[0]).toMatchObject({ reason: 'identity_taken', data: { purpose: 'link' } });
    expect(await t.sql('select 1 from user_identities where user_id = $1', [intruder.id])).toEqual([]);
  });

  it('refuses a forged link callback like a sign-in one, back to the account page', async () => {
    const user = await signUp(t);
    const started = await t.request('POST', '/api/v1/me/identities', { headers: user.headers, body: { provider: 'link-one' } });
    const callback = new URL(await peer.authorize(started.body.data.url, { sub: person() }));
    peer.nextWrongNonce();
    expect(await callBack(callback.toString())).toBe(`${t.url}/account?link_error=nonce`);
    expect(await t.sql('select 1 from user_identities where user_id = $1', [user.id])).toEqual([]);
  });

  it('answers 404 for an unknown provider or a tenant’s single sign-on key', async () => {
    const user = await signUp(t);
    for (const provider of ['nobody', 'sso-acme']) {
      const started = await t.request('POST', '/api/v1/me/identities', { headers: user.headers, body: { provider } });
      expect(started.status).toBe(404);
    }
  });

  it('unlinks while a password remains; keeps the last way to sign in (409 last_sign_in_method)', async () => {
    const withPassword = await signUp(t);
    await link(withPassword, 'link-one', person());
    const [identity] = (await t.request('GET', '/api/v1/me/identities', { headers: withPassword.headers })).body.data;
    expect((await t.request('DELETE', `/api/v1/me/identities/${identity.id}`, { headers: withPassword.headers })).status).toBe(204);
    expect((await t.request('GET', '/api/v1/me/identities', { headers: withPassword.headers })).body.data).toEqual([]);
    const [unlinked] = await t.sql("select 1 from host_audit_log where action = 'auth.oidc.unlinked' and target_id = $1", [withPassword.id]);
    expect(unlinked).toBeDefined();

    // Signed up through the provider: no password.
    const sub = person();
    const providerOnly = signedIn(await signInWith(t, peer, 'link-one', sub));
    const headers = bearer(providerOnly.tokens.access_token);
    const [only] = (await t.request('GET', '/api/v1/me/identities', { headers })).body.data;
    const refused = await t.request('DELETE', `/api/v1/me/identities/${only.id}`, { headers });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('last_sign_in_method');
    expect(await t.sql('select 1 from user_identities where id = $1', [only.id])).toHaveLength(1);

    // With a second provider linked, either may go.
    expect(await link({ headers }, 'link-two', person())).toBe(`${t.url}/account?linked=link-two`);
    expect((await t.request('DELETE', `/api/v1/me/identities/${only.id}`, { headers })).status).toBe(204);
  });

  it('answers 404 for another user’s identity', async () => {
    const owner = await signUp(t);
    await link(owner, 'link-one', person());
    const [identity] = (await t.request('GET', '/api/v1/me/identities', { headers: owner.headers })).body.data;
    const other = await signUp(t);
    expect((await t.request('DELETE', `/api/v1/me/identities/${identity.id}`, { headers: other.headers })).status).toBe(404);
    expect(await t.sql('select 1 from user_identities where id = $1', [identity.id])).toHaveLength(1);
  });

  it('needs a signed-in user', async () => {
    expect((await t.request('GET', '/api/v1/me/identities')).status).toBe(401);
    expect((await t.request('POST', '/api/v1/me/identities', { body: { provider: 'link-one' } })).status).toBe(401);
  });
});
