import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveLimits, effectiveQuotas, unlimitedQuota } from '../../src/billing/effective-limits.js';
import { defaultQuotas } from '../../src/tenancy/tenant-directory.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { insertPlan, monthly, moveToPlan } from './plan-helpers.js';

let t: TestKernel;
let admin: TestUser;
beforeAll(async () => {
  t = await createTestKernel();
  admin = await signUpSuperAdmin(t);
  // A host whose free plan is small: it lifts nothing below.
  await t.sql(`update billing_plans set limits = '{"members": 1, "storage_bytes": 10}' where key = 'free'`);
  await t.kernel.services.entitlements.invalidate();
});
afterAll(() => t.close());

const invite = (owner: TestUser, email: string) =>
  t.request('GET', '/api/v1/roles', { headers: owner.headers }).then((roles) =>
    t.request('POST', '/api/v1/invitations', {
      headers: owner.headers,
      body: { email, roles: [roles.body.data.find((role: { name: string }) => role.name === 'viewer').id] },
    }),
  );

describe('effective limits', () => {
  it('are the host defaults, then the plan, then the overrides, key by key', () => {
    expect(effectiveLimits({ members: 1000, api_tokens: 50 }, { members: 5, 'crm.contacts': 100 }, { api_tokens: 3 })).toEqual({
      members: 5,
      api_tokens: 3,
      'crm.contacts': 100,
    });
    expect(effectiveQuotas(defaultQuotas, { members: null, storage_bytes: 10 }, { storage_bytes: 20 })).toEqual({
      ...defaultQuotas,
      members: unlimitedQuota,
      storage_bytes: 20,
    });
  });

  it('follow the plan in the tenant’s quotas and its limits, with an administrator’s override winning', async () => {
    const owner = await signUp(t, { tenant: true });
    const plan = await insertPlan(t, { limits: { members: 2, api_tokens: 4, requests_per_minute: null }, public: false });
    await moveToPlan(t, owner.tenant!.id, plan.id);
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data.quotas).toEqual({
      members: 2,
      api_tokens: 4,
      requests_per_minute: unlimitedQuota,
      storage_bytes: defaultQuotas.storage_bytes,
    });
    const overridden = await t.request('PUT', `/api/v1/admin/tenants/${owner.tenant!.id}/quotas`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
      body: { members: 3 },
    });
    expect(overridden.status).toBe(200);
    expect(await t.kernel.services.entitlements.limitsOf(owner.tenant!.id)).toMatchObject({ members: 3, api_tokens: 4, requests_per_minute: null });
    expect((await t.request('GET', '/api/v1/tenant', { headers: owner.headers })).body.data.quotas.members).toBe(3);
    // Host administrators see the same: the plan, its limits in effect, the overrides alone.
    const asAdmin = await t.request('GET', `/api/v1/admin/tenants/${owner.tenant!.id}`, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(asAdmin.body.data).toMatchObject({ plan: plan.key, quotas: { members: 3, api_tokens: 4 }, quota_overrides: { members: 3 } });
  });

  it('refuse a member past the plan with limit_reached and the cheapest plan lifting it', async () => {
    const owner = await signUp(t, { tenant: true });
    const solo = await insertPlan(t, { limits: { members: 1 }, public: false });
    // Public plans allowing more members: the cheaper is suggested, whatever its interval.
    const team = await insertPlan(t, { limits: { members: 10 }, prices: [{ currency: 'USD', interval: 'year', amount: 12_000 }], sort: 2 });
    await insertPlan(t, { limits: { members: 50 }, prices: [monthly(4900)], sort: 1 });
    // Cheaper, but not enough members: not suggested.
    await insertPlan(t, { limits: { members: 1 }, prices: [monthly(100)] });
    await moveToPlan(t, owner.tenant!.id, solo.id);
    const refused = await invite(owner, `late-${Date.now()}@example.test`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'limit_reached',
      message: 'This organisation has reached its plan limit of 1 members',
      errors: { limit: ['members'], max: ['1'], used: ['1'], upgrade: [team.key] },
    });
    const arabic = await t.request('POST', '/api/v1/invitations', {
      headers: { ...owner.headers, 'accept-language': 'ar' },
      body: { email: `late-${Date.now()}@example.test`, roles: [] },
    });
    expect(arabic.body).toMatchObject({ code: 'limit_reached', message: 'بلغت هذه المؤسسة الحدّ الأقصى في خطتها: 1 (الأعضاء)' });
    await moveToPlan(t, owner.tenant!.id, team.id);
    expect((await invite(owner, `welcome-${Date.now()}@example.test`)).status).toBe(201);
  });

  it('name the plan with more room in a storage refusal', async () => {
    const owner = await signUp(t, { tenant: true });
    const tiny = await insertPlan(t, { limits: { storage_bytes: 10 }, public: false });
    // Without a price: cheaper than every plan the test above made.
    const roomy = await insertPlan(t, { limits: { storage_bytes: 10_000_000 } });
    await moveToPlan(t, owner.tenant!.id, tiny.id);
    const refused = await t.upload(owner, { name: 'notes.txt', type: 'text/plain', data: 'more than ten bytes of text' });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ code: 'storage_quota_exceeded', errors: { upgrade: [roomy.key] } });
  });
});
