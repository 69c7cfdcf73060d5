import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { quotaPlugin } from './fixtures/quota-plugin.js';
import { insertPlan, monthly, moveToPlan } from './plan-helpers.js';

let t: TestKernel;
let small: { id: string; key: string };
let pro: { id: string; key: string };
let unlimited: { id: string; key: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [quotaPlugin] });
  small = await insertPlan(t, { limits: { 'quota.cards': 2 }, public: false });
  pro = await insertPlan(t, { limits: { 'quota.cards': 100 }, prices: [monthly(1900)] });
  // Dearer, and lifts the limit too: not the one suggested.
  unlimited = await insertPlan(t, { limits: { 'quota.cards': null }, prices: [monthly(9900)] });
  // The default plan allows one card: it lifts nothing.
  await t.sql(`update billing_plans set limits = '{"quota.cards": 1}' where key = 'free'`);
  await t.kernel.services.entitlements.invalidate();
});
afterAll(() => t.close());

async function tenantOnSmallPlan(): Promise<TestUser> {
  const owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'quota');
  await moveToPlan(t, owner.tenant!.id, small.id);
  return owner;
}
const create = (user: TestUser, titles: string[], headers: Record<string, string> = {}) =>
  t.request('POST', '/api/v1/quota/cards', { headers: { ...user.headers, ...headers }, body: { titles } });

describe('a plugin limit through coreServices.limits', () => {
  it('creates up to the plan maximum, then refuses with limit_reached naming the limit, the usage and the cheapest plan lifting it', async () => {
    const owner = await tenantOnSmallPlan();
    expect((await create(owner, ['a', 'b'])).status).toBe(201);
    const refused = await create(owner, ['c']);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'limit_reached',
      message: 'This organisation has reached its plan limit of 2 cards',
      errors: { limit: ['quota.cards'], max: ['2'], used: ['2'], upgrade: [pro.key] },
    });
    const arabic = await create(owner, ['c'], { 'accept-language': 'ar' });
    expect(arabic.body.code).toBe('limit_reached');
    expect(arabic.body.message).toContain('البطاقات');
    expect((await t.sql('select count(*)::int as n from quota_cards where tenant_id = $1', [owner.tenant!.id]))[0]).toEqual({ n: 2 });
    expect((await t.request('GET', '/api/v1/quota/cards/limit', { headers: owner.headers })).body.data).toEqual({ limit: 'quota.cards', max: 2, used: 2 });
  });

  it('refuses a batch that would pass the maximum, leaving nothing written', async () => {
    const owner = await tenantOnSmallPlan();
    const refused = await create(owner, ['a', 'b', 'c']);
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toMatchObject({ used: ['0'], max: ['2'] });
    expect((await t.sql('select count(*)::int as n from quota_cards where tenant_id = $1', [owner.tenant!.id]))[0]).toEqual({ n: 0 });
  });

  it('lets exactly one of two concurrent creates at the edge through', async () => {
    const owner = await tenantOnSmallPlan();
    expect((await create(owner, ['a'])).status).toBe(201);
    const answers = await Promise.all([create(owner, ['b']), create(owner, ['c'])]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect((await t.sql('select count(*)::int as n from quota_cards where tenant_id = $1', [owner.tenant!.id]))[0]).toEqual({ n: 2 });
  });

  it('is unlimited on a plan whose limit is null, and counts each tenant alone', async () => {
    const free = await signUp(t, { tenant: true });
    await t.enable(free, 'quota');
    expect((await create(free, ['a', 'b'])).body).toMatchObject({ code: 'limit_reached', errors: { max: ['1'], used: ['0'] } });
    await moveToPlan(t, free.tenant!.id, unlimited.id);
    expect(
      (
        await create(
          free,
          Array.from({ length: 20 }, (_, i) => `card ${i}`),
        )
      ).status,
    ).toBe(201);
    expect((await t.request('GET', '/api/v1/quota/cards/limit', { headers: free.headers })).body.data).toEqual({ limit: 'quota.cards', max: null, used: 20 });
    // Another tenant's twenty cards do not count against a tenant on the small plan.
    const owner = await tenantOnSmallPlan();
    expect((await create(owner, ['a', 'b'])).status).toBe(201);
  });

  it('follows a plan change at once, and a host override over the plan', async () => {
    const owner = await tenantOnSmallPlan();
    expect((await create(owner, ['a', 'b'])).status).toBe(201);
    await moveToPlan(t, owner.tenant!.id, pro.id);
    expect((await create(owner, ['c'])).status).toBe(201);
    await t.sql(`update tenants set quotas = '{"quota.cards": 3}' where id = $1`, [owner.tenant!.id]);
    await t.kernel.services.entitlements.invalidate(owner.tenant!.id);
    const refused = await create(owner, ['d']);
    expect(refused.body).toMatchObject({ code: 'limit_reached', errors: { max: ['3'], used: ['3'] } });
    // An override is the host's word: no plan lifts it.
    expect(refused.body.errors.upgrade).toBeUndefined();
  });
});
