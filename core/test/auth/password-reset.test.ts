import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/secrets.js';
import { createTestKernel, signUp, testPassword, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSignedIn, freshIp, hostAuditOf, systemQuery, trustProxyEnv } from './auth-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const forgot = (email: string, ip = freshIp()) => t.request('POST', '/api/v1/auth/password/forgot', { body: { email }, headers: ip });
const reset = (body: unknown, ip = freshIp()) => t.request('POST', '/api/v1/auth/password/reset', { body, headers: ip });

/** Waits for the reset mail to `user` (sent after the request commits) and returns the token of its link. */
async function tokenMailedTo(user: TestUser, previous = 0): Promise<string> {
  let mails: { text: string }[] = [];
  await expect
    .poll(async () => (mails = await systemQuery<{ text: string }>(t, 'select text from mail_outbox where "to" = $1 order by created_at', [user.email])).length)
    .toBe(previous + 1);
  const link = new RegExp(`${t.url.replace(/[.:/]/g, '\\$&')}/reset-password\\?token=([\\w-]+)`).exec(mails.at(-1)!.text);
  expect(link).not.toBeNull();
  return decodeURIComponent(link![1]!);
}

describe('POST /auth/password/forgot', () => {
  it('stores a hashed single-use token valid for an hour and mails a link to it', async () => {
    const user = await signUp(t);
    const response = await forgot(user.email.toUpperCase());
    expect(response.status).toBe(202);
    const token = await tokenMailedTo(user);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const [row] = await systemQuery<{ token_hash: string; ttl: number; used_at: Date | null }>(
      t,
      'select token_hash, extract(epoch from expires_at - created_at)::int as ttl, used_at from password_resets where user_id = $1',
      [user.id],
    );
    expect(row).toEqual({ token_hash: sha256(token), ttl: 3600, used_at: null });
  });

  it('answers an unknown email exactly like a known one, and stores and sends nothing', async () => {
    const user = await signUp(t);
    const [before] = await systemQuery<{ count: number }>(t, 'select count(*)::int as count from password_resets');
    const unknownEmail = `nobody-${Date.now()}@example.test`;
    const unknown = await forgot(unknownEmail);
    const known = await forgot(user.email);
    expect(unknown.status).toBe(202);
    expect(unknown.body.data).toEqual(known.body.data);
    await tokenMailedTo(user);
    const [after] = await systemQuery<{ count: number }>(t, 'select count(*)::int as count from password_resets');
    expect(after!.count).toBe(before!.count + 1);
    expect(await systemQuery(t, 'select 1 from mail_outbox where "to" = $1', [unknownEmail])).toEqual([]);
  });

  it('answers 429 with Retry-After after 10 requests from one IP, whatever the emails', async () => {
    const ip = freshIp();
    for (let n = 0; n < 10; n += 1) expect((await forgot(`someone-${n}@example.test`, ip)).status).toBe(202);
    const refused = await forgot('someone-else@example.test', ip);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await forgot('someone-else@example.test')).status).toBe(202);
  });

  it.each([
    [{}, 'email'],
    [{ email: 42 }, 'email'],
    [{ email: 'not-an-email' }, 'email'],
    [{ email: 'a@example.test', admin: true }, 'admin'],
  ])('answers 422 naming the field for %o', async (body, field) => {
    const response = await t.request('POST', '/api/v1/auth/password/forgot', { body, headers: freshIp() });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain(field);
  });
});

describe('POST /auth/password/reset', () => {
  it('sets the new password, spends the token, signs out every session and audits', async () => {
    const user = await signUp(t);
    await forgot(user.email);
    const token = await tokenMailedTo(user);
    expect((await t.request('GET', '/api/v1/me', { headers: asSignedIn(user) })).status).toBe(200);
    const newPassword = testPassword();

    expect((await reset({ token, password: newPassword })).status).toBe(204);

    expect((await t.request('GET', '/api/v1/me', { headers: asSignedIn(user) })).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: user.refreshToken } })).status).toBe(401);
    const login = (password: string) => t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password }, headers: freshIp() });
    expect((await login(user.password)).status).toBe(401);
    expect((await login(newPassword)).status).toBe(200);
    const again = await reset({ token, password: testPassword() });
    expect(again.status).toBe(422);
    expect(Object.keys(again.body.errors)).toEqual(['token']);
    expect(await hostAuditOf(t, 'auth.password.reset', user.id)).toHaveLength(1);
    const [row] = await systemQuery<{ token_version: number }>(t, 'select token_version from users where id = $1', [user.id]);
    expect(row!.token_version).toBe(2);
  });

  it('spends every outstanding link of the user with the one used', async () => {
    const user = await signUp(t);
    await forgot(user.email);
    const first = await tokenMailedTo(user);
    await forgot(user.email);
    const second = await tokenMailedTo(user, 1);
    expect((await reset({ token: second, password: testPassword() })).status).toBe(204);
    expect((await reset({ token: first, password: testPassword() })).status).toBe(422);
  });

  it('refuses an expired token', async () => {
    const user = await signUp(t);
    await forgot(user.email);
    const token = await tokenMailedTo(user);
    await systemQuery(t, "update password_resets set expires_at = now() - interval '1 second' where user_id = $1", [user.id]);
    const response = await reset({ token, password: testPassword() });
    expect(response.status).toBe(422);
    expect(response.body.errors.token).toBeDefined();
  });

  it('refuses a weak password without spending the token', async () => {
    const user = await signUp(t);
    await forgot(user.email);
    const token = await tokenMailedTo(user);
    for (const password of ['short', 'password1', user.email, 'x'.repeat(129)]) {
      const response = await reset({ token, password });
      expect(response.status).toBe(422);
      expect(Object.keys(response.body.errors)).toEqual(['password']);
    }
    expect((await reset({ token, password: testPassword() })).status).toBe(204);
  });

  it('answers 429 with Retry-After after 10 bad tokens from one IP, even for a good token', async () => {
    const user = await signUp(t);
    await forgot(user.email);
    const token = await tokenMailedTo(user);
    const ip = freshIp();
    for (let n = 0; n < 10; n += 1) expect((await reset({ token: `guess-${n}`, password: testPassword() }, ip)).status).toBe(422);
    const refused = await reset({ token, password: testPassword() }, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await reset({ token, password: testPassword() })).status).toBe(204);
  });

  it.each([
    [{ password: 'Pl1nth-long-enough' }, 'token'],
    [{ token: 'abc' }, 'password'],
    [{ token: 123, password: 'Pl1nth-long-enough' }, 'token'],
    [{ token: 'abc', password: ['Pl1nth-long-enough'] }, 'password'],
    [{ token: '', password: 'Pl1nth-long-enough' }, 'token'],
    [{ token: 'abc', password: 'Pl1nth-long-enough', user_id: 'x' }, 'user_id'],
  ])('answers 422 naming the field for %o', async (body, field) => {
    const response = await reset(body);
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain(field);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const response = await t.request('POST', '/api/v1/auth/password/reset', { body: '{"token":', headers: freshIp() });
    expect(response.status).toBe(400);
  });
});
