import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paidPlan, stripeBillingKernel, stripeWebhookSecret, type StripeBillingKernel } from './fixtures/stripe-kernel.js';

describe('Stripe billing webhooks: signature and duplicates', () => {
  let k: StripeBillingKernel;
  let tenantId: string;

  beforeAll(async () => {
    k = await stripeBillingKernel();
    tenantId = k.t.tenants.acme!.tenant!.id;
    const plan = await paidPlan(k.t, { trialDays: 14 });
    await k.t.kernel.services.billing.changePlan(tenantId, { plan: plan.key, currency: 'USD' });
  });
  afterAll(() => k.close());

  const eventCount = async () => Number((await k.t.sql<{ n: string }>('select count(*) as n from billing_events'))[0]!.n);

  it('refuses a bad signature with 400 webhook_signature_invalid and writes nothing', async () => {
    const before = await k.subscriptionOf(tenantId);
    const events = before.status === 'trialing' ? k.stand.discardPending() : [];
    expect(events.length).toBeGreaterThan(0);
    const stored = await eventCount();
    for (const signature of [
      Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(events[0]), secret: 'whsec_another_secret_0123' }),
      Stripe.webhooks.generateTestHeaderString({
        payload: JSON.stringify(events[0]),
        secret: stripeWebhookSecret,
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      }),
      't=1,v1=00',
    ]) {
      const answer = await k.t.request('POST', '/api/v1/billing/webhooks/stripe', {
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: events[0],
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('webhook_signature_invalid');
    }
    const unsigned = await k.t.request('POST', '/api/v1/billing/webhooks/stripe', { body: events[0] });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.code).toBe('webhook_signature_invalid');
    // A body changed after signing does not verify either.
    const tampered = await k.stand.send({ ...events[0]!, id: 'evt_forged' }, 'whsec_wrong_0123456789');
    expect(tampered.status).toBe(400);
    expect(await eventCount()).toBe(stored);
    expect((await k.subscriptionOf(tenantId)).version).toBe(before.version);
  });

  it('applies an event once: a duplicate delivery is acknowledged and changes nothing', async () => {
    k.stand.setCard(k.stand.subscriptions.values().next().value!.customer, 'pays');
    const subscription = [...k.stand.subscriptions.values()][0]!;
    k.advanceDays(14);
    k.stand.renew(subscription.id);
    const delivered = await k.stand.deliver();
    const paid = delivered.find((event) => event.type === 'invoice.paid' && event.data.object.total > 0)!;
    const invoices = await k.t.sql('select id, status, attempt_count, number from billing_invoices where tenant_id = $1', [tenantId]);
    expect(invoices).toEqual([expect.objectContaining({ status: 'paid' })]);
    const row = await k.subscriptionOf(tenantId);
    expect(row.status).toBe('active');

    const again = await k.stand.send(paid);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ received: true, event_id: paid.id, duplicate: true });
    const [twice, thrice] = await Promise.all([k.stand.send(paid), k.stand.send(paid)]);
    expect([twice.body.data.duplicate, thrice.body.data.duplicate]).toEqual([true, true]);
    expect(await k.t.sql('select id, status, attempt_count, number from billing_invoices where tenant_id = $1', [tenantId])).toEqual(invoices);
    expect((await k.subscriptionOf(tenantId)).version).toBe(row.version);
    expect(await k.t.sql('select count(*)::int as n from billing_events where event_id = $1', [paid.id])).toEqual([{ n: 1 }]);
  });
});
