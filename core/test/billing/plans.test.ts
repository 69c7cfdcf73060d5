import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { quotaPlugin } from './fixtures/quota-plugin.js';
import { monthly, planKey } from './plan-helpers.js';

let t: TestKernel;
let admin: TestUser;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [quotaPlugin] });
  admin = await signUpSuperAdmin(t);
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const asAdmin = () => ({ authorization: `Bearer ${admin.accessToken}` });
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = asAdmin()) =>
  t.request(method, `/api/v1${path}`, { headers, body });
const hostAudit = (action: string, targetId: string) =>
  t.sql<{ data: Record<string, unknown>; actor_user_id: string }>('select data, actor_user_id from host_audit_log where action = $1 and target_id = $2', [
    action,
    targetId,
  ]);

async function createPlan(fields: Record<string, unknown> = {}) {
  const response = await call('POST', '/admin/billing/plans', { key: planKey(), name: 'Pro', ...fields });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data;
}

describe('plans, as a host administrator', () => {
  it('creates a plan with prices, trial, limits and plugins, audited; lists it with its tenant count', async () => {
    const key = planKey();
    const plan = await createPlan({
      key,
      description: 'For growing teams',
      prices: [monthly(1900), { currency: 'EUR', interval: 'year', amount: 19000 }],
      trial_days: 14,
      limits: { members: 10, 'quota.cards': 500, storage_bytes: null },
      plugins: ['quota'],
      sort: 2,
    });
    expect(plan).toMatchObject({
      key,
      name: 'Pro',
      description: 'For growing teams',
      trial_days: 14,
      limits: { members: 10, 'quota.cards': 500, storage_bytes: null },
      plugins: ['quota'],
      is_default: false,
      public: true,
      archived_at: null,
      tenants: 0,
    });
    expect((await hostAudit('admin.billing.plan_created', plan.id))[0]).toMatchObject({ actor_user_id: admin.id });
    const list = await call('GET', '/admin/billing/plans');
    expect(list.body.data.find((row: { key: string }) => row.key === 'free')).toMatchObject({ is_default: true, prices: [] });
    expect(list.body.data.find((row: { key: string }) => row.key === 'free').tenants).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/admin/billing/plans/${plan.id}`)).body.data).toEqual(plan);
    // The public list shows it without the tenant count, and with no credentials.
    const offered = await t.request('GET', '/api/v1/billing/plans');
    expect(offered.status).toBe(200);
    const shown = offered.body.data.find((row: { key: string }) => row.key === key);
    expect(shown).toMatchObject({ key, prices: plan.prices });
    expect(shown.tenants).toBeUndefined();
  });

  it('refuses bad plans with 422 naming the field: repeated price, unknown limit, plugin not installed, bad currency, negative amount', async () => {
    const refused = await call('POST', '/admin/billing/plans', {
      key: planKey(),
      name: 'Bad',
      prices: [monthly(100), monthly(200)],
      limits: { 'crm.contacts': 10, members: 3 },
      plugins: ['shop'],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual({
      'prices.1': ['repeats a price in USD per month'],
      'limits.crm.contacts': ['is not a limit this host knows'],
      'plugins.0': ['is not an installed plugin (shop)'],
    });
    for (const body of [
      { key: planKey(), name: 'X', prices: [{ currency: 'usd', interval: 'month', amount: 1 }] },
      { key: planKey(), name: 'X', prices: [{ currency: 'USD', interval: 'week', amount: 1 }] },
      { key: planKey(), name: 'X', prices: [monthly(-1)] },
      { key: planKey(), name: 'X', prices: [monthly(1.5)] },
      { key: planKey(), name: 'X', trial_days: 400 },
      { key: planKey(), name: 'X', limits: { members: -1 } },
      { key: 'Bad Key', name: 'X' },
      { key: planKey(), name: '' },
      { key: planKey(), name: 'X', unknown: 1 },
    ]) {
      const answer = await call('POST', '/admin/billing/plans', body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
    }
    expect(await t.sql("select 1 from billing_plans where name in ('Bad', 'X')")).toEqual([]);
  });

  it('refuses a key already taken with 409', async () => {
    const plan = await createPlan();
    const again = await call('POST', '/admin/billing/plans', { key: plan.key, name: 'Again' });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual({ key: ['is taken'] });
    expect((await call('POST', '/admin/billing/plans', { key: 'free', name: 'Free again' })).status).toBe(409);
  });

  it('changes a plan, audited with before and after; tenants on it get the new limits at once', async () => {
    const plan = await createPlan({ limits: { api_tokens: 5 } });
    const tenant = await signUp(t, { tenant: true });
    await t.sql('update tenant_subscriptions set plan_id = $2 where tenant_id = $1', [tenant.tenant!.id, plan.id]);
    await t.kernel.services.entitlements.invalidate(tenant.tenant!.id);
    expect((await t.request('GET', '/api/v1/tenant', { headers: tenant.headers })).body.data.quotas.api_tokens).toBe(5);

    const changed = await call('PATCH', `/admin/billing/plans/${plan.id}`, { limits: { api_tokens: 7 }, name: 'Pro 2', public: false });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ name: 'Pro 2', limits: { api_tokens: 7 }, public: false, tenants: 1 });
    const [entry] = await hostAudit('admin.billing.plan_changed', plan.id);
    expect(entry!.data).toMatchObject({ before: { name: 'Pro', limits: { api_tokens: 5 } }, after: { name: 'Pro 2', limits: { api_tokens: 7 } } });
    expect((await t.request('GET', '/api/v1/tenant', { headers: tenant.headers })).body.data.quotas.api_tokens).toBe(7);
    expect(await t.kernel.services.entitlements.limitsOf(tenant.tenant!.id)).toMatchObject({ api_tokens: 7 });
    // Not public any more: gone from the public list.
    expect((await t.request('GET', '/api/v1/billing/plans')).body.data.map((row: { key: string }) => row.key)).not.toContain(plan.key);

    for (const body of [{}, { key: 'other' }, { prices: [monthly(1), monthly(2)] }, { limits: { nope: 1 } }, { plugins: ['nope'] }]) {
      expect((await call('PATCH', `/admin/billing/plans/${plan.id}`, body)).status, JSON.stringify(body)).toBe(422);
    }
    expect((await call('PATCH', `/admin/billing/plans/${randomUUID()}`, { name: 'Ghost' })).status).toBe(404);
    expect((await call('PATCH', '/admin/billing/plans/not-a-uuid', { name: 'Ghost' })).status).toBe(422);
  });

  it('archives a plan: gone from the public list, tenants keep it; the default plan cannot be archived', async () => {
    const plan = await createPlan();
    const tenant = await signUp(t, { tenant: true });
    await t.sql('update tenant_subscriptions set plan_id = $2 where tenant_id = $1', [tenant.tenant!.id, plan.id]);
    const archived = await call('POST', `/admin/billing/plans/${plan.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.data.archived_at).not.toBeNull();
    expect(await hostAudit('admin.billing.plan_archived', plan.id)).toHaveLength(1);
    expect((await t.request('GET', '/api/v1/billing/plans')).body.data.map((row: { key: string }) => row.key)).not.toContain(plan.key);
    expect((await t.kernel.services.entitlements.planOf(tenant.tenant!.id)).key).toBe(plan.key);
    expect((await call('POST', `/admin/billing/plans/${plan.id}/archive`)).status).toBe(409);
    expect((await call('POST', `/admin/billing/plans/${plan.id}/default`)).status).toBe(409);
    const [free] = await t.sql<{ id: string }>("select id from billing_plans where key = 'free'");
    const refused = await call('POST', `/admin/billing/plans/${free!.id}/archive`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/default plan cannot be archived/);
  });

  it('makes another plan the default: new tenants get it, existing ones keep theirs; one default at a time', async () => {
    const plan = await createPlan({ limits: { members: 3 } });
    const before = await signUp(t, { tenant: true });
    const [a, b] = await Promise.all([call('POST', `/admin/billing/plans/${plan.id}/default`), call('POST', `/admin/billing/plans/${plan.id}/default`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await t.sql('select key from billing_plans where is_default')).toEqual([{ key: plan.key }]);
    expect(await hostAudit('admin.billing.plan_made_default', plan.id)).toHaveLength(1);
    const after = await signUp(t, { tenant: true });
    expect((await t.kernel.services.entitlements.planOf(after.tenant!.id)).key).toBe(plan.key);
    expect((await t.kernel.services.entitlements.planOf(before.tenant!.id)).key).toBe('free');
    const [free] = await t.sql<{ id: string }>("select id from billing_plans where key = 'free'");
    expect((await call('POST', `/admin/billing/plans/${free!.id}/default`)).body.data.is_default).toBe(true);
  });

  it('lists the limit catalogue: core quotas and the installed plugins’ limits', async () => {
    const catalogue = await call('GET', '/admin/billing/limits');
    expect(catalogue.body.data).toEqual([
      { limit: 'members', label: 'Members', plugin: null },
      { limit: 'api_tokens', label: 'API tokens', plugin: null },
      { limit: 'storage_bytes', label: 'Storage (bytes)', plugin: null },
      { limit: 'requests_per_minute', label: 'Requests per minute', plugin: null },
      { limit: 'quota.cards', label: 'Cards', plugin: 'quota' },
    ]);
  });

  it('prices a plugin as an add-on, changes and removes the price, audited; refuses unknown plugins and bad prices', async () => {
    const priced = await call('PUT', '/admin/billing/plugin-prices/quota', { prices: [monthly(500)] });
    expect(priced.status).toBe(200);
    expect(priced.body.data).toEqual({ plugin: 'quota', prices: [monthly(500)] });
    expect((await call('PUT', '/admin/billing/plugin-prices/quota', { prices: [monthly(700)] })).body.data.prices).toEqual([monthly(700)]);
    expect((await call('GET', '/admin/billing/plugin-prices')).body.data).toEqual([{ plugin: 'quota', prices: [monthly(700)] }]);
    const [entry] = await t.sql<{ data: unknown }>(
      "select data from host_audit_log where action = 'admin.billing.plugin_priced' order by created_at desc limit 1",
    );
    expect(entry!.data).toEqual({ before: [monthly(500)], after: [monthly(700)] });
    expect((await call('PUT', '/admin/billing/plugin-prices/shop', { prices: [monthly(500)] })).status).toBe(404);
    expect((await call('PUT', '/admin/billing/plugin-prices/quota', { prices: [] })).status).toBe(422);
    expect((await call('PUT', '/admin/billing/plugin-prices/quota', { prices: [monthly(1), monthly(2)] })).status).toBe(422);
    expect((await call('PUT', '/admin/billing/plugin-prices/Bad!', { prices: [monthly(1)] })).status).toBe(422);
    expect((await call('DELETE', '/admin/billing/plugin-prices/quota')).status).toBe(204);
    expect((await call('DELETE', '/admin/billing/plugin-prices/quota')).status).toBe(404);
    expect((await call('GET', '/admin/billing/plugin-prices')).body.data).toEqual([]);
  });

  it('is for host administrators only: 401 without a token, 403 for a tenant owner', async () => {
    const plan = await createPlan();
    const calls: [string, string, unknown?][] = [
      ['GET', '/admin/billing/plans'],
      ['POST', '/admin/billing/plans', { key: planKey(), name: 'Sneaky' }],
      ['GET', `/admin/billing/plans/${plan.id}`],
      ['PATCH', `/admin/billing/plans/${plan.id}`, { name: 'Sneaky' }],
      ['POST', `/admin/billing/plans/${plan.id}/archive`],
      ['POST', `/admin/billing/plans/${plan.id}/default`],
      ['GET', '/admin/billing/limits'],
      ['GET', '/admin/billing/plugin-prices'],
      ['PUT', '/admin/billing/plugin-prices/quota', { prices: [monthly(1)] }],
      ['DELETE', '/admin/billing/plugin-prices/quota'],
    ];
    for (const [method, path, body] of calls) {
      expect((await call(method, path, body, {})).status, `${method} ${path}`).toBe(401);
      expect((await call(method, path, body, owner.headers)).status, `${method} ${path}`).toBe(403);
    }
    expect((await call('GET', `/admin/billing/plans/${plan.id}`)).body.data).toMatchObject({ name: 'Pro', archived_at: null, is_default: false });
    expect(await t.sql('select 1 from billing_plugin_prices')).toEqual([]);
  });
});
