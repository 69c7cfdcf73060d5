import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { invoices, movableClock, overview, paidPlan, payOnPage, runJob } from './billing-helpers.js';

/**
 * Plan changes with the test provider: proration to the minor unit (March 2026 has 31 days), a net credit carried to
 * the next invoice with tax, the refusals (unchanged, currency, limits), concurrent upgrades, cancel and resume.
 */
describe('billing: plan changes with the test provider', () => {
  const clock = movableClock('2026-03-01T00:00:00Z');
  let t: TestKernel;
  let owner: TestUser;
  let basic: { id: string; key: string; name: string };
  let plus: { id: string; key: string; name: string };

  beforeAll(async () => {
    t = await createTestKernel({ services: { clock: () => clock }, env: { PLINTH_BILLING_TAX_RATES: '{"DE": 19}' } });
    basic = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'month', amount: 3000 }] });
    plus = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'month', amount: 6000 }] });
    owner = await signUp(t, { tenant: true });
  });
  afterAll(() => t.close());

  const choose = (plan: string, extra: Record<string, unknown> = {}) =>
    t.request('POST', '/api/v1/billing/subscription', { headers: owner.headers, body: { plan, ...extra } });

  it('a paid plan without a trial goes through the checkout page first', async () => {
    const chosen = await choose(basic.key);
    expect(chosen.status).toBe(200);
    expect(chosen.body.data.plan.key).toBe('free');
    expect(chosen.body.data.checkout_url).toMatch(/\/billing\/test-checkout\//);
    expect((await payOnPage(t, chosen.body.data.checkout_url, '4111 1111 1111 1111')).status).toBe(422);
    expect((await payOnPage(t, chosen.body.data.checkout_url, '4000 0000 0000 0341')).status).toBe(422);
    expect((await overview(t, owner)).plan.key).toBe('free');
    const paid = await payOnPage(t, chosen.body.data.checkout_url, '4242424242424242');
    expect(paid.status).toBe(303);
    expect(paid.location).toMatch(new RegExp(`/t/${owner.tenant!.slug}/settings/billing$`));
    const billing = await overview(t, owner);
    expect(billing).toMatchObject({ plan: { key: basic.key }, subscription: { status: 'active', current_period_end: '2026-04-01T00:00:00.000Z' } });
    expect((await invoices(t, owner))[0]).toMatchObject({ status: 'paid', total: 3000 });
    // The link is spent: the subscription moved on from the version it was made for.
    expect((await payOnPage(t, chosen.body.data.checkout_url, '4242424242424242')).status).toBe(422);
  });

  it('refuses the same plan and price, and a currency the plan is not sold in', async () => {
    const same = await choose(basic.key);
    expect(same.status).toBe(409);
    expect(same.body.code).toBe('subscription_unchanged');
    const euro = await choose(plus.key, { currency: 'EUR' });
    expect(euro.status).toBe(422);
    expect(euro.body.code).toBe('currency_not_offered');
    const yearly = await choose(plus.key, { interval: 'year' });
    expect(yearly.status).toBe(422);
  });

  it('upgrades now: credit for the unused old price, the new one for the rest of the period (21 of 31 days)', async () => {
    clock.set('2026-03-11T00:00:00Z');
    const upgraded = await choose(plus.key);
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.data).toMatchObject({ plan: { key: plus.key }, subscription: { current_period_end: '2026-04-01T00:00:00.000Z' } });
    const [invoice] = await invoices(t, owner);
    // 3000 × 21/31 = 2032.26 → 2032 back; 6000 × 21/31 = 4064.52 → 4065 due.
    expect(invoice!.lines.map((line) => line.amount)).toEqual([-2032, 4065]);
    expect(invoice).toMatchObject({ status: 'paid', total: 2033 });
  });

  it('downgrades now with a net credit (11 of 31 days left), taken off the next invoice before tax', async () => {
    clock.set('2026-03-21T00:00:00Z');
    const before = (await invoices(t, owner)).length;
    expect((await choose(basic.key)).status).toBe(200);
    // 6000 × 11/31 = 2129.03 → 2129 back; 3000 × 11/31 = 1064.52 → 1065 due: 1064 owed to the tenant.
    expect((await overview(t, owner)).subscription.credit_balance).toBe(1064);
    expect(await invoices(t, owner)).toHaveLength(before);

    const details = await t.request('PUT', '/api/v1/billing/details', {
      headers: owner.headers,
      body: { billing_name: 'Acme GmbH', billing_email: null, country: 'DE', tax_id: 'DE123', address: null },
    });
    expect(details.status).toBe(200);
    clock.set('2026-04-01T00:05:00Z');
    await runJob(t, 'core.billing.renew');
    const [renewal] = await invoices(t, owner);
    // 3000 − 1064 = 1936, tax 19% = 367.84 → 368.
    expect(renewal!.lines.map((line) => [line.kind, line.amount])).toEqual([
      ['plan', 3000],
      ['credit', -1064],
    ]);
    expect(renewal).toMatchObject({ status: 'paid', subtotal: 1936, tax: 368, total: 2304, billing_name: 'Acme GmbH', country: 'DE', tax_id: 'DE123' });
    expect((await overview(t, owner)).subscription).toMatchObject({ credit_balance: 0, current_period_end: '2026-05-01T00:00:00.000Z' });
  });

  it('two upgrades at once: one is charged, the other answers subscription_unchanged', async () => {
    const before = (await invoices(t, owner)).length;
    const answers = await Promise.all([choose(plus.key), choose(plus.key)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.code).toBe('subscription_unchanged');
    expect(await invoices(t, owner)).toHaveLength(before + 1);
  });

  it('refuses a downgrade the tenant has outgrown, listing every limit', async () => {
    const tiny = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'month', amount: 500 }], limits: { members: 0, api_tokens: 0 } });
    const token = await t.request('POST', '/api/v1/api-tokens', { headers: owner.headers, body: { name: 'ci', permissions: ['core.tenant.view'] } });
    expect(token.status).toBe(201);
    const refused = await choose(tiny.key);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('plan_change_exceeds_limits');
    expect(refused.body.errors).toEqual({ 'limits.members': ['1 used, the plan allows 0'], 'limits.api_tokens': ['1 used, the plan allows 0'] });
  });

  it('cancels at the period end, resumes, and once canceled moves to the free plan when the period ends', async () => {
    const canceled = await t.request('POST', '/api/v1/billing/subscription/cancel', { headers: owner.headers });
    expect(canceled.status).toBe(200);
    expect(canceled.body.data.subscription.cancel_at_period_end).toBe(true);
    expect((await t.request('POST', '/api/v1/billing/subscription/cancel', { headers: owner.headers })).body.code).toBe('subscription_unchanged');
    const resumed = await t.request('POST', '/api/v1/billing/subscription/resume', { headers: owner.headers });
    expect(resumed.body.data.subscription.cancel_at_period_end).toBe(false);
    expect((await choose('free')).status).toBe(200);
    expect((await overview(t, owner)).subscription.cancel_at_period_end).toBe(true);
    const count = (await invoices(t, owner)).length;
    clock.set('2026-05-01T00:05:00Z');
    await runJob(t, 'core.billing.renew');
    expect(await overview(t, owner)).toMatchObject({ plan: { key: 'free' }, subscription: { status: 'canceled', current_period_end: null } });
    expect(await invoices(t, owner)).toHaveLength(count);
  });
});
