import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { freshIp, trustProxyEnv } from './auth-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const login = (email: string, password: string, ip = freshIp()) => t.request('POST', '/api/v1/auth/login', { body: { email, password }, headers: ip });

describe('sign-in under load and attack', () => {
  it('completes 50 parallel sign-ins (hashing is capped, not refused)', async () => {
    const user = await signUp(t);
    const responses = await Promise.all(Array.from({ length: 50 }, () => login(user.email, user.password)));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((response) => response.body.data.tokens.refresh_token)).size).toBe(50);
  });

  it('locks an account after 10 failures from different IPs: the 11th attempt is 429 with Retry-After, right password or not', async () => {
    const user = await signUp(t);
    for (let n = 0; n < 10; n += 1) expect((await login(user.email, `wrong-${n}`)).status).toBe(401);
    const refused = await login(user.email, user.password);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
  });

  it('locks an IP after 10 failures across different emails, without locking those accounts elsewhere', async () => {
    const victim = await signUp(t);
    const ip = freshIp();
    for (let n = 0; n < 10; n += 1) expect((await login(`guess-${n}-${Date.now()}@example.test`, 'wrong-password', ip)).status).toBe(401);
    const refused = await login(victim.email, victim.password, ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await login(victim.email, victim.password)).status).toBe(200);
  });

  it('gives an unknown email the same answer as a known one with a wrong password', async () => {
    const user = await signUp(t);
    const known = await login(user.email, 'not-the-password');
    const unknown = await login(`nobody-${Date.now()}@example.test`, 'not-the-password');
    expect(known.status).toBe(401);
    expect(unknown.status).toBe(known.status);
    const { meta: _knownMeta, ...knownBody } = known.body;
    const { meta: _unknownMeta, ...unknownBody } = unknown.body;
    expect(unknownBody).toEqual(knownBody);
  });

  it('counts failures for unknown emails too, so probing for accounts is limited the same way', async () => {
    const email = `nobody-${Date.now()}@example.test`;
    for (let n = 0; n < 10; n += 1) expect((await login(email, 'wrong-password')).status).toBe(401);
    expect((await login(email, 'wrong-password')).status).toBe(429);
  });
});
