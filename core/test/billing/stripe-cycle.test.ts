import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDunning } from '../../src/billing/dunning.js';
import { paidPlan, sessionOf, stripeBillingKernel, type StripeBillingKernel } from './fixtures/stripe-kernel.js';

/**
 * The whole cycle against the Stripe stand-in, driven through the official client, with signed webhooks and the
 * kernel's clock moved for its dunning steps: trial → paid → failed renewal → grace → read-only → paid again.
 */
describe('Stripe billing: the subscription cycle', () => {
  let k: StripeBillingKernel;
  let tenantId: string;
  let headers: Record<string, string>;
  let plan: { id: string; key: string };

  beforeAll(async () => {
    k = await stripeBillingKernel();
    tenantId = k.t.tenants.acme!.tenant!.id;
    headers = k.t.tenants.acme!.headers;
    plan = await paidPlan(k.t, { trialDays: 14 });
  });
  afterAll(() => k.close());

  const stripeSubscription = () => [...k.stand.subscriptions.values()].find((sub) => sub.metadata.tenant_id === tenantId)!;
  const createRole = (name: string) => k.t.request('POST', '/api/v1/roles', { headers, body: { name, permissions: [] } });

  it('starts a trial without a card: customer and subscription created through the official client', async () => {
    await k.t.sql("update tenant_subscriptions set country = 'DE', tax_id = 'DE123456789', billing_name = 'Acme GmbH' where tenant_id = $1", [tenantId]);
    const chosen = await k.t.request('POST', '/api/v1/billing/subscription', { headers, body: { plan: plan.key, currency: 'USD' } });
    expect(chosen.status).toBe(200);
    expect(chosen.body.data.checkout_url).toBeUndefined();
    expect(chosen.body.data).toMatchObject({ provider: 'stripe', plan: { key: plan.key }, subscription: { status: 'trialing', currency: 'USD' } });

    const customer = k.stand.requests.find((request) => request.path === '/v1/customers')!;
    expect(customer.body).toMatchObject({
      name: 'Acme GmbH',
      address: { country: 'DE' },
      tax_id_data: [{ type: 'eu_vat', value: 'DE123456789' }],
      metadata: { tenant_id: tenantId },
    });
    const created = k.stand.requests.find((request) => request.path === '/v1/subscriptions')!;
    expect(created.body).toMatchObject({
      trial_period_days: '14',
      payment_behavior: 'default_incomplete',
      metadata: { tenant_id: tenantId, plan_id: plan.id },
    });
    expect(
      k.stand.requests
        .filter((request) => request.method === 'POST')
        .every((request) => request.idempotencyKey && !request.idempotencyKey.startsWith('stripe-node')),
    ).toBe(true);
    // The price was created lazily and remembered on the plan.
    const [refs] = await k.t.sql<{ provider_refs: Record<string, string> }>('select provider_refs from billing_plans where id = $1', [plan.id]);
    expect(refs!.provider_refs['USD:month']).toMatch(/^price_/);

    await k.stand.deliver();
    const row = await k.subscriptionOf(tenantId);
    expect(row).toMatchObject({ status: 'trialing', plan_id: plan.id, provider: 'stripe', currency: 'USD', interval: 'month', billing_status: 'ok' });
    expect(row.provider_subscription_id).toBe(stripeSubscription().id);
    expect(row.trial_ends_at.getTime()).toBe(stripeSubscription().trial_end * 1000);
    // The trial's zero invoice is nothing to pay or show.
    expect(await k.t.sql('select id from billing_invoices where tenant_id = $1', [tenantId])).toEqual([]);

    // Three days before its end, Stripe's notice: the billing managers are told to add a card (once).
    const mailed = (await k.t.mailbox(k.t.tenants.acme!.email)).length;
    k.stand.trialWillEnd(stripeSubscription().id);
    const [notice] = await k.stand.deliver();
    await k.stand.send({ ...notice!, id: `${notice!.id}_again` });
    await k.t.drainJobs();
    const mail = await k.t.mailbox(k.t.tenants.acme!.email);
    expect(mail.slice(mailed).map((message) => message.subject)).toEqual([expect.stringMatching(/trial/i)]);
  });

  it('adds a card through a setup checkout, then the trial ends and the first invoice is paid', async () => {
    const page = await k.t.request('POST', '/api/v1/billing/payment-method', { headers });
    expect(page.status).toBe(200);
    const session = k.stand.completeCheckout(sessionOf(page.body.data.url), 'pays');
    expect(session.mode).toBe('setup');
    await k.stand.deliver();
    expect((await k.subscriptionOf(tenantId)).payment_method).toMatchObject({ brand: 'visa', last4: '4242' });

    k.advanceDays(14);
    k.stand.renew(stripeSubscription().id);
    const events = await k.stand.deliver();
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['invoice.finalized', 'invoice.paid', 'customer.subscription.updated']));
    const row = await k.subscriptionOf(tenantId);
    expect(row).toMatchObject({ status: 'active', billing_status: 'ok', trial_ends_at: null });
    expect(row.current_period_end.getTime()).toBe(stripeSubscription().items.data[0].current_period_end * 1000);
    const invoices = await k.t.sql('select status, total, currency, number, lines from billing_invoices where tenant_id = $1', [tenantId]);
    expect(invoices).toEqual([expect.objectContaining({ status: 'paid', total: 1900, currency: 'USD', number: expect.stringMatching(/^INV-\d{6}$/) })]);
    await k.t.drainJobs();
    const mail = await k.t.mailbox(k.t.tenants.acme!.email);
    expect(mail.filter((message) => message.attachments.some((file) => file.contentType === 'application/pdf'))).toHaveLength(1);
  });

  it('a failed renewal starts dunning: past due, then read only after the grace, while reads go on', async () => {
    k.stand.setCard(stripeSubscription().customer, 'declines');
    k.advanceDays(31);
    k.stand.renew(stripeSubscription().id);
    const mailed = (await k.t.mailbox(k.t.tenants.acme!.email)).length;
    await k.stand.deliver();
    let row = await k.subscriptionOf(tenantId);
    expect(row).toMatchObject({ status: 'past_due', billing_status: 'ok' });
    await k.t.drainJobs();
    expect((await k.t.mailbox(k.t.tenants.acme!.email)).slice(mailed).map((message) => message.subject)).toEqual([expect.stringMatching(/payment failed/i)]);
    expect(row.past_due_since).not.toBeNull();
    const open = await k.t.sql<{ id: string; status: string }>("select id, status from billing_invoices where tenant_id = $1 and status = 'open'", [tenantId]);
    expect(open).toHaveLength(1);
    expect((await createRole('during-grace')).status).toBe(201);

    k.advanceDays(3);
    await runDunning(k.t.kernel.services);
    expect((await k.subscriptionOf(tenantId)).status).toBe('past_due');

    k.advanceDays(5);
    await runDunning(k.t.kernel.services);
    row = await k.subscriptionOf(tenantId);
    expect(row).toMatchObject({ status: 'read_only', billing_status: 'read_only' });
    const refused = await createRole('while-read-only');
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('billing_read_only');
    expect((await k.t.request('GET', '/api/v1/roles', { headers })).status).toBe(200);

    // Stripe retrying the charge (declined again) and replaying its events does not undo the kernel's step.
    for (const event of k.stand.events.filter((entry) => entry.type === 'customer.subscription.updated'))
      await k.stand.send({ ...event, id: `${event.id}_replay` });
    expect((await k.subscriptionOf(tenantId)).status).toBe('read_only');
  });

  it('paying the open invoice with a working card ends dunning at once, and Stripe’s events agree', async () => {
    const [open] = await k.t.sql<{ id: string }>("select id from billing_invoices where tenant_id = $1 and status = 'open'", [tenantId]);
    const pay = () => k.t.request('POST', `/api/v1/billing/invoices/${open!.id}/pay`, { headers });
    // A declined retry answers 402; Stripe's webhook records the attempt, and the tenant stays read only.
    const declined = await pay();
    expect(declined.status).toBe(402);
    expect(declined.body.code).toBe('payment_method_required');
    await k.stand.deliver();
    expect(await k.t.sql('select status, attempt_count from billing_invoices where id = $1', [open!.id])).toEqual([{ status: 'open', attempt_count: 2 }]);
    expect((await k.subscriptionOf(tenantId)).status).toBe('read_only');

    k.stand.setCard(stripeSubscription().customer, 'pays');
    const paid = await pay();
    expect(paid.status).toBe(200);
    expect(paid.body.data).toMatchObject({ id: open!.id, status: 'paid' });
    const row = await k.subscriptionOf(tenantId);
    expect(row).toMatchObject({ status: 'active', billing_status: 'ok', past_due_since: null });
    expect((await createRole('after-paying')).status).toBe(201);

    await k.stand.deliver();
    const overview = await k.t.request('GET', '/api/v1/billing', { headers });
    expect(overview.body.data).toMatchObject({ billing_status: 'ok', plan: { key: plan.key }, subscription: { status: 'active', past_due_since: null } });
    expect(stripeSubscription().status).toBe('active');
    expect(await k.t.sql('select status, count(*)::int as n from billing_invoices where tenant_id = $1 group by status', [tenantId])).toEqual([
      { status: 'paid', n: 2 },
    ]);
  });
});
