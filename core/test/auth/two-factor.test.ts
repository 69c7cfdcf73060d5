import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/secrets.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSignedIn, codeFor, freshIp, hostAuditOf, systemQuery, trustProxyEnv, turnOnTwoFactor, wrongCodeFor } from './auth-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const post = (path: string, user: TestUser | undefined, body?: unknown) =>
  t.request('POST', `/api/v1/auth/2fa/${path}`, { headers: { ...(user ? asSignedIn(user) : {}), ...freshIp() }, ...(body === undefined ? {} : { body }) });
const login = (user: TestUser, otp?: string) =>
  t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password, ...(otp === undefined ? {} : { otp }) }, headers: freshIp() });

describe('POST /auth/2fa/setup', () => {
  it('returns a new secret and otpauth URL, storing the secret sealed as pending', async () => {
    const user = await signUp(t);
    const response = await post('setup', user);
    expect(response.status).toBe(200);
    const { secret, otpauth_url } = response.body.data;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauth_url);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('Plinth');
    expect(decodeURIComponent(url.pathname)).toContain(user.email);
    const [row] = await systemQuery<{ totp_pending_secret: string; totp_enabled: boolean }>(
      t,
      'select totp_pending_secret, totp_enabled from users where id = $1',
      [user.id],
    );
    expect(row!.totp_enabled).toBe(false);
    expect(row!.totp_pending_secret).not.toContain(secret);
    expect(t.kernel.services.secretBox.open(row!.totp_pending_secret)).toBe(secret);
  });

  it('needs a signed-in user, refuses a body with fields, and 409s once 2FA is on', async () => {
    const user = await signUp(t);
    expect((await post('setup', undefined)).status).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/2fa/setup', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    const extra = await post('setup', user, { secret: 'AAAA' });
    expect(extra.status).toBe(422);
    expect(Object.keys(extra.body.errors)).toEqual(['secret']);
    await turnOnTwoFactor(t, user);
    expect((await post('setup', user)).status).toBe(409);
  });
});

describe('POST /auth/2fa/enable', () => {
  it('turns 2FA on with a current code, returns 10 recovery codes once, stores them hashed and audits', async () => {
    const user = await signUp(t);
    const { secret, recoveryCodes } = await turnOnTwoFactor(t, user);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    const stored = await systemQuery<{ code_hash: string }>(t, 'select code_hash from recovery_codes where user_id = $1', [user.id]);
    expect(stored.map((row) => row.code_hash).sort()).toEqual(recoveryCodes.map((code) => sha256(code)).sort());
    const [row] = await systemQuery<{ totp_secret: string; totp_pending_secret: string | null }>(
      t,
      'select totp_secret, totp_pending_secret from users where id = $1',
      [user.id],
    );
    expect(row!.totp_pending_secret).toBeNull();
    expect(t.kernel.services.secretBox.open(row!.totp_secret)).toBe(secret);
    expect((await t.request('GET', '/api/v1/me', { headers: asSignedIn(user) })).body.data.totp_enabled).toBe(true);
    expect(await hostAuditOf(t, 'auth.2fa.enabled', user.id)).toHaveLength(1);
    expect((await post('enable', user, { otp: codeFor(secret, 1) })).status).toBe(409);
  });

  it('refuses a wrong code (422 on otp) and needs setup first (409)', async () => {
    const user = await signUp(t);
    expect((await post('enable', user, { otp: '123456' })).status).toBe(409);
    const { secret } = (await post('setup', user)).body.data;
    const wrong = await post('enable', user, { otp: wrongCodeFor(secret) });
    expect(wrong.status).toBe(422);
    expect(Object.keys(wrong.body.errors)).toEqual(['otp']);
    const [row] = await systemQuery<{ totp_enabled: boolean }>(t, 'select totp_enabled from users where id = $1', [user.id]);
    expect(row!.totp_enabled).toBe(false);
  });

  it('answers 429 with Retry-After after 10 wrong codes for the account, even to the right code', async () => {
    const user = await signUp(t);
    const { secret } = (await post('setup', user)).body.data;
    for (let n = 0; n < 10; n += 1) expect((await post('enable', user, { otp: wrongCodeFor(secret) })).status).toBe(422);
    const refused = await post('enable', user, { otp: codeFor(secret) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it.each([[{}], [{ otp: 123456 }], [{ otp: '12' }], [{ otp: '123456', secret: 'AAAA' }]])('answers 422 to %o', async (body) => {
    const user = await signUp(t);
    await post('setup', user);
    expect((await post('enable', user, body)).status).toBe(422);
  });

  it('needs a signed-in user', async () => {
    expect((await post('enable', undefined, { otp: '123456' })).status).toBe(401);
  });
});

describe('signing in with 2FA on', () => {
  it('asks for a code, refuses wrong and replayed codes, accepts each code and recovery code once', async () => {
    const user = await signUp(t);
    const { secret, recoveryCodes, enableCode } = await turnOnTwoFactor(t, user);
    expect((await login(user)).body.code).toBe('otp_required');
    expect((await login(user, wrongCodeFor(secret))).body.code).toBe('otp_invalid');
    expect((await login(user, enableCode)).body.code).toBe('otp_invalid');
    const next = codeFor(secret, 1);
    expect((await login(user, next)).status).toBe(200);
    const replay = await login(user, next);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('otp_invalid');
    expect((await login(user, recoveryCodes[0]!.toUpperCase())).status).toBe(200);
    expect((await login(user, recoveryCodes[0]!)).body.code).toBe('otp_invalid');
  });
});

describe('POST /auth/2fa/disable', () => {
  it('turns 2FA off with the password and a current code, clearing the secret and recovery codes', async () => {
    const user = await signUp(t);
    const { secret } = await turnOnTwoFactor(t, user);
    expect((await post('disable', user, { password: user.password, otp: codeFor(secret, 1) })).status).toBe(204);
    const [row] = await systemQuery(t, 'select totp_enabled, totp_secret, totp_pending_secret, totp_last_step from users where id = $1', [user.id]);
    expect(row).toEqual({ totp_enabled: false, totp_secret: null, totp_pending_secret: null, totp_last_step: null });
    expect(await systemQuery(t, 'select 1 from recovery_codes where user_id = $1', [user.id])).toEqual([]);
    expect(await hostAuditOf(t, 'auth.2fa.disabled', user.id)).toHaveLength(1);
    expect((await login(user)).status).toBe(200);
    expect((await post('disable', user, { password: user.password, otp: codeFor(secret, 1) })).status).toBe(409);
  });

  it('accepts a recovery code instead of a current code', async () => {
    const user = await signUp(t);
    const { recoveryCodes } = await turnOnTwoFactor(t, user);
    expect((await post('disable', user, { password: user.password, otp: recoveryCodes[3] })).status).toBe(204);
  });

  it('refuses a wrong password, a wrong or replayed code, and keeps 2FA on', async () => {
    const user = await signUp(t);
    const { secret, enableCode } = await turnOnTwoFactor(t, user);
    const wrongPassword = await post('disable', user, { password: 'not-the-password', otp: codeFor(secret, 1) });
    expect(wrongPassword.status).toBe(422);
    expect(Object.keys(wrongPassword.body.errors)).toEqual(['password']);
    for (const otp of [wrongCodeFor(secret), enableCode, 'aaaa-bbbb-cccc']) {
      const response = await post('disable', user, { password: user.password, otp });
      expect(response.status).toBe(422);
      expect(Object.keys(response.body.errors)).toEqual(['otp']);
    }
    expect((await login(user)).body.code).toBe('otp_required');
  });

  it('answers 429 after 10 failures for the account', async () => {
    const user = await signUp(t);
    const { secret } = await turnOnTwoFactor(t, user);
    for (let n = 0; n < 10; n += 1) expect((await post('disable', user, { password: user.password, otp: wrongCodeFor(secret) })).status).toBe(422);
    const refused = await post('disable', user, { password: user.password, otp: codeFor(secret, 1) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });

  it.each([[{ otp: '123456' }], [{ password: 'x' }], [{ password: 1, otp: '123456' }], [{ password: 'x', otp: '123456', force: true }]])(
    'answers 422 to %o',
    async (body) => {
      const user = await signUp(t);
      await turnOnTwoFactor(t, user);
      expect((await post('disable', user, body)).status).toBe(422);
    },
  );

  it('needs a signed-in user and 2FA on', async () => {
    const user = await signUp(t);
    expect((await post('disable', undefined, { password: user.password, otp: '123456' })).status).toBe(401);
    expect((await post('disable', user, { password: user.password, otp: '123456' })).status).toBe(409);
  });
});
