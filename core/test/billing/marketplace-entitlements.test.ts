import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, pricePlugin, putOnPlan, savePlan, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin } from '../plugins/fixtures/journal-plugin.js';
import { notesPlugin } from '../plugins/fixtures/notes-plugin.js';
import { tagsPlugin } from '../plugins/fixtures/tags-plugin.js';

// The marketplace under a plan (docs/billing.md §Paid plugins): what each plugin's entitlement says, refusals, and the
// paid add-on that enabling starts and disabling ends, through the test provider.
const journalPrice = { currency: 'USD', interval: 'month' as const, amount: 500 };
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, journalPlugin] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  // Free includes notes only; Team every plugin without a price; Business journal too. Journal is sold as an add-on.
  await savePlan(t, { key: 'free', name: 'Free', plugins: ['notes'] });
  await savePlan(t, { key: 'team', name: 'Team', prices: [{ currency: 'USD', interval: 'month', amount: 2900 }], sort: 1 });
  await savePlan(t, {
    key: 'business',
    name: 'Business',
    prices: [{ currency: 'USD', interval: 'month', amount: 9900 }],
    plugins: ['notes', 'tags', 'journal'],
    sort: 2,
  });
  await pricePlugin(t, 'journal', [journalPrice]);
});
afterAll(() => t?.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const entitlements = async (user: TestUser) =>
  Object.fromEntries(((await call(user, 'GET', '/marketplace')).body.data as { name: string; entitlement: unknown }[]).map((p) => [p.name, p.entitlement]));
const enabled = async (tenantId: string) =>
  (await t.sql<{ plugin: string }>('select plugin from tenant_plugins where tenant_id = $1 and enabled order by plugin', [tenantId])).map((row) => row.plugin);
const addons = (tenantId: string) =>
  t.sql<{ plugin: string; status: string }>('select plugin, status from tenant_subscription_addons where tenant_id = $1 order by started_at, status', [
    tenantId,
  ]);
const addonLines = async (tenantId: string) =>
  (
    await t.sql<{ lines: { kind: string; description: string; amount: number }[] }>(
      'select lines from billing_invoices where tenant_id = $1 order by issued_at',
      [tenantId],
    )
  )
    .flatMap((invoice) => invoice.lines)
    .filter((line) => line.kind === 'addon');

/** Subscribes the tenant to `plan` through the test provider's hosted page, paying with `card`. */
async function subscribe(user: TestUser, plan: string, card = '4242424242424242'): Promise<void> {
  const chosen = await call(user, 'POST', '/billing/subscription', { plan });
  expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
  expect(await payOnPage(chosen.body.data.checkout_url, card)).toBe(303);
}

/** Submits the test provider's hosted page with a card number: its status (303 back to the billing page once done). */
async function payOnPage(url: string, card: string): Promise<number> {
  const response = await fetch(`${t.url}${new URL(url).pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `card=${card}`,
  });
  return response.status;
}

/** Replaces the tenant's card through the test provider's hosted page. */
async function replaceCard(user: TestUser, card: string): Promise<void> {
  const page = await call(user, 'POST', '/billing/payment-method');
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  expect(await payOnPage(page.body.data.url, card)).toBe(303);
}

describe('the marketplace under a plan', () => {
  it('shows each plugin as included, sold as an add-on, or upgradeable, with the cheapest plan that includes it', async () => {
    expect(await entitlements(owner)).toEqual({
      notes: { included: true, addon: null, upgrade: null },
      tags: { included: false, addon: null, upgrade: { key: 'team', name: 'Team' } },
      journal: { included: false, addon: [journalPrice], upgrade: { key: 'business', name: 'Business' } },
    });
    const one = await call(owner, 'GET', '/marketplace/tags');
    expect(one.body.data.entitlement).toEqual({ included: false, addon: null, upgrade: { key: 'team', name: 'Team' } });
  });

  it('refuses a plugin the plan excludes (402, naming the plan that includes it), enabling nothing, its dependencies neither', async () => {
    const refused = await call(owner, 'POST', '/marketplace/tags/enable?with_dependencies=true', {});
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: 'plan_excludes_plugin', errors: { plugin: ['tags'], upgrade: ['team'] } });
    const arabic = await t.request('POST', '/api/v1/marketplace/tags/enable', { headers: { ...owner.headers, 'accept-language': 'ar' }, body: {} });
    expect(arabic.body.message).toContain('Team');
    expect(arabic.body.message).not.toContain('does not include');
    expect(await enabled(owner.tenant!.id)).toEqual([]);
  });

  it('asks for a paid subscription before an add-on starts (402 payment_method_required), enabling nothing', async () => {
    const refused = await call(owner, 'POST', '/marketplace/journal/enable', {});
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('payment_method_required');
    expect(await enabled(owner.tenant!.id)).toEqual([]);
    expect(await addons(owner.tenant!.id)).toEqual([]);
  });

  it('starts the add-on when a paid subscriber enables it, charging the rest of the period on an invoice line', async () => {
    await subscribe(owner, 'team');
    expect((await entitlements(owner)).tags).toEqual({ included: true, addon: null, upgrade: null });
    const enabledNow = await call(owner, 'POST', '/marketplace/journal/enable', {});
    expect(enabledNow.status, JSON.stringify(enabledNow.body)).toBe(200);
    expect(enabledNow.body.data).toMatchObject({ enabled: true, entitlement: { included: false, addon: [journalPrice] } });
    expect(await enabled(owner.tenant!.id)).toEqual(['journal']);
    expect(await addons(owner.tenant!.id)).toEqual([{ plugin: 'journal', status: 'active' }]);
    const [line, ...more] = await addonLines(owner.tenant!.id);
    expect(more).toEqual([]);
    expect(line!.description).toContain('journal');
    expect(line!.amount).toBeGreaterThan(0);
    expect(line!.amount).toBeLessThanOrEqual(journalPrice.amount);
    const overview = await call(owner, 'GET', '/billing');
    expect(overview.body.data.addons.map((addon: { plugin: string }) => addon.plugin)).toEqual(['journal']);
  });

  it('ends the add-on when the plugin is disabled, charging nothing more', async () => {
    const disabled = await call(owner, 'POST', '/marketplace/journal/disable');
    expect(disabled.status).toBe(200);
    expect(await addons(owner.tenant!.id)).toEqual([{ plugin: 'journal', status: 'ended' }]);
    expect(await addonLines(owner.tenant!.id)).toHaveLength(1);
  });

  it('starts one add-on, charged once, when two enables race', async () => {
    const racer = await signUp(t, { tenant: true });
    await subscribe(racer, 'team');
    const [first, second] = await Promise.all([call(racer, 'POST', '/marketplace/journal/enable', {}), call(racer, 'POST', '/marketplace/journal/enable', {})]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await addons(racer.tenant!.id)).toEqual([{ plugin: 'journal', status: 'active' }]);
    expect(await addonLines(racer.tenant!.id)).toHaveLength(1);
  });

  it('leaves the plugin disabled when the add-on cannot be charged (a declining card)', async () => {
    await replaceCard(owner, '4000000000000341');
    const refused = await call(owner, 'POST', '/marketplace/journal/enable', {});
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('payment_method_required');
    expect(await enabled(owner.tenant!.id)).toEqual([]);
    expect((await addons(owner.tenant!.id)).filter((addon) => addon.status === 'active')).toEqual([]);
    // Only the first enable's line: the declined charge issued no invoice.
    expect(await addonLines(owner.tenant!.id)).toHaveLength(1);
  });

  it("never lets another tenant see or ride on this tenant's plan and add-ons", async () => {
    expect((await entitlements(other)).journal).toEqual({ included: false, addon: [journalPrice], upgrade: { key: 'business', name: 'Business' } });
    expect((await call(other, 'POST', '/marketplace/tags/enable', {})).status).toBe(402);
    expect((await call(other, 'POST', '/marketplace/journal/enable', {})).body.code).toBe('payment_method_required');
    expect(await enabled(other.tenant!.id)).toEqual([]);
    // Its own add-ons and invoices are none: nothing of the owner's shows through its rows either.
    expect(await addons(other.tenant!.id)).toEqual([]);
    expect((await call(other, 'GET', '/billing')).body.data.addons).toEqual([]);
  });

  it('includes the plugin at no charge on a plan that lists it', async () => {
    await putOnPlan(t, other.tenant!.id, {
      key: 'business',
      name: 'Business',
      prices: [{ currency: 'USD', interval: 'month', amount: 9900 }],
      plugins: ['notes', 'tags', 'journal'],
      sort: 2,
    });
    expect((await call(other, 'POST', '/marketplace/journal/enable', {})).status).toBe(200);
    expect(await addons(other.tenant!.id)).toEqual([]);
  });
});
