import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { freshIp, trustProxyEnv } from './auth-helpers.js';

// `.ci/run` sets REDIS_URL; without it only the in-memory limits are tested.
const redisUrl = process.env.REDIS_URL;

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

const login = (email: string, password: string, ip = freshIp()) => t.request('POST', '/api/v1/auth/login', { body: { email, password }, headers: ip });

describe('sign-in under load and attack', () => {
  it('completes 50 parallel sign-ins, 10 per account (hashing is capped, not refused)', async () => {
    // An attempt counts against its account while it is checked, so at most 10 of one account are checked at once.
    const users = await Promise.all(Array.from({ length: 5 }, () => signUp(t)));
    const responses = await Promise.all(users.flatMap((user) => Array.from({ length: 10 }, () => login(user.email, user.password))));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((response) => response.body.data.tokens.refresh_token)).size).toBe(50);
  });

  it('checks at most the limit of wrong passwords sent at once: 16 in parallel after 6 get 4 checks and 12 refusals', async () => {
    const user = await signUp(t);
    for (let n = 0; n < 6; n += 1) expect((await login(user.email, `wrong-${n}`)).status).toBe(401);
    const burst = await Promise.all(Array.from({ length: 16 }, (_, n) => login(user.email, `burst-${n}`)));
    expect(statusCounts(burst)).toEqual({ 401: 4, 429: 12 });
    expect((await login(user.email, user.password)).status).toBe(429);
  });

  it('does not count sign-ins that succeed', async () => {
    const user = await signUp(t);
    for (let n = 0; n < 15; n += 1) expect((await login(user.email, user.password)).status).toBe(200);
    for (let n = 0; n < 10; n += 1) expect((await login(user.email, `wrong-${n}`)).status).toBe(401);
    expect((await login(user.email, 'wrong-again')).status).toBe(429);
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

describe.runIf(redisUrl)('sign-in limits shared through Redis', () => {
  const prefix = `test-${randomUUID()}:`;
  const shared = { ...trustProxyEnv, REDIS_URL: redisUrl!, PLINTH_REDIS_PREFIX: prefix };
  let a: TestKernel;
  let b: TestKernel;
  let other: TestKernel;
  beforeAll(async () => {
    // Two kernels on one database and one Redis with one prefix: two processes of one host.
    a = await createTestKernel({ env: shared });
    b = await createTestKernel({ env: shared, database: a.database });
    // A third with its own prefix: another host on the same Redis (here on the same database, to reach the same accounts).
    other = await createTestKernel({ env: { ...shared, PLINTH_REDIS_PREFIX: `test-${randomUUID()}:` }, database: a.database });
  });
  afterAll(async () => {
    await other?.close();
    await b?.close();
    await a?.close();
  });
  const loginAt = (kernel: TestKernel, email: string, password: string) =>
    kernel.request('POST', '/api/v1/auth/login', { body: { email, password }, headers: freshIp() });

  it('admits at most the limit across processes: 16 wrong passwords at once, split over two kernels, after 6', async () => {
    const user = await signUp(a);
    for (let n = 0; n < 6; n += 1) expect((await loginAt(n % 2 ? a : b, user.email, `wrong-${n}`)).status).toBe(401);
    const burst = await Promise.all(Array.from({ length: 16 }, (_, n) => loginAt(n % 2 ? a : b, user.email, `burst-${n}`)));
    expect(statusCounts(burst)).toEqual({ 401: 4, 429: 12 });
    expect((await loginAt(a, user.email, user.password)).status).toBe(429);
    expect((await loginAt(b, user.email, user.password)).status).toBe(429);
    // A host with another prefix keeps its own counts.
    expect((await loginAt(other, user.email, user.password)).status).toBe(200);
  });

  it('keeps the caches of hosts with different prefixes apart', async () => {
    const key = `probe:${randomUUID()}`;
    await a.kernel.services.cache.set(key, 'host a', 60_000);
    expect(await b.kernel.services.cache.get(key)).toBe('host a');
    expect(await other.kernel.services.cache.get(key)).toBeUndefined();
    await a.kernel.services.cache.delete(key);
  });
});

function statusCounts(responses: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
