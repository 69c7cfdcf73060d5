import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, testPassword, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSignedIn, codeFor, freshIp, hostAuditOf, systemQuery, trustProxyEnv, turnOnTwoFactor } from './auth-helpers.js';
import { activeSigningKey, forgeToken } from './tokens-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const chromeOnLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const safariOnIphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

interface Signed {
  accessToken: string;
  refreshToken: string;
}

/** Signs `user` in again (a new session) from a given browser and address. */
async function signIn(user: TestUser, userAgent: string, ip = freshIp()): Promise<Signed> {
  const response = await t.request('POST', '/api/v1/auth/login', {
    body: { email: user.email, password: user.password },
    headers: { ...ip, 'user-agent': userAgent },
  });
  expect(response.status).toBe(200);
  return { accessToken: response.body.data.tokens.access_token, refreshToken: response.body.data.tokens.refresh_token };
}

const sessions = (who: { accessToken: string }) => t.request('GET', '/api/v1/me/sessions', { headers: asSignedIn(who) });
const me = (who: { accessToken: string }) => t.request('GET', '/api/v1/me', { headers: asSignedIn(who) });
const refresh = (refreshToken: string) => t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } });

describe('GET /me/sessions', () => {
  it('lists live sessions, most recently used first: device, address, method, times, the current one marked', async () => {
    const user = await signUp(t);
    const phoneIp = { 'x-forwarded-for': '203.0.113.7' };
    const phone = await signIn(user, safariOnIphone, phoneIp);
    const laptop = await signIn(user, chromeOnLinux);

    const listed = await sessions(laptop);
    expect(listed.status).toBe(200);
    const data = listed.body.data as Record<string, unknown>[];
    expect(data).toHaveLength(3);
    expect(data[0]).toMatchObject({ current: true, method: 'password', device: { browser: 'Chrome', os: 'Linux', type: 'desktop' } });
    expect(data[1]).toMatchObject({ current: false, method: 'password', ip: '203.0.113.7', device: { browser: 'Safari', os: 'iOS', type: 'mobile' } });
    expect(data[2]).toMatchObject({ current: false, method: 'registration' });
    expect(new Set(data.map((session) => session.id)).size).toBe(3);
    for (const session of data) expect(Date.parse(session.last_used_at as string)).toBeGreaterThanOrEqual(Date.parse(session.created_at as string));

    // Refreshing the phone's session makes it the most recently used, and keeps how it began.
    const rotated = await refresh(phone.refreshToken);
    expect(rotated.status).toBe(200);
    const after = (await sessions(laptop)).body.data as Record<string, unknown>[];
    expect(after).toHaveLength(3);
    expect(after[0]).toMatchObject({ id: data[1]!.id, current: false, method: 'password', created_at: data[1]!.created_at });
    expect(Date.parse(after[0]!.last_used_at as string)).toBeGreaterThan(Date.parse(data[1]!.created_at as string) - 1);
  });

  it('leaves out ended sessions: signed out, replayed, expired', async () => {
    const user = await signUp(t);
    const loggedOut = await signIn(user, chromeOnLinux);
    expect((await t.request('POST', '/api/v1/auth/logout', { body: { refresh_token: loggedOut.refreshToken } })).status).toBe(204);
    const replayed = await signIn(user, chromeOnLinux);
    expect((await refresh(replayed.refreshToken)).status).toBe(200);
    expect((await refresh(replayed.refreshToken)).status).toBe(401);
    const expired = await signIn(user, chromeOnLinux);
    await systemQuery(
      t,
      "update refresh_tokens set expires_at = now() - interval '1 second' where family_id = (select family_id from refresh_tokens where user_id = $1 order by created_at desc limit 1)",
      [user.id],
    );
    const listed = (await sessions(user)).body.data as Record<string, unknown>[];
    expect(listed.map((session) => session.current)).toEqual([true]);
    for (const ended of [loggedOut, replayed, expired]) expect((await me(ended)).status).toBe(401);
  });
});

describe('DELETE /me/sessions/:id', () => {
  it('signs one session out: its access token is refused on its next request, its refresh token at once; audited', async () => {
    const user = await signUp(t);
    const other = await signIn(user, safariOnIphone);
    expect((await me(other)).status).toBe(200);
    const otherId = ((await sessions(other)).body.data as { id: string; current: boolean }[]).find((session) => session.current)!.id;

    const ended = await t.request('DELETE', `/api/v1/me/sessions/${otherId}`, { headers: asSignedIn(user) });
    expect(ended.status).toBe(204);
    const refused = await me(other);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('unauthenticated');
    expect((await refresh(other.refreshToken)).status).toBe(401);
    expect((await me(user)).status).toBe(200);
    expect(((await sessions(user)).body.data as unknown[]).length).toBe(1);
    expect(await hostAuditOf(t, 'auth.session.ended', otherId)).toHaveLength(1);
  });

  it("is 404 for another user's session and an unknown one, ending nothing", async () => {
    const user = await signUp(t);
    const stranger = await signUp(t);
    const theirs = ((await sessions(stranger)).body.data as { id: string }[])[0]!.id;
    for (const id of [theirs, '00000000-0000-4000-8000-000000000000']) {
      const response = await t.request('DELETE', `/api/v1/me/sessions/${id}`, { headers: asSignedIn(user) });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('not_found');
    }
    expect((await me(stranger)).status).toBe(200);
    expect((await refresh(stranger.refreshToken)).status).toBe(200);
  });

  it('ends the current session too when asked', async () => {
    const user = await signUp(t);
    const id = ((await sessions(user)).body.data as { id: string }[])[0]!.id;
    expect((await t.request('DELETE', `/api/v1/me/sessions/${id}`, { headers: asSignedIn(user) })).status).toBe(204);
    expect((await me(user)).status).toBe(401);
  });
});

describe('DELETE /me/sessions?others=true', () => {
  it('signs out every other session and keeps this one', async () => {
    const user = await signUp(t);
    const phone = await signIn(user, safariOnIphone);
    const tablet = await signIn(user, chromeOnLinux);
    const response = await t.request('DELETE', '/api/v1/me/sessions?others=true', { headers: asSignedIn(user) });
    expect(response.status).toBe(204);
    expect((await me(user)).status).toBe(200);
    for (const ended of [phone, tablet]) {
      expect((await me(ended)).status).toBe(401);
      expect((await refresh(ended.refreshToken)).status).toBe(401);
    }
    expect(((await sessions(user)).body.data as { current: boolean }[]).map((session) => session.current)).toEqual([true]);
    const [entry] = await hostAuditOf(t, 'auth.session.ended_others', user.id);
    expect(entry!.data).toEqual({ sessions: 2 });
  });

  it('is 422 without others=true, ending nothing', async () => {
    const user = await signUp(t);
    const phone = await signIn(user, safariOnIphone);
    for (const query of ['', '?others=false', '?others=maybe']) {
      const response = await t.request('DELETE', `/api/v1/me/sessions${query}`, { headers: asSignedIn(user) });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
    expect((await me(phone)).status).toBe(200);
  });
});

describe('access tokens name a live session of their user', () => {
  it('refuses a validly signed token whose sid is no session, or another user’s session', async () => {
    const user = await signUp(t);
    const other = await signUp(t);
    const key = await activeSigningKey(t);
    const otherSession = ((await sessions(other)).body.data as { id: string }[])[0]!.id;
    const userSession = ((await sessions(user)).body.data as { id: string }[])[0]!.id;
    const control = await forgeToken({ key, sub: user.id, sid: userSession, iss: t.url });
    expect((await me({ accessToken: control })).status).toBe(200);
    for (const sid of ['00000000-0000-4000-8000-000000000000', otherSession]) {
      const token = await forgeToken({ key, sub: user.id, sid, iss: t.url });
      const response = await me({ accessToken: token });
      expect(response.status).toBe(401);
      // Refused again from memory: still 401.
      expect((await me({ accessToken: token })).status).toBe(401);
    }
  });

  it('accepts a session started after the user’s state was cached', async () => {
    const user = await signUp(t);
    expect((await me(user)).status).toBe(200);
    const later = await signIn(user, chromeOnLinux);
    expect((await me(later)).status).toBe(200);
  });
});

describe('changing secrets ends the other sessions', () => {
  it('POST /me/password: a wrong current password is 422 and changes nothing', async () => {
    const user = await signUp(t);
    const phone = await signIn(user, safariOnIphone);
    const response = await t.request('POST', '/api/v1/me/password', {
      headers: asSignedIn(user),
      body: { current_password: 'not-the-password', new_password: testPassword() },
    });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(['current_password']);
    expect((await me(phone)).status).toBe(200);
    expect(await hostAuditOf(t, 'auth.password.change_failed', user.id)).toHaveLength(1);
  });

  it('POST /me/password: a weak new password is 422 on new_password', async () => {
    const user = await signUp(t);
    const response = await t.request('POST', '/api/v1/me/password', {
      headers: asSignedIn(user),
      body: { current_password: user.password, new_password: 'password1' },
    });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(['new_password']);
  });

  it('POST /me/password: the new password works, the old does not, other sessions end and this one stays', async () => {
    const user = await signUp(t);
    const phone = await signIn(user, safariOnIphone);
    const password = testPassword();
    const response = await t.request('POST', '/api/v1/me/password', {
      headers: asSignedIn(user),
      body: { current_password: user.password, new_password: password },
    });
    expect(response.status).toBe(204);
    expect((await me(user)).status).toBe(200);
    expect((await me(phone)).status).toBe(401);
    expect((await refresh(phone.refreshToken)).status).toBe(401);
    const login = (secret: string) => t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: secret }, headers: freshIp() });
    expect((await login(user.password)).status).toBe(401);
    expect((await login(password)).status).toBe(200);
    const [entry] = await hostAuditOf(t, 'auth.password.changed', user.id);
    expect(entry!.data).toEqual({ sessions_ended: 1 });
  });

  it('turning two-factor sign-in on, then off, each end the other sessions', async () => {
    const user = await signUp(t);
    const phone = await signIn(user, safariOnIphone);
    const { secret, recoveryCodes } = await turnOnTwoFactor(t, user);
    expect((await me(user)).status).toBe(200);
    expect((await me(phone)).status).toBe(401);

    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password, otp: codeFor(secret, 1) },
      headers: freshIp(),
    });
    expect(login.status).toBe(200);
    const laptop = { accessToken: login.body.data.tokens.access_token as string };
    expect((await me(laptop)).status).toBe(200);
    const disabled = await t.request('POST', '/api/v1/auth/2fa/disable', {
      headers: asSignedIn(user),
      body: { password: user.password, otp: recoveryCodes[0] },
    });
    expect(disabled.status).toBe(204);
    expect((await me(user)).status).toBe(200);
    expect((await me(laptop)).status).toBe(401);
  });
});

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl)('two processes sharing Redis', () => {
  // One host: one public URL (the tokens' issuer), one database, one Redis with one prefix.
  const shared = { ...trustProxyEnv, REDIS_URL: redisUrl!, PLINTH_REDIS_PREFIX: `test-${randomUUID()}:`, PLINTH_PUBLIC_URL: 'http://plinth.test' };
  let a: TestKernel;
  let b: TestKernel;
  beforeAll(async () => {
    a = await createTestKernel({ env: shared });
    b = await createTestKernel({ env: shared, database: a.database });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a session started on one is accepted on the other at once, though it had the user cached; one ended on one is refused on the other', async () => {
    const user = await signUp(a);
    const meAt = (kernel: TestKernel, accessToken: string) => kernel.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
    expect((await meAt(b, user.accessToken)).status).toBe(200);
    const login = await a.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password }, headers: freshIp() });
    const fresh = login.body.data.tokens.access_token as string;
    expect((await meAt(b, fresh)).status).toBe(200);

    expect((await a.request('DELETE', '/api/v1/me/sessions?others=true', { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(204);
    await expect.poll(async () => (await meAt(b, user.accessToken)).status).toBe(401);
    expect((await meAt(b, fresh)).status).toBe(200);
  });
});
