import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { stripeFor } from '../../src/billing/stripe-billing-client.js';
import { applyStripeSubscription } from '../../src/billing/stripe-sync.js';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { paidPlan, stripeBillingKernel, type StripeBillingKernel } from './fixtures/stripe-kernel.js';

/** Events delivered late, reversed or again converge to Stripe's state: each is applied by re-reading its object. */
describe('Stripe billing webhooks: out of order and replayed', () => {
  let k: StripeBillingKernel;
  let tenantId: string;

  beforeAll(async () => {
    k = await stripeBillingKernel();
    tenantId = k.t.tenants.acme!.tenant!.id;
  });
  afterAll(() => k.close());

  /** Stripe's state as the kernel mirrors it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the stand-in's JSON
  const stripeState = (sub: Record<string, any>) => ({
    status: sub.status,
    provider_subscription_id: sub.id,
    cancel_at_period_end: sub.cancel_at_period_end,
    current_period_end: new Date(sub.items.data[0].current_period_end * 1000),
  });

  it('applies reversed events as Stripe’s final state, and a replay of all of them changes nothing', async () => {
    const plan = await paidPlan(k.t, { trialDays: 7 });
    await k.t.kernel.services.billing.changePlan(tenantId, { plan: plan.key, currency: 'USD' });
    const sub = [...k.stand.subscriptions.values()][0]!;
    // Stripe moves on while the kernel hears nothing: a card, the trial's end paid, a cancellation asked in the Dashboard.
    k.stand.setCard(sub.customer, 'pays');
    k.advanceDays(7);
    k.stand.renew(sub.id);
    const stripe = await stripeFor({ secretKey: 'sk_test_standin0123456789', webhookSecret: '', apiUrl: k.stand.url, automaticTax: false });
    await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true }, { idempotencyKey: 'dashboard-cancel' });

    const delivered = await k.stand.deliver((events) => [...events].reverse());
    expect(delivered.map((event) => event.type)).toContain('customer.subscription.created');
    expect(delivered.at(-1)!.type).toBe('customer.subscription.created');
    const row = await k.subscriptionOf(tenantId);
    expect(row).toMatchObject({ ...stripeState(sub), status: 'active', plan_id: plan.id, billing_status: 'ok' });
    expect(await k.t.sql('select status, total from billing_invoices where tenant_id = $1', [tenantId])).toEqual([{ status: 'paid', total: 1900 }]);

    // Every event again (Stripe's retries), shuffled: duplicates, acknowledged and not applied.
    for (const event of [...delivered].sort((a, b) => (a.id < b.id ? 1 : -1))) {
      const answer = await k.stand.send(event);
      expect(answer.body.data.duplicate).toBe(true);
    }
    expect(await k.subscriptionOf(tenantId)).toEqual(row);
  });

  it('an old event arriving after a newer state (re-sent under a new id) changes nothing: the current state is mirrored already', async () => {
    const sub = [...k.stand.subscriptions.values()][0]!;
    const created = k.stand.events.find((event) => event.type === 'customer.subscription.created')!;
    const before = await k.subscriptionOf(tenantId);
    // Its snapshot says trialing without a cancellation; Stripe's current state says otherwise.
    expect(created.data.object.status).toBe('trialing');
    const answer = await k.stand.send({ ...created, id: `${created.id}_late` });
    expect(answer.status).toBe(200);
    const after = await k.subscriptionOf(tenantId);
    expect(after).toMatchObject({ ...stripeState(sub), status: 'active', cancel_at_period_end: true });
    // Stripe's state was mirrored already: the same state read again writes no new version (and no audit entry).
    expect({ ...after, provider_synced_at: null }).toEqual({ ...before, provider_synced_at: null });
    expect(after.provider_synced_at.getTime()).toBeGreaterThanOrEqual(before.provider_synced_at.getTime());
  });

  it('a state read before the one applied last (two deliveries racing) is not applied over it', async () => {
    const before = await k.subscriptionOf(tenantId);
    const created = k.stand.events.find((event) => event.type === 'customer.subscription.created')!;
    const { billing, clock, database } = k.t.kernel.services;
    const readAt = new Date(before.provider_synced_at.getTime() - 1000);
    await runAsSystem(database, (db) =>
      applyStripeSubscription({ state: billing.state, clock }, db, tenantId, created.data.object as Stripe.Subscription, readAt),
    );
    expect(await k.subscriptionOf(tenantId)).toEqual(before);
  });

  it('a subscription deleted in Stripe moves the tenant back to the default plan, whatever came before it', async () => {
    const sub = [...k.stand.subscriptions.values()][0]!;
    Object.assign(sub, { status: 'canceled', canceled_at: Math.floor(Date.now() / 1000), ended_at: Math.floor(Date.now() / 1000) });
    const deleted = { ...k.stand.events.at(-1)!, id: 'evt_deleted_1', type: 'customer.subscription.deleted', data: { object: structuredClone(sub) } };
    const stale = { ...k.stand.events.find((event) => event.type === 'customer.subscription.updated')!, id: 'evt_stale_update' };
    expect((await k.stand.send(deleted)).status).toBe(200);
    expect((await k.stand.send(stale)).status).toBe(200);
    const [free] = await k.t.sql<{ id: string }>('select id from billing_plans where is_default');
    expect(await k.subscriptionOf(tenantId)).toMatchObject({ status: 'canceled', plan_id: free!.id, provider_subscription_id: null, billing_status: 'ok' });
  });
});
