import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTenant } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { quotaPlugin } from './fixtures/quota-plugin.js';
import { insertPlan, moveToPlan } from './plan-helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let aPlan: { id: string; key: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [quotaPlugin] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await Promise.all([t.enable(a, 'quota'), t.enable(b, 'quota')]);
  aPlan = await insertPlan(t, { limits: { 'quota.cards': 2, members: 7 }, public: false });
  await moveToPlan(t, a.tenant!.id, aPlan.id);
  expect((await t.request('POST', '/api/v1/quota/cards', { headers: a.headers, body: { titles: ['a1', 'a2'] } })).status).toBe(201);
});
afterAll(() => t.close());

describe("one tenant's subscription and limits, from another", () => {
  it("are not visible: B's quotas are its own plan's, its counts its own rows", async () => {
    expect((await t.request('GET', '/api/v1/tenant', { headers: b.headers })).body.data.quotas.members).toBe(1000);
    expect((await t.request('GET', '/api/v1/quota/cards/limit', { headers: b.headers })).body.data).toEqual({ limit: 'quota.cards', max: null, used: 0 });
    // Row Level Security: B's transaction sees B's subscription row alone, and cannot count or guess A's.
    const seen = await runInTenant(t.kernel.services.database, b.tenant!.id, (db) =>
      db.query<{ tenant_id: string }>('select tenant_id from tenant_subscriptions union all select tenant_id from tenant_subscriptions where plan_id = $1', [
        aPlan.id,
      ]),
    );
    expect(seen).toEqual([{ tenant_id: b.tenant!.id }]);
  });

  it("cannot be read or changed by B through A's tenant, the admin routes or its own writes", async () => {
    const asB = { ...b.headers, 'x-tenant': a.tenant!.slug };
    expect((await t.request('GET', '/api/v1/tenant', { headers: asB })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/quota/cards', { headers: asB, body: { titles: ['x'] } })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/billing/plans', { headers: b.headers })).status).toBe(403);
    expect((await t.request('PATCH', `/api/v1/admin/billing/plans/${aPlan.id}`, { headers: b.headers, body: { limits: {} } })).status).toBe(403);
    // B writing within its own tenant touches nothing of A's.
    const denied = await runInTenant(t.kernel.services.database, b.tenant!.id, (db) =>
      db.query('update tenant_subscriptions set plan_id = plan_id where tenant_id = $1 returning id', [a.tenant!.id]),
    );
    expect(denied).toEqual([]);
    expect((await t.kernel.services.entitlements.planOf(a.tenant!.id)).key).toBe(aPlan.key);
    expect((await t.request('POST', '/api/v1/quota/cards', { headers: a.headers, body: { titles: ['a3'] } })).body.code).toBe('limit_reached');
    expect((await t.request('POST', '/api/v1/quota/cards', { headers: b.headers, body: { titles: ['b1', 'b2', 'b3'] } })).status).toBe(201);
  });
});
