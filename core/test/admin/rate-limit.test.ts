import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';

let t: TestKernel;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  admin = await signUpSuperAdmin(t);
});
afterAll(() => t.close());

const minute = () => Math.floor(Date.now() / 60_000);

describe('per-tenant requests_per_minute quota', () => {
  it('answers 429 rate_limited with Retry-After beyond the quota, and leaves other tenants alone', async () => {
    const limited = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const quota = 3;
    const set = await t.request('PUT', `/api/v1/admin/tenants/${limited.tenant!.id}/quotas`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
      body: { requests_per_minute: quota },
    });
    expect(set.status).toBe(200);

    const startedIn = minute();
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<TestKernel['request']>> | undefined;
    while (!refused && statuses.length < 4 * quota) {
      const response = await t.request('GET', '/api/v1/tenant/domains', { headers: limited.headers });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(refused, `statuses ${statuses.join(',')}`).toBeDefined();
    expect(refused!.body.code).toBe('rate_limited');
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Within one fixed window exactly `quota` requests pass; a window boundary in between may admit up to one more window's worth.
    if (minute() === startedIn) expect(statuses).toEqual([200, 200, 200, 429]);
    else expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(2 * quota);

    const unaffected = await t.request('GET', '/api/v1/tenant/domains', { headers: other.headers });
    expect(unaffected.status).toBe(200);
    // Requests across tenants count per tenant: the limited one is still refused.
    if (minute() === startedIn) expect((await t.request('GET', '/api/v1/tenant/domains', { headers: limited.headers })).status).toBe(429);
  });
});
