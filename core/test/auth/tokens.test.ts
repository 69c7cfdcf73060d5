import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, testPassword, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { freshIp, systemQuery, trustProxyEnv } from './auth-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const testSecret = new TextEncoder().encode('test-secret-test-secret-test-secret-0123');
const me = (accessToken: string) => t.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
const refresh = (refreshToken: string) => t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } });

/** The session (refresh-token family) a user's sign-up started. */
async function sessionOf(user: TestUser): Promise<string> {
  const [row] = await systemQuery<{ family_id: string }>(t, 'select family_id from refresh_tokens where user_id = $1', [user.id]);
  return row!.family_id;
}

/** An access token made outside the kernel: the claims of access-tokens.ts, with `overrides` (seconds for times). */
async function forgedToken(user: TestUser, options: { key?: Uint8Array; iat?: number; exp?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: await sessionOf(user), ver: 1, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer('plinth')
    .setAudience('plinth-api')
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 900)
    .sign(options.key ?? testSecret);
}

describe('access tokens', () => {
  it('accepts a token signed with the right key and the claims core issues (the control for the refusals below)', async () => {
    const user = await signUp(t);
    const response = await me(await forgedToken(user));
    expect(response.status).toBe(200);
    expect(response.body.data.id).toBe(user.id);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const user = await signUp(t);
    const unsigned = new UnsecuredJWT({ sid: await sessionOf(user), ver: 1, typ: 'access' })
      .setSubject(user.id)
      .setIssuer('plinth')
      .setAudience('plinth-api')
      .setIssuedAt()
      .setExpirationTime('15m')
      .encode();
    expect(JSON.parse(Buffer.from(unsigned.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'none' });
    const response = await me(unsigned);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('unauthenticated');
  });

  it('refuses a token signed with another key', async () => {
    const user = await signUp(t);
    const wrongKey = new TextEncoder().encode('another-secret-another-secret-another-0123');
    expect((await me(await forgedToken(user, { key: wrongKey }))).status).toBe(401);
  });

  it('refuses a token expired by one second', async () => {
    const user = await signUp(t);
    const now = Math.floor(Date.now() / 1000);
    expect((await me(await forgedToken(user, { iat: now - 901, exp: now - 1 }))).status).toBe(401);
  });

  it('refuses a refresh token presented as an access token', async () => {
    const user = await signUp(t);
    expect((await me(user.refreshToken)).status).toBe(401);
  });

  it('refuses requests without a token or with a malformed Authorization header', async () => {
    const user = await signUp(t);
    expect((await t.request('GET', '/api/v1/me')).status).toBe(401);
    expect((await t.request('GET', '/api/v1/me', { headers: { authorization: user.accessToken } })).status).toBe(401);
    expect((await me(`${user.accessToken.slice(0, -2)}xx`)).status).toBe(401);
  });
});

describe('refresh tokens', () => {
  it('rotate: the new pair works and the old refresh token stops working', async () => {
    const user = await signUp(t);
    const rotated = await refresh(user.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.refresh_token).not.toBe(user.refreshToken);
    expect((await me(rotated.body.data.access_token)).status).toBe(200);
    expect((await refresh(user.refreshToken)).status).toBe(401);
  });

  it('re-using a spent one revokes its whole family, newest token and the session’s access tokens included', async () => {
    const user = await signUp(t);
    const second = (await refresh(user.refreshToken)).body.data;
    const third = (await refresh(second.refresh_token)).body.data;
    const otherSession = (await t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password }, headers: freshIp() })).body.data
      .tokens;
    expect((await me(third.access_token)).status).toBe(200);

    expect((await refresh(second.refresh_token)).status).toBe(401);

    expect((await refresh(third.refresh_token)).status).toBe(401);
    expect((await me(third.access_token)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await me(otherSession.access_token)).status).toBe(200);
    expect((await refresh(otherSession.refresh_token)).status).toBe(200);
    const audited = await systemQuery(t, "select 1 from host_audit_log where action = 'auth.refresh.reused' and actor_user_id = $1", [user.id]);
    expect(audited).toHaveLength(1);
  });

  it('spends a refresh token once when it is presented concurrently (and treats the rest as reuse)', async () => {
    const user = await signUp(t);
    const responses = await Promise.all(Array.from({ length: 5 }, () => refresh(user.refreshToken)));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401, 401, 401, 401]);
    const winner = responses.find((response) => response.status === 200)!.body.data;
    expect((await refresh(winner.refresh_token)).status).toBe(401);
  });

  it.each([[{}], [{ refresh_token: 5 }], [{ refresh_token: '' }], [{ refresh_token: 'x', access_token: 'y' }]])('answers 422 to %o', async (body) => {
    expect((await t.request('POST', '/api/v1/auth/refresh', { body })).status).toBe(422);
  });

  it('answers 401 to an unknown refresh token', async () => {
    expect((await refresh('not-a-refresh-token')).status).toBe(401);
  });
});

describe('ending sessions', () => {
  it('logout: the session’s access token is refused on the very next request, other sessions live on', async () => {
    const user = await signUp(t);
    const other = (await t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password }, headers: freshIp() })).body.data
      .tokens;
    expect((await me(user.accessToken)).status).toBe(200);
    expect((await t.request('POST', '/api/v1/auth/logout', { body: { refresh_token: user.refreshToken } })).status).toBe(204);
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await refresh(user.refreshToken)).status).toBe(401);
    expect((await me(other.access_token)).status).toBe(200);
  });

  it('password reset: access tokens issued before it are refused', async () => {
    const user = await signUp(t);
    expect((await me(user.accessToken)).status).toBe(200);
    await t.request('POST', '/api/v1/auth/password/forgot', { body: { email: user.email }, headers: freshIp() });
    let text = '';
    await expect
      .poll(async () => (text = (await systemQuery<{ text: string }>(t, 'select text from mail_outbox where "to" = $1', [user.email]))[0]?.text ?? ''))
      .toContain('token=');
    const token = decodeURIComponent(/token=([\w-]+)/.exec(text)![1]!);
    const reset = await t.request('POST', '/api/v1/auth/password/reset', { body: { token, password: testPassword() }, headers: freshIp() });
    expect(reset.status).toBe(204);
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await me(await forgedToken(user))).status).toBe(401);
  });
});
