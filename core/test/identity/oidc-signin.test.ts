import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcPeer, type OidcPeer } from '../../src/testing/oidc-peer.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { addProvider, callBack, complete, identityCounts, refusals, signedIn, signInWith, startAt } from './oidc-helpers.js';

// Issue 23, "OpenID Connect sign-in": a host provider (a real OpenID provider on loopback), first sign-in creating or
// linking an account, and every refusal: audited, redirected to the login page with its reason, nothing created.
let t: TestKernel;
let peer: OidcPeer;
let admin: TestUser;
const slug = 'acme-id';

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } });
  peer = await startOidcPeer({
    clients: [{ client_id: 'plinth', client_secret: 'plinth-secret', redirect_uris: [`${t.url}/api/v1/auth/oidc/${slug}/callback`] }],
  });
  admin = await signUpSuperAdmin(t);
  const provider = await addProvider(t, admin, {
    slug,
    kind: 'oidc',
    name: 'Acme ID',
    issuer: peer.issuer,
    client_id: 'plinth',
    client_secret: 'plinth-secret',
  });
  expect(provider.redirect_uri).toBe(`${t.url}/api/v1/auth/oidc/${slug}/callback`);
});
afterAll(async () => {
  await peer.close();
  await t.close();
});

let accounts = 0;
function person(email?: string, emailVerified = true) {
  const sub = `sub-${process.pid}-${++accounts}`;
  peer.addAccount({ sub, email: email ?? `${sub}@people.test`, email_verified: emailVerified, name: `Person ${accounts}` });
  return { sub, email: email ?? `${sub}@people.test` };
}

describe('signing in with a host provider', () => {
  it('lists the enabled providers for the sign-in page', async () => {
    const listed = await t.request('GET', '/api/v1/auth/providers');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toContainEqual({ slug, name: 'Acme ID', kind: 'oidc' });
  });

  it('creates a verified account on a first sign-in, and signs the same person in again', async () => {
    const { sub, email } = person();
    const first = signedIn(await signInWith(t, peer, slug, sub, undefined, '/t/somewhere?tab=1'));
    expect(first.user).toMatchObject({ email, email_verified: true });
    expect(first.return_to).toBe('/t/somewhere?tab=1');
    const me = await t.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${first.tokens.access_token}` } });
    expect(me.status).toBe(200);
    const [stored] = await t.sql<{ password_hash: string | null; method: string }>(
      `select u.password_hash, (select method from refresh_tokens r where r.user_id = u.id order by created_at desc limit 1) as method
         from users u where u.id = $1`,
      [first.user.id],
    );
    expect(stored).toEqual({ password_hash: null, method: 'oidc' });
    const again = signedIn(await signInWith(t, peer, slug, sub));
    expect(again.user.id).toBe(first.user.id);
    const identities = await t.sql('select subject from user_identities where user_id = $1', [first.user.id]);
    expect(identities).toEqual([{ subject: sub }]);
  });

  it('links an existing account when both the provider and the account have the email verified', async () => {
    const existing = await signUp(t);
    const { sub } = person(existing.email.toUpperCase());
    const outcome = signedIn(await signInWith(t, peer, slug, sub));
    expect(outcome.user.id).toBe(existing.id);
    const [audit] = await t.sql<{ data: Record<string, unknown> }>("select data from host_audit_log where action = 'auth.oidc.linked' and target_id = $1", [
      existing.id,
    ]);
    expect(audit?.data).toMatchObject({ provider: slug, by: 'email' });
  });

  it('asks for no one-time code after a provider sign-in, even with two-factor sign-in on (the provider is the authority)', async () => {
    const existing = await signUp(t);
    await t.sql('update users set totp_enabled = true, totp_secret = $2 where id = $1', [existing.id, 'v1.x.y.z']);
    const { sub } = person(existing.email);
    expect(signedIn(await signInWith(t, peer, slug, sub)).user.id).toBe(existing.id);
  });

  it('sends an unsafe return_to home', async () => {
    for (const unsafe of ['//evil.test/x', 'https://evil.test/', '/\\evil.test']) {
      const { sub } = person();
      expect(signedIn(await signInWith(t, peer, slug, sub, undefined, unsafe)).return_to).toBe('/');
    }
  });

  it('trades a completion code once only, and never a made-up one', async () => {
    const { sub } = person();
    const location = await callBack(await peer.authorize(await startAt(t, slug), { sub }));
    const code = /#code=(.+)$/.exec(location)![1]!;
    expect((await t.request('POST', '/api/v1/auth/oidc/complete', { body: { code } })).status).toBe(200);
    for (const again of [code, 'made-up']) {
      const refused = await t.request('POST', '/api/v1/auth/oidc/complete', { body: { code: again } });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'oidc_failed', errors: { code: ['code'] } });
    }
    expect((await refusals(t))[0]).toMatchObject({ reason: 'code' });
    const arabic = await t.request('POST', '/api/v1/auth/oidc/complete', { body: { code: 'made-up' }, headers: { 'accept-language': 'ar' } });
    expect(arabic.body).toMatchObject({ code: 'oidc_failed', message: 'رابط تسجيل الدخول هذا غير صالح أو منتهي الصلاحية؛ سجّل الدخول مرة أخرى' });
  });

  it('sends an unknown provider back to the login page', async () => {
    const location = await startAt(t, 'nobody-here');
    expect(location).toBe(`${t.url}/login?error=oidc_failed&reason=unknown_provider`);
  });
});

describe('refusals: audited, redirected to the login page, nothing linked or created', () => {
  async function expectRefused(reason: string, run: () => Promise<string>) {
    const before = await identityCounts(t);
    const location = await run();
    expect(location).toBe(`${t.url}/login?error=oidc_failed&reason=${reason}`);
    expect(await identityCounts(t)).toEqual(before);
    const [latest] = await refusals(t);
    expect(latest).toMatchObject({ reason, target_id: slug });
  }

  it('a callback without state', async () => {
    const { sub } = person();
    await expectRefused('state', async () => {
      const callback = new URL(await peer.authorize(await startAt(t, slug), { sub }));
      callback.searchParams.delete('state');
      return callBack(callback.toString());
    });
  });

  it('a forged state (a sign-in not started here)', async () => {
    const { sub } = person();
    await expectRefused('state', async () => {
      const callback = new URL(await peer.authorize(await startAt(t, slug), { sub }));
      callback.searchParams.set('state', 'forged-state-value');
      return callBack(callback.toString());
    });
  });

  it('a replayed callback', async () => {
    const { sub } = person();
    const callback = await peer.authorize(await startAt(t, slug), { sub });
    expect(await complete(t, await callBack(callback))).toHaveProperty('signedIn');
    const tokenRequests = peer.tokenRequests();
    await expectRefused('replayed', () => callBack(callback));
    expect(peer.tokenRequests()).toBe(tokenRequests);
  });

  it('a state started for another provider', async () => {
    const { sub } = person();
    const callback = await peer.authorize(await startAt(t, slug), { sub });
    const location = await callBack(callback.replace(`/oidc/${slug}/`, '/oidc/other-id/'));
    expect(location).toBe(`${t.url}/login?error=oidc_failed&reason=state`);
    expect((await refusals(t))[0]).toMatchObject({ reason: 'state', target_id: 'other-id' });
  });

  for (const [reason, knob] of [
    ['nonce', 'nextWrongNonce'],
    ['issuer', 'nextWrongIssuer'],
    ['audience', 'nextWrongAudience'],
    ['expired', 'nextExpired'],
  ] as const) {
    it(`an id_token with a wrong ${reason} claim`, async () => {
      const { sub } = person();
      await expectRefused(reason, async () => {
        const callback = await peer.authorize(await startAt(t, slug), { sub });
        peer[knob]();
        return callBack(callback);
      });
    });
  }

  it('an id_token signed by a key the provider does not publish', async () => {
    const { sub } = person();
    await expectRefused('signature', async () => {
      const callback = await peer.authorize(await startAt(t, slug), { sub });
      peer.nextForeignSignature();
      return callBack(callback);
    });
  });

  it('the person cancelling at the provider', async () => {
    await expectRefused('denied', async () => callBack(await peer.authorize(await startAt(t, slug), { deny: true })));
  });

  it('a provider email that is not verified (for a new account)', async () => {
    const { sub } = person(undefined, false);
    await expectRefused('email_unverified', async () => callBack(await peer.authorize(await startAt(t, slug), { sub })));
  });

  it('a provider email that is not verified (for an existing account: no takeover)', async () => {
    const victim = await signUp(t);
    const { sub } = person(victim.email, false);
    await expectRefused('email_unverified', async () => callBack(await peer.authorize(await startAt(t, slug), { sub })));
    expect(await t.sql('select 1 from user_identities where user_id = $1', [victim.id])).toEqual([]);
  });

  it('an existing account whose own email is not verified', async () => {
    const unverified = await signUp(t, { verified: false });
    const { sub } = person(unverified.email, true);
    await expectRefused('account_unverified', async () => callBack(await peer.authorize(await startAt(t, slug), { sub })));
  });

  it('a flow older than ten minutes', async () => {
    const { sub } = person();
    await expectRefused('flow_expired', async () => {
      const callback = await peer.authorize(await startAt(t, slug), { sub });
      const state = new URL(callback).searchParams.get('state')!;
      const { createHash } = await import('node:crypto');
      await t.sql("update oidc_flows set expires_at = now() - interval '1 second' where state_hash = $1", [createHash('sha256').update(state).digest('hex')]);
      return callBack(callback);
    });
  });
});
