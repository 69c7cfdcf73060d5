import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import type { StripeProvider } from '../../src/billing/stripe-provider.js';
import { paidPlan, sessionOf, stripeBillingKernel, type StripeBillingKernel } from './fixtures/stripe-kernel.js';

describe('Stripe billing: a plan change prorated and invoiced by Stripe', () => {
  let k: StripeBillingKernel;
  let tenantId: string;
  let basic: { id: string; key: string };
  let plus: { id: string; key: string };

  beforeAll(async () => {
    k = await stripeBillingKernel();
    tenantId = k.t.tenants.acme!.tenant!.id;
    basic = await paidPlan(k.t, { amount: 1900 });
    plus = await paidPlan(k.t, { amount: 2900 });
  });
  afterAll(() => k.close());

  const subscription = () => [...k.stand.subscriptions.values()].find((sub) => sub.metadata.tenant_id === tenantId)!;
  const changes = () => k.stand.requests.filter((request) => request.method === 'POST' && request.path === `/v1/subscriptions/${subscription().id}`);

  it('a first paid plan without a trial goes through a hosted checkout, applied from its webhook', async () => {
    const answer = await k.t.kernel.services.billing.changePlan(tenantId, { plan: basic.key, currency: 'USD' });
    expect(answer.checkout_url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/cs_/);
    const checkout = k.stand.requests.find((request) => request.path === '/v1/checkout/sessions')!;
    expect(checkout.body).toMatchObject({ mode: 'subscription', subscription_data: { metadata: { tenant_id: tenantId, plan_id: basic.id } } });
    expect((await k.subscriptionOf(tenantId)).plan_id).not.toBe(basic.id);

    k.stand.completeCheckout(sessionOf(answer.checkout_url!), 'pays');
    await k.stand.deliver();
    expect(await k.subscriptionOf(tenantId)).toMatchObject({
      status: 'active',
      plan_id: basic.id,
      provider_subscription_id: subscription().id,
      payment_method: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 },
    });
    expect(await k.t.sql('select status, total from billing_invoices where tenant_id = $1', [tenantId])).toEqual([{ status: 'paid', total: 1900 }]);
  });

  it('an upgrade replaces the item’s price with proration_behavior always_invoice and an idempotency key', async () => {
    k.advanceDays(10);
    expect(await k.t.kernel.services.billing.changePlan(tenantId, { plan: plus.key })).toEqual({});
    const [change] = changes();
    expect(change!.body).toMatchObject({
      proration_behavior: 'always_invoice',
      items: [{ id: subscription().items.data[0].id }],
      metadata: { plan_id: plus.id },
    });
    expect(change!.idempotencyKey).toMatch(new RegExp(`:plan:${plus.key}:change$`));
    expect(await k.subscriptionOf(tenantId)).toMatchObject({ plan_id: plus.id, status: 'active' });

    await k.stand.deliver();
    const invoices = await k.t.sql<{ status: string; total: number; lines: { kind: string; amount: number }[] }>(
      'select status, total, lines from billing_invoices where tenant_id = $1 order by number',
      [tenantId],
    );
    expect(invoices).toHaveLength(2);
    const proration = invoices[1]!;
    expect(proration.status).toBe('paid');
    expect(proration.lines.map((line) => line.kind)).toEqual(['proration', 'proration']);
    expect(proration.total).toBe(proration.lines[0]!.amount + proration.lines[1]!.amount);
    expect(proration.total).toBeGreaterThan(0);
    expect(proration.total).toBeLessThan(1000);
  });

  it('the same change again is refused without a call to Stripe; a retried provider call is replayed, not charged twice', async () => {
    const calls = k.stand.requests.length;
    await expect(k.t.kernel.services.billing.changePlan(tenantId, { plan: plus.key })).rejects.toMatchObject({ code: 'subscription_unchanged', status: 409 });
    expect(k.stand.requests.length).toBe(calls);

    // The kernel lost Stripe's answer and retries the same operation (same version, same key).
    const [first] = changes();
    const invoicesBefore = k.stand.invoices.size;
    const provider = k.t.kernel.services.billing.provider as StripeProvider;
    await runAsSystem(k.t.kernel.services.database, async (db) => {
      const row = await k.t.kernel.services.billing.state.load(db, tenantId, { lock: true });
      const idempotencyKey = first!.idempotencyKey!.replace(/:change$/, '');
      const plan = (await k.t.kernel.services.entitlements.plans()).find((candidate) => candidate.id === plus.id)!;
      await provider.changePlan({ db, subscription: row, idempotencyKey, returnUrl: 'http://localhost/billing' }, { plan, price: plan.prices[0]! });
    });
    const retried = changes();
    expect(retried).toHaveLength(2);
    expect(retried[1]!.idempotencyKey).toBe(first!.idempotencyKey);
    expect(subscription().items.data).toHaveLength(1);
    expect(k.stand.invoices.size).toBe(invoicesBefore);
    await k.stand.deliver();
    expect(await k.t.sql('select count(*)::int as n from billing_invoices where tenant_id = $1', [tenantId])).toEqual([{ n: 2 }]);
    expect(await k.subscriptionOf(tenantId)).toMatchObject({ plan_id: plus.id, status: 'active' });
  });

  it('two concurrent upgrades over HTTP: one is made, the other answers 409 subscription_unchanged, one charge', async () => {
    const max = await paidPlan(k.t, { amount: 4900 });
    const headers = k.t.tenants.acme!.headers;
    const before = { changes: changes().length, invoices: k.stand.invoices.size };
    const answers = await Promise.all([0, 1].map(() => k.t.request('POST', '/api/v1/billing/subscription', { headers, body: { plan: max.key } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.code).toBe('subscription_unchanged');
    expect(changes().length).toBe(before.changes + 1);
    expect(k.stand.invoices.size).toBe(before.invoices + 1);
    await k.stand.deliver();
    expect(await k.subscriptionOf(tenantId)).toMatchObject({ plan_id: max.id, status: 'active' });
  });

  it('a paid add-on is a second subscription item, prorated on start and removed on end', async () => {
    await k.t.sql("insert into billing_plugin_prices (plugin, prices) values ('crm', $1)", [
      JSON.stringify([{ currency: 'USD', interval: 'month', amount: 500 }]),
    ]);
    await k.t.kernel.services.entitlements.invalidate();
    const planId = (await k.subscriptionOf(tenantId)).plan_id;
    await k.t.kernel.services.billing.startAddon(tenantId, 'crm');
    const added = k.stand.requests.find((request) => request.path === '/v1/subscription_items')!;
    expect(added.body).toMatchObject({ subscription: subscription().id, proration_behavior: 'always_invoice', metadata: { kind: 'addon', plugin: 'crm' } });
    expect(added.idempotencyKey).toMatch(/:addon:crm:addon$/);
    expect(subscription().items.data).toHaveLength(2);
    const [addon] = await k.t.sql<{ provider_item_id: string; status: string }>(
      'select provider_item_id, status from tenant_subscription_addons where tenant_id = $1',
      [tenantId],
    );
    expect(addon).toEqual({ provider_item_id: subscription().items.data[1].id, status: 'active' });
    const [refs] = await k.t.sql<{ provider_refs: Record<string, string> }>("select provider_refs from billing_plugin_prices where plugin = 'crm'");
    expect(refs!.provider_refs['USD:month']).toBe(subscription().items.data[1].price.id);

    await k.stand.deliver();
    expect(await k.subscriptionOf(tenantId)).toMatchObject({ plan_id: planId, status: 'active' });
    const [latest] = await k.t.sql<{ status: string; total: number; lines: { kind: string }[] }>(
      'select status, total, lines from billing_invoices where tenant_id = $1 order by number desc limit 1',
      [tenantId],
    );
    expect(latest).toMatchObject({ status: 'paid', lines: [{ kind: 'proration' }] });
    expect(latest!.total).toBeGreaterThan(0);
    expect(latest!.total).toBeLessThanOrEqual(500);

    await k.t.kernel.services.billing.endAddon(tenantId, 'crm');
    expect(k.stand.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/v1/subscription_items/${addon!.provider_item_id}` });
    expect(subscription().items.data).toHaveLength(1);
    expect(await k.t.sql('select status from tenant_subscription_addons where tenant_id = $1', [tenantId])).toEqual([{ status: 'ended' }]);
  });
});
