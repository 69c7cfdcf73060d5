import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeFor } from '../../src/billing/stripe-billing-client.js';
import { paidPlan, stripeBillingKernel, type StripeBillingKernel } from './fixtures/stripe-kernel.js';

/** A webhook naming one tenant with another tenant's Stripe ids changes nothing of either. */
describe('Stripe billing webhooks: tenants kept apart', () => {
  let k: StripeBillingKernel;
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    k = await stripeBillingKernel(['acme', 'beta']);
    acme = k.t.tenants.acme!.tenant!.id;
    beta = k.t.tenants.beta!.tenant!.id;
    const plan = await paidPlan(k.t, { trialDays: 30 });
    await k.t.kernel.services.billing.changePlan(acme, { plan: plan.key, currency: 'USD' });
    await k.t.kernel.services.billing.changePlan(beta, { plan: plan.key, currency: 'USD' });
    await k.stand.deliver();
  });
  afterAll(() => k.close());

  const subOf = async (tenantId: string) => k.stand.subscriptions.get((await k.subscriptionOf(tenantId)).provider_subscription_id)!;
  const rows = async () => [await k.subscriptionOf(acme), await k.subscriptionOf(beta)];

  it('ignores a subscription whose metadata names another tenant than the one holding its customer', async () => {
    const before = await rows();
    const acmeSub = await subOf(acme);
    // Metadata rewritten to name beta (by mistake, or by someone with Dashboard access), then a change in Stripe.
    k.stand.setMetadata(acmeSub.id, { tenant_id: beta });
    const stripe = await stripeFor({ secretKey: 'sk_test_standin0123456789', webhookSecret: '', apiUrl: k.stand.url, automaticTax: false });
    await stripe.subscriptions.update(acmeSub.id, { cancel_at_period_end: true }, { idempotencyKey: 'isolation-cancel' });
    const events = await k.stand.deliver();
    expect(events.map((event) => event.type)).toEqual(['customer.subscription.updated']);
    expect(await rows()).toEqual(before);
    expect(before[1]!.provider_subscription_id).not.toBe(acmeSub.id);
  });

  it('a signed event about beta’s subscription is applied from Stripe’s state, never from its payload', async () => {
    const before = await rows();
    const betaSub = await subOf(beta);
    const forged = {
      ...k.stand.events.at(-1)!,
      id: 'evt_payload_says_deleted',
      type: 'customer.subscription.deleted',
      data: { object: { ...structuredClone(betaSub), status: 'canceled', metadata: { tenant_id: acme } } },
    };
    expect((await k.stand.send(forged)).status).toBe(200);
    const after = await rows();
    expect(after[1]).toMatchObject({ status: 'trialing', plan_id: before[1]!.plan_id, provider_subscription_id: betaSub.id });
    expect(after[0]).toEqual(before[0]);
  });

  it('an event for an unknown customer is acknowledged and writes no tenant’s rows', async () => {
    const before = await rows();
    const unknown = { ...structuredClone(await subOf(beta)), id: 'sub_unknown', customer: 'cus_unknown', metadata: { tenant_id: beta } };
    k.stand.subscriptions.set('sub_unknown', unknown);
    const answer = await k.stand.send({
      ...k.stand.events.at(-1)!,
      id: 'evt_unknown_customer',
      type: 'customer.subscription.updated',
      data: { object: unknown },
    });
    expect(answer.status).toBe(200);
    expect(await rows()).toEqual(before);
    expect(await k.t.sql('select count(*)::int as n from billing_invoices')).toEqual([{ n: 0 }]);
  });
});
