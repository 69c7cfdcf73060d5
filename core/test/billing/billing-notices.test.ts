import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { movableClock, overview, paidPlan, runJob } from './billing-helpers.js';

/** Billing's emails, each once, in the tenant's language: a trial ending without a card, the failed charge, the reminder. */
describe('billing: notices in Arabic, once each', () => {
  const clock = movableClock('2026-02-01T08:00:00Z');
  let t: TestKernel;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestKernel({ services: { clock: () => clock } });
    owner = await signUp(t, { tenant: true });
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'ar' } })).status).toBe(200);
    const plan = await paidPlan(t, { prices: [{ currency: 'EGP', interval: 'month', amount: 50_000 }], trial_days: 14 });
    const chosen = await t.request('POST', '/api/v1/billing/subscription', { headers: owner.headers, body: { plan: plan.key, currency: 'EGP' } });
    expect(chosen.status).toBe(200);
    expect(chosen.body.data.subscription.status).toBe('trialing');
  });
  afterAll(() => t.close());

  const mails = async (text: string) => (await t.mailbox(owner.email)).filter((mail) => mail.subject.includes(text));

  it('tells of a trial ending without a card three days before, once', async () => {
    clock.advance(11, 60);
    await runJob(t, 'core.billing.dunning');
    await runJob(t, 'core.billing.dunning');
    expect(await mails('تنتهي الفترة التجريبية')).toHaveLength(1);
  });

  it('a trial ended without a card: the invoice is unpaid, past due, told in Arabic', async () => {
    clock.advance(3);
    await runJob(t, 'core.billing.renew');
    expect((await overview(t, owner)).subscription.status).toBe('past_due');
    const [failed] = await mails('تعذّر الدفع');
    expect(failed!.text).toContain('صفحة الفوترة');
  });

  it('reminds once halfway through the grace', async () => {
    clock.advance(3, 60 * 13);
    await runJob(t, 'core.billing.dunning');
    await runJob(t, 'core.billing.dunning');
    expect(await mails('تذكير')).toHaveLength(1);
    expect((await overview(t, owner)).billing_status).toBe('ok');
  });
});
