import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsPlugin } from '../src/index.js';
import { checkout } from './fixtures/acme-pay.js';
import { eventsNamed, paymentsApi } from './helpers.js';
import { startStripeStandIn, stripeCheckoutSession, stripeIntent, type StripeAnswer, type StripeRequest } from './stripe-server.js';

const WEBHOOK_SECRET = 'whsec_payer_flows_secret';
const PUBLISHABLE = 'pk_test_51PublishableKey';
const RETURN_URL = 'https://shop.example.test/c/acme/checkout/tok9/return';
const stripeClient = new Stripe('sk_test_for_signing_only');
let answer: (request: StripeRequest) => StripeAnswer;
let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
let t: TestKernel;
let element: TestUser;
let session: TestUser;
beforeAll(async () => {
  stripe = await startStripeStandIn((request) => answer(request));
  t = await createTestKernel({ plugins: [createPaymentsPlugin({ stripe: { apiBase: stripe.url } }), checkout] });
  [element, session] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  for (const [user, extra] of [
    [element, { publishable_key: PUBLISHABLE }],
    [session, { publishable_key: PUBLISHABLE, checkout: 'session' }],
  ] as const) {
    await t.enable(user, 'payments', { default_provider: 'stripe', return_origins: ['https://shop.example.test'] });
    await t.enable(user, 'checkout');
    const saved = await paymentsApi(t, user)('PUT', '/providers/stripe', {
      credentials: { secret_key: 'sk_test_51Key', webhook_secret: WEBHOOK_SECRET, ...extra },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

/** A webhook signed by the official client's test helper (Stripe's own scheme). */
function webhook(tenant: TestUser, type: string, object: Record<string, unknown>) {
  const payload = JSON.stringify({
    id: `evt_${Math.random().toString(36).slice(2)}`,
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  });
  const signature = stripeClient.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  return t.request('POST', `/api/v1/payments/webhooks/stripe/${tenant.tenant!.slug}`, {
    body: payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
}
const payer = (tenant: TestUser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.request(method, `/api/v1/payments${path}`, { headers: { 'x-tenant': tenant.tenant!.slug, ...headers }, body });
async function create(tenant: TestUser, amount: number) {
  const created = await paymentsApi(t, tenant)('POST', '/intents', { amount, currency: 'usd', provider: 'stripe', description: 'Course: Arabic 101' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data as { id: string; client_secret: string };
}
const status = async (id: string) => (await t.sql<{ status: string }>('select status from payments_intents where id = $1', [id]))[0]!.status;

describe('stripe, Payment Element', () => {
  it("keeps Stripe's client secret (sealed) and gives it only to the payer, with the publishable key", async () => {
    answer = () => ({ status: 200, body: stripeIntent('pi_el_1', { amount: 3000, currency: 'usd', status: 'requires_payment_method' }) });
    const intent = await create(element, 3000);
    const seen = await payer(element, 'GET', `/pay/${intent.id}`, undefined, { 'payment-client-secret': intent.client_secret });
    expect(seen.body.data).toMatchObject({
      status: 'requires_payment_method',
      next_action: { type: 'stripe_payment_element', client_secret: 'pi_el_1_secret_abc', publishable_key: PUBLISHABLE },
    });
    expect(JSON.stringify((await paymentsApi(t, element)('GET', `/intents/${intent.id}`)).body)).not.toContain('pi_el_1_secret_abc');
    const [row] = await t.sql<{ gateway_secret_sealed: string }>('select gateway_secret_sealed from payments_intents where id = $1', [intent.id]);
    expect(row!.gateway_secret_sealed).toBeTruthy();
    expect(row!.gateway_secret_sealed).not.toContain('pi_el_1_secret_abc');
    const method = await t.request('GET', '/api/v1/checkout/method', { headers: element.headers });
    expect(method.body.data).toEqual({ provider: 'stripe', kind: 'stripe', publishableKey: PUBLISHABLE, redirect: false });

    // The buyer confirms in the browser with Stripe.js; Stripe's signed webhook settles the intent.
    const hook = await webhook(element, 'payment_intent.succeeded', stripeIntent('pi_el_1', { amount: 3000, currency: 'usd', status: 'succeeded' }));
    expect(hook.status).toBe(200);
    expect(await status(intent.id)).toBe('succeeded');
    expect((await payer(element, 'GET', `/pay/${intent.id}`, undefined, { 'payment-client-secret': intent.client_secret })).body.data.next_action).toBeNull();
  });

  it('the browser return is checked with Stripe itself (PaymentsApi.completeReturn), not taken from the query', async () => {
    let stripeSays = 'processing';
    answer = (request) =>
      request.method === 'GET'
        ? { status: 200, body: stripeIntent('pi_el_2', { amount: 4000, currency: 'usd', status: stripeSays }) }
        : { status: 200, body: stripeIntent('pi_el_2', { amount: 4000, currency: 'usd', status: 'requires_payment_method' }) };
    const intent = await create(element, 4000);
    const back = (query: string) => t.request('GET', `/api/v1/checkout/return/stripe?${query}`, { headers: element.headers });
    expect((await back('payment_intent=pi_el_2&redirect_status=succeeded')).body.data).toMatchObject({ status: 'processing' });
    expect(stripe.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/payment_intents/pi_el_2' });
    stripeSays = 'succeeded';
    expect((await back('payment_intent=pi_el_2')).body.data).toMatchObject({ id: intent.id, status: 'succeeded', amount_captured: 4000 });
    expect((await back('payment_intent=not-an-id')).body.data).toBeNull();
  });
});

describe('stripe, Checkout Session', () => {
  it('confirming as the payer creates a session and redirects; the signed checkout.session.completed settles it', async () => {
    answer = (request) => {
      if (request.path === '/v1/checkout/sessions')
        return { status: 200, body: stripeCheckoutSession('cs_test_1', { amount_total: 2500, currency: 'usd', payment_status: 'unpaid', status: 'open' }) };
      return { status: 500, body: { error: { type: 'api_error', message: 'unexpected' } } };
    };
    const before = stripe.requests.length;
    const intent = await create(session, 2500);
    expect(stripe.requests.length).toBe(before); // no PaymentIntent until the buyer goes to Checkout
    const method = await t.request('GET', '/api/v1/checkout/method', { headers: session.headers });
    expect(method.body.data).toMatchObject({ kind: 'stripe', redirect: true });
    const missingReturn = await payer(session, 'POST', `/pay/${intent.id}/confirm`, { client_secret: intent.client_secret });
    expect(missingReturn.status).toBe(422);
    expect(await status(intent.id)).toBe('requires_payment_method');

    const confirmed = await payer(session, 'POST', `/pay/${intent.id}/confirm`, { client_secret: intent.client_secret, return_url: RETURN_URL });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.data).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'redirect', url: 'https://checkout.stripe.test/c/pay/cs_test_1' },
    });
    const created = stripe.requests.at(-1)!;
    expect(created.path).toBe('/v1/checkout/sessions');
    expect(created.headers['idempotency-key']).toBe(`plinth-session-${intent.id}`);
    expect(created.form).toMatchObject({
      mode: 'payment',
      client_reference_id: intent.id,
      success_url: `${RETURN_URL}?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: RETURN_URL,
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][unit_amount]': '2500',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][product_data][name]': 'Course: Arabic 101',
      'metadata[plinth_intent_id]': intent.id,
    });
    // A second press shows the same page again, without a new session.
    const again = await payer(session, 'POST', `/pay/${intent.id}/confirm`, { client_secret: intent.client_secret });
    expect(again.body.data.next_action).toEqual(confirmed.body.data.next_action);
    expect(stripe.requests.filter((request) => request.path === '/v1/checkout/sessions')).toHaveLength(1);

    const paid = stripeCheckoutSession('cs_test_1', { amount_total: 2500, currency: 'usd', payment_status: 'paid', status: 'complete' });
    expect((await webhook(session, 'checkout.session.completed', paid)).status).toBe(200);
    expect(await status(intent.id)).toBe('succeeded');
    const events = await eventsNamed(t, session.tenant!.id, 'payments.payment.succeeded');
    expect(events.filter((event) => event.intentId === intent.id)).toHaveLength(1);

    // Refunds name the session's PaymentIntent.
    answer = () => ({ status: 200, body: { id: 're_1', object: 'refund', status: 'succeeded', payment_intent: 'pi_for_cs_test_1' } });
    const refund = await paymentsApi(t, session)('POST', '/refunds', { intent_id: intent.id, amount: 500 });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(stripe.requests.at(-1)!.form).toMatchObject({ payment_intent: 'pi_for_cs_test_1', amount: '500' });
  });

  it('the return (?session_id=) is verified with Stripe, and a session paid for another amount is no success', async () => {
    let paidAmount = 1800;
    answer = (request) => {
      const fields = { amount_total: paidAmount, currency: 'usd', payment_status: 'paid' as const, status: 'complete' as const };
      if (request.method === 'POST') return { status: 200, body: stripeCheckoutSession('cs_test_2', { ...fields, payment_status: 'unpaid', status: 'open' }) };
      return { status: 200, body: stripeCheckoutSession('cs_test_2', fields) };
    };
    const intent = await create(session, 1800);
    await payer(session, 'POST', `/pay/${intent.id}/confirm`, { client_secret: intent.client_secret, return_url: RETURN_URL });
    paidAmount = 100;
    const back = (query: string) => t.request('GET', `/api/v1/checkout/return/stripe?${query}`, { headers: session.headers });
    expect((await back('session_id=cs_test_2')).body.data).toBeNull();
    expect(await status(intent.id)).toBe('requires_action');
    paidAmount = 1800;
    expect((await back('session_id=cs_test_2')).body.data).toMatchObject({ id: intent.id, status: 'succeeded' });
    expect(stripe.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/checkout/sessions/cs_test_2' });
  });

  it('a session webhook with a bad signature is 400 and changes nothing', async () => {
    answer = () => ({
      status: 200,
      body: stripeCheckoutSession('cs_test_3', { amount_total: 700, currency: 'usd', payment_status: 'unpaid', status: 'open' }),
    });
    const intent = await create(session, 700);
    await payer(session, 'POST', `/pay/${intent.id}/confirm`, { client_secret: intent.client_secret, return_url: RETURN_URL });
    const payload = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      type: 'checkout.session.completed',
      data: { object: stripeCheckoutSession('cs_test_3', { amount_total: 700, currency: 'usd', payment_status: 'paid', status: 'complete' }) },
    });
    const forged = stripeClient.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_the_tenants' });
    const answered = await t.request('POST', `/api/v1/payments/webhooks/stripe/${session.tenant!.slug}`, {
      body: payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': forged },
    });
    expect(answered.status).toBe(400);
    expect(await status(intent.id)).toBe('requires_action');
  });
});
