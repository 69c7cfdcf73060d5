import { definePlugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginMisuseError } from '../../src/plugins/plugin-scope.js';
import { pluginLimits } from '../../src/billing/plugin-limits.js';
import { PluginError, validatePlugin } from '../../src/plugins/plugin-registry.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { quotaPlugin } from './fixtures/quota-plugin.js';
import { insertPlan, monthly, moveToPlan } from './plan-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [quotaPlugin] });
});
afterAll(() => t.close());

const price = async (plugin: string, prices: unknown[] | null) => {
  if (prices)
    await t.sql('insert into billing_plugin_prices (plugin, prices) values ($1, $2) on conflict (plugin) do update set prices = excluded.prices', [
      plugin,
      JSON.stringify(prices),
    ]);
  else await t.sql('delete from billing_plugin_prices where plugin = $1', [plugin]);
  await t.kernel.services.entitlements.invalidate();
};

describe('pluginAccess', () => {
  it('includes every unpriced plugin in a plan listing none; a priced one is an add-on, with the cheapest plan including it', async () => {
    const owner = await signUp(t, { tenant: true });
    const { entitlements } = t.kernel.services;
    await price('quota', null);
    expect(await entitlements.pluginAccess(owner.tenant!.id, 'quota')).toEqual({ included: true, addon: null, upgrade: null });

    await price('quota', [monthly(500)]);
    const business = await insertPlan(t, { plugins: ['quota'], prices: [monthly(9900)] });
    const team = await insertPlan(t, { plugins: ['quota'], prices: [{ currency: 'USD', interval: 'year', amount: 60_000 }] });
    await insertPlan(t, { plugins: ['quota'], prices: [monthly(100)], public: false });
    expect(await entitlements.pluginAccess(owner.tenant!.id, 'quota')).toEqual({
      included: false,
      addon: [monthly(500)],
      upgrade: { key: team.key, name: team.key },
    });

    // A plan listing its plugins includes those alone, priced or not.
    await moveToPlan(t, owner.tenant!.id, business.id);
    expect(await entitlements.pluginAccess(owner.tenant!.id, 'quota')).toEqual({ included: true, addon: null, upgrade: null });
    const bare = await insertPlan(t, { plugins: [], public: false });
    await moveToPlan(t, owner.tenant!.id, bare.id);
    await price('quota', null);
    // Unpriced again: the free plan, listing no plugins, includes it, and is the cheapest.
    expect(await entitlements.pluginAccess(owner.tenant!.id, 'quota')).toEqual({ included: false, addon: null, upgrade: { key: 'free', name: 'Free' } });
  });

  it('lists what a plan change would exceed: limits over the new maximum and enabled plugins it does not include', async () => {
    const owner = await signUp(t, { tenant: true });
    await t.enable(owner, 'quota');
    const created = await t.request('POST', '/api/v1/quota/cards', { headers: owner.headers, body: { titles: ['a', 'b', 'c'] } });
    expect(created.status).toBe(201);
    const { entitlements, database } = t.kernel.services;
    const small = await insertPlan(t, { limits: { 'quota.cards': 2, members: 5 }, plugins: [] });
    const roomy = await insertPlan(t, { limits: { 'quota.cards': 3 } });
    const { runAsSystem } = await import('../../src/db/scoped-db.js');
    const exceeds = (plan: { id: string }) =>
      runAsSystem(database, async (db) =>
        entitlements.exceeds(
          db,
          owner.tenant!.id,
          (await entitlements.plans()).find((row) => row.id === plan.id)!,
        ),
      );
    expect(await exceeds(small)).toEqual({ limits: [{ limit: 'quota.cards', max: 2, used: 3 }], plugins: ['quota'] });
    expect(await exceeds(roomy)).toEqual({ limits: [], plugins: [] });
    const usage = await runAsSystem(database, (db) => entitlements.usage(db, owner.tenant!.id));
    expect(usage).toEqual(
      expect.arrayContaining([
        { limit: 'members', max: 1000, used: 1 },
        { limit: 'api_tokens', max: 50, used: 0 },
        { limit: 'quota.cards', max: null, used: 3 },
      ]),
    );
  });
});

describe('a plugin’s limits declaration', () => {
  const base = { name: 'demo', version: '1.0.0', title: 'Demo', description: 'Demo', category: 'demo', requires: { core: '*' } };
  const usage = async () => 0;

  it('is refused at boot with a bad key, no label or no usage counter, naming the plugin', () => {
    expect(() => validatePlugin(definePlugin({ ...base, limits: { 'Bad Key': { label: 'Bad', usage } } }))).toThrow(PluginError);
    expect(() => validatePlugin(definePlugin({ ...base, limits: { 'Bad Key': { label: 'Bad', usage } } }))).toThrow(/plugin `demo`: limit "Bad Key"/);
    expect(() => validatePlugin(definePlugin({ ...base, limits: { items: { label: ' ', usage } } }))).toThrow(/limit items needs a label/);
    expect(() => validatePlugin(definePlugin({ ...base, limits: { items: { label: 'Items' } as never } }))).toThrow(/limit items needs a usage/);
    expect(() =>
      validatePlugin(definePlugin({ ...base, limits: { items: { label: 'Items', usage }, 'big_files-2': { label: 'Big files', usage } } })),
    ).not.toThrow();
  });

  it('makes coreServices.limits refuse a key the plugin did not declare, naming it', async () => {
    const limits = pluginLimits(quotaPlugin, { tenant: { id: 'x' }, db: {} } as never, t.kernel.services);
    await expect(limits.ensure('pages')).rejects.toThrow(PluginMisuseError);
    await expect(limits.ensure('pages')).rejects.toThrow('plugin `quota` has no limit `pages`');
    await expect(limits.ensure('cards', -1)).rejects.toThrow(/whole number/);
    await expect(limits.state('toString')).rejects.toThrow(PluginMisuseError);
  });
});
