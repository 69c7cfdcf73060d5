import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';
import { paidPlan, stripeWebhookSecret } from './fixtures/stripe-kernel.js';

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Stripe billing when Stripe cannot be reached', () => {
  let t: TestKernel;

  beforeAll(async () => {
    t = await createTestKernel({
      tenants: ['acme'],
      env: {
        PLINTH_BILLING_PROVIDER: 'stripe',
        PLINTH_BILLING_STRIPE_SECRET_KEY: 'sk_test_standin0123456789',
        PLINTH_BILLING_STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
        PLINTH_BILLING_STRIPE_API_URL: `http://127.0.0.1:${await closedPort()}`,
      },
    });
  });
  afterAll(() => t.close());

  it('answers 503 billing_provider_unavailable and writes nothing', async () => {
    const owner = t.tenants.acme!;
    const plan = await paidPlan(t, { trialDays: 14 });
    const [before] = await t.sql('select * from tenant_subscriptions where tenant_id = $1', [owner.tenant!.id]);
    const answer = await t.request('POST', '/api/v1/billing/subscription', { headers: owner.headers, body: { plan: plan.key, currency: 'USD' } });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('billing_provider_unavailable');
    expect(await t.sql('select * from tenant_subscriptions where tenant_id = $1', [owner.tenant!.id])).toEqual([before]);
    expect(await t.sql('select provider_refs from billing_plans where id = $1', [plan.id])).toEqual([{ provider_refs: {} }]);
  });

  it('a webhook that cannot be applied answers 503 and is not recorded, so Stripe delivers it again', async () => {
    const payload = JSON.stringify({
      id: 'evt_unreachable',
      object: 'event',
      type: 'customer.subscription.updated',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'sub_unreachable', object: 'subscription' } },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripeWebhookSecret });
    const response = await fetch(`${t.url}/api/v1/billing/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('billing_provider_unavailable');
    expect(await t.sql("select count(*)::int as n from billing_events where event_id = 'evt_unreachable'")).toEqual([{ n: 0 }]);
  });
});
