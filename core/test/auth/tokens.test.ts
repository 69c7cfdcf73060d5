import { generateKeyPairSync } from 'node:crypto';
import { base64url, calculateJwkThumbprint, decodeJwt, importPKCS8, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, testPassword, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { freshIp, systemQuery, trustProxyEnv } from './auth-helpers.js';
import { activeSigningKey, algOf, forgeToken, kidOf, type ForgeOptions } from './tokens-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const me = (accessToken: string) => t.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
const refresh = (refreshToken: string) => t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } });

/** The session (refresh-token family) a user's sign-up started. */
async function sessionOf(user: TestUser): Promise<string> {
  const [row] = await systemQuery<{ family_id: string }>(t, 'select family_id from refresh_tokens where user_id = $1', [user.id]);
  return row!.family_id;
}

/** An access token made outside the kernel with its active key (a stolen key) and the claims core issues, unless told otherwise. */
async function forgedToken(user: TestUser, options: Partial<ForgeOptions> = {}): Promise<string> {
  return forgeToken({ key: await activeSigningKey(t), sub: user.id, sid: await sessionOf(user), iss: t.url, ...options });
}

/** A key pair of `alg` the kernel has never seen. */
function strangerKey(alg: 'EdDSA' | 'ES256'): Promise<CryptoKey> {
  const { privateKey } = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return importPKCS8(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, alg) as Promise<CryptoKey>;
}

/** Asserts that `token` is refused as `GET /me` with 401 `unauthenticated`. */
async function expectRefused(token: string): Promise<void> {
  const response = await me(token);
  expect(response.status).toBe(401);
  expect(response.body.code).toBe('unauthenticated');
}

describe('access tokens', () => {
  it('are EdDSA JWTs naming their key, issued by the host for plinth-api, with the session and the token version', async () => {
    const user = await signUp(t);
    const { kid } = await activeSigningKey(t);
    expect(algOf(user.accessToken)).toBe('EdDSA');
    expect(kidOf(user.accessToken)).toBe(kid);
    const claims = decodeJwt(user.accessToken);
    expect(claims).toMatchObject({ iss: t.url, aud: 'plinth-api', sub: user.id, sid: await sessionOf(user), ver: 1, typ: 'access' });
    expect(claims.exp! - claims.iat!).toBe(900);
  });

  it('accepts a token signed with the active key and the claims core issues (the control for the refusals below)', async () => {
    const user = await signUp(t);
    const response = await me(await forgedToken(user));
    expect(response.status).toBe(200);
    expect(response.body.data.id).toBe(user.id);
  });

  it('refuses an unsigned token (alg: none), even naming the active key', async () => {
    const user = await signUp(t);
    const unsigned = new UnsecuredJWT({ sid: await sessionOf(user), ver: 1, typ: 'access' })
      .setSubject(user.id)
      .setIssuer(t.url)
      .setAudience('plinth-api')
      .setIssuedAt()
      .setExpirationTime('15m')
      .encode();
    expect(JSON.parse(Buffer.from(unsigned.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'none' });
    await expectRefused(unsigned);
    const { kid } = await activeSigningKey(t);
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid }));
    await expectRefused(`${header}.${unsigned.split('.')[1]}.`);
  });

  it('refuses HS256 keyed with the public key (algorithm confusion), in each of its encodings', async () => {
    const user = await signUp(t);
    const jwks = (await t.request('GET', '/.well-known/jwks.json')).body as { keys: { kid: string; x: string }[] };
    const { kid } = await activeSigningKey(t);
    const published = jwks.keys.find((key) => key.kid === kid)!;
    const secrets = [new TextEncoder().encode(JSON.stringify(published)), base64url.decode(published.x), new TextEncoder().encode(published.x)];
    for (const secret of secrets) await expectRefused(await forgedToken(user, { key: { kid, alg: 'HS256', privateKey: secret } }));
  });

  it('refuses a token signed with another key under the active kid, with no kid, or with a kid nobody knows', async () => {
    const user = await signUp(t);
    const { kid } = await activeSigningKey(t);
    await expectRefused(await forgedToken(user, { key: { kid, alg: 'EdDSA', privateKey: await strangerKey('EdDSA') } }));
    await expectRefused(await forgedToken(user, { key: { kid, alg: 'ES256', privateKey: await strangerKey('ES256') } }));
    await expectRefused(await forgedToken(user, { noKid: true }));
    await expectRefused(await forgedToken(user, { key: { ...(await activeSigningKey(t)), kid: 'not-a-key-of-this-host' } }));
    // A key of its own, named by its own thumbprint as the host names its keys: unknown here.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const strangerKid = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK);
    const stranger = (await importPKCS8(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, 'EdDSA')) as CryptoKey;
    await expectRefused(await forgedToken(user, { key: { kid: strangerKid, alg: 'EdDSA', privateKey: stranger } }));
  });

  it('refuses a tampered payload (another user, a later expiry), and a token for another issuer, audience or type', async () => {
    const user = await signUp(t);
    const other = await signUp(t);
    const [header, , signature] = user.accessToken.split('.');
    const claims = decodeJwt(user.accessToken);
    for (const change of [{ sub: other.id }, { exp: claims.exp! + 3600 }, { ver: 2 }]) {
      await expectRefused(`${header}.${base64url.encode(JSON.stringify({ ...claims, ...change }))}.${signature}`);
    }
    expect((await me(user.accessToken)).status).toBe(200);
    await expectRefused(await forgedToken(user, { iss: 'https://another.example' }));
    await expectRefused(await forgedToken(user, { aud: 'another-api' }));
    await expectRefused(await forgedToken(user, { typ: 'refresh' }));
  });

  it('refuses a token expired by one second', async () => {
    const user = await signUp(t);
    const now = Math.floor(Date.now() / 1000);
    const response = await me(await forgedToken(user, { iat: now - 901, exp: now - 1 }));
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Access token expired');
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
    for (const garbage of ['a.b.c', 'x'.repeat(2000), `${base64url.encode('{"kid":5,"alg":"EdDSA"}')}.e30.`]) await expectRefused(garbage);
  });

  it('writes no audit entry for garbage tokens', async () => {
    await expectRefused('a.b.c');
    expect(await systemQuery(t, "select 1 from host_audit_log where action = 'auth.token.refused'")).toEqual([]);
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
      .poll(
        async () =>
          (text =
            (
              await systemQuery<{ text: string }>(t, 'select text from mail_outbox where "to" = $1 and text like $2', [user.email, '%reset-password?token=%'])
            )[0]?.text ?? ''),
      )
      .toContain('token=');
    const token = decodeURIComponent(/reset-password\?token=([\w%-]+)/.exec(text)![1]!);
    const reset = await t.request('POST', '/api/v1/auth/password/reset', { body: { token, password: testPassword() }, headers: freshIp() });
    expect(reset.status).toBe(204);
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await me(await forgedToken(user))).status).toBe(401);
  });
});
