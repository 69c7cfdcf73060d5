import { Writable } from 'node:stream';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsPlugin, signWebhook } from '../src/index.js';
import { eventsNamed, paymentsApi } from './helpers.js';
import { startStripeStandIn, stripeIntent, type StripeAnswer, type StripeRequest } from './stripe-server.js';

const SECRET_KEY = 'sk_test_51SecretKeyNeverShown';
const WEBHOOK_SECRET = 'whsec_stripeWebhookSecretNeverShown';
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    logLines.push(chunk.toString());
    callback();
  },
});

let answer: (request: StripeRequest) => StripeAnswer;
let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof paymentsApi>;
beforeAll(async () => {
  stripe = await startStripeStandIn((request) => answer(request));
  t = await createTestKernel({ plugins: [createPaymentsPlugin({ stripe: { apiBase: stripe.url } })], logger: pino({ level: 'debug' }, logSink) });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'payments', { default_provider: 'stripe' });
  call = paymentsApi(t, owner);
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

const now = () => Math.floor(Date.now() / 1000);
function webhook(type: string, object: Record<string, unknown>) {
  const raw = JSON.stringify({
    id: `evt_${Math.random().toString(36).slice(2)}`,
    object: 'event',
    api_version: '2024-06-20',
    created: now(),
    type,
    data: { object },
  });
  return t.request('POST', `/api/v1/payments/webhooks/stripe/${owner.tenant!.slug}`, {
    body: raw,
    headers: { 'content-type': 'application/json', 'stripe-signature': signWebhook(WEBHOOK_SECRET, raw, now()) },
  });
}
const lastRequest = () => stripe.requests[stripe.requests.length - 1]!;

describe('the stripe provider against a local stand-in', () => {
  it('stores credentials sealed and never returns them', async () => {
    const missing = await call('PUT', '/providers/stripe', { credentials: { secret_key: SECRET_KEY } });
    expect(missing.status).toBe(422);
    const saved = await call('PUT', '/providers/stripe', { credentials: { secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET } });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({ name: 'stripe', enabled: true, credential_keys: ['secret_key', 'webhook_secret'] });
    expect(saved.body.data.webhook_path).toBe(`/api/v1/payments/webhooks/stripe/${owner.tenant!.id}`);
    for (const path of ['/providers', '/providers/stripe']) expect(JSON.stringify((await call('GET', path)).body)).not.toMatch(/sk_test|whsec_/);
    const [row] = await t.sql<{ credentials_sealed: string }>("select credentials_sealed from payments_providers where name = 'stripe'");
    expect(row!.credentials_sealed).not.toContain(SECRET_KEY);
  });

  it('creates and confirms through the REST API, then a signed webhook settles it', async () => {
    answer = (request) => ({
      status: 200,
      body: stripeIntent('pi_1', { amount: 2000, currency: 'usd', status: 'requires_payment_method', metadata: request.form }),
    });
    const created = await call('POST', '/intents', { amount: 2000, currency: 'usd', description: 'Order 7', metadata: { shop_order_id: 'o-7' } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ provider: 'stripe', status: 'requires_payment_method' });
    const createCall = lastRequest();
    expect(createCall).toMatchObject({ method: 'POST', path: '/v1/payment_intents' });
    expect(createCall.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(createCall.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(createCall.headers['idempotency-key']).toBe(`plinth-create-${created.body.data.id}`);
    expect(createCall.form).toMatchObject({
      amount: '2000',
      currency: 'usd',
      description: 'Order 7',
      'metadata[shop_order_id]': 'o-7',
      'metadata[plinth_intent_id]': created.body.data.id,
      'payment_method_types[0]': 'card', // the official client's encoding of arrays,
    });

    answer = () => ({
      status: 200,
      body: stripeIntent('pi_1', { amount: 2000, currency: 'usd', status: 'requires_action', next_action: { type: 'use_stripe_sdk', use_stripe_sdk: {} } }),
    });
    const confirmed = await call('POST', `/intents/${created.body.data.id}/confirm`, { payment_method: 'pm_card_threeDSecure2Required' });
    expect(confirmed.body.data).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    expect(lastRequest()).toMatchObject({ path: '/v1/payment_intents/pi_1/confirm', form: { payment_method: 'pm_card_threeDSecure2Required' } });

    const settled = await webhook('payment_intent.succeeded', stripeIntent('pi_1', { amount: 2000, currency: 'usd', status: 'succeeded' }));
    expect(settled.status).toBe(200);
    expect((await call('GET', `/intents/${created.body.data.id}`)).body.data).toMatchObject({ status: 'succeeded', amount_captured: 2000 });
  });

  it('a card error is a failed payment, not a crash', async () => {
    answer = () => ({ status: 200, body: stripeIntent('pi_2', { amount: 500, currency: 'usd', status: 'requires_payment_method' }) });
    const intent = (await call('POST', '/intents', { amount: 500, currency: 'usd' })).body.data;
    answer = () => ({
      status: 402,
      body: {
        error: {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'generic_decline',
          message: 'Your card was declined.',
          payment_intent: stripeIntent('pi_2', { amount: 500, currency: 'usd', status: 'requires_payment_method' }),
        },
      },
    });
    const confirmed = await call('POST', `/intents/${intent.id}/confirm`, { payment_method: 'pm_card_chargeDeclined' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toMatchObject({ status: 'failed', failure_reason: 'Your card was declined.' });
  });

  it('a gateway outage is 503 with nothing stored, and the key never reaches the logs', async () => {
    const [before] = await t.sql<{ n: number }>('select count(*)::int as n from payments_intents');
    answer = () => ({ status: 401, body: { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${SECRET_KEY}` } } });
    const response = await call('POST', '/intents', { amount: 100, currency: 'usd' });
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('provider_unavailable');
    expect(JSON.stringify(response.body)).not.toContain(SECRET_KEY);
    const [after] = await t.sql<{ n: number }>('select count(*)::int as n from payments_intents');
    expect(after!.n).toBe(before!.n);
    expect(logLines.join('')).toContain('payment provider call failed');
    expect(logLines.join('')).not.toContain(SECRET_KEY);
    expect(logLines.join('')).not.toContain(WEBHOOK_SECRET);
  });

  it('refunds: pending at Stripe, settled (or failed and released) by refund webhooks', async () => {
    answer = () => ({ status: 200, body: stripeIntent('pi_3', { amount: 3000, currency: 'usd', status: 'requires_payment_method' }) });
    const intent = (await call('POST', '/intents', { amount: 3000, currency: 'usd' })).body.data;
    await webhook('payment_intent.succeeded', stripeIntent('pi_3', { amount: 3000, currency: 'usd', status: 'succeeded' }));

    answer = (request) => ({
      status: 200,
      body: { id: 're_1', object: 'refund', amount: Number(request.form.amount), currency: 'usd', payment_intent: 'pi_3', status: 'pending', reason: null },
    });
    const refund = await call('POST', '/refunds', { intent_id: intent.id, amount: 1000, reason: 'requested' });
    expect(refund.body.data).toMatchObject({ status: 'pending', amount: 1000 });
    expect(lastRequest()).toMatchObject({ path: '/v1/refunds', form: { payment_intent: 'pi_3', amount: '1000', 'metadata[reason]': 'requested' } });
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ amount_refunded: 1000, status: 'partially_refunded' });

    const refundObject = { id: 're_1', object: 'refund', amount: 1000, currency: 'usd', payment_intent: 'pi_3' };
    await webhook('refund.updated', { ...refundObject, status: 'succeeded' });
    await webhook('refund.updated', { ...refundObject, status: 'pending' }); // late, out of order
    expect((await call('GET', `/refunds/${refund.body.data.id}`)).body.data.status).toBe('succeeded');
    expect((await eventsNamed(t, owner.tenant!.id, 'payments.refund.succeeded')).map((event) => event.refundId)).toContain(refund.body.data.id);

    answer = () => ({ status: 200, body: { ...refundObject, id: 're_2', amount: 2000, status: 'pending' } });
    const second = await call('POST', '/refunds', { intent_id: intent.id });
    expect(second.body.data.amount).toBe(2000);
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ amount_refunded: 3000, status: 'refunded' });
    await webhook('refund.failed', { ...refundObject, id: 're_2', amount: 2000, status: 'failed' });
    expect((await call('GET', `/refunds/${second.body.data.id}`)).body.data.status).toBe('failed');
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ amount_refunded: 1000, status: 'partially_refunded' });
  });

  it('verifies Stripe webhooks with its own header and secret', async () => {
    const raw = JSON.stringify({ id: 'evt_bad', object: 'event', created: now(), type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } });
    const wrong = await t.request('POST', `/api/v1/payments/webhooks/stripe/${owner.tenant!.slug}`, {
      body: raw,
      headers: { 'content-type': 'application/json', 'stripe-signature': signWebhook('whsec_other', raw, now()) },
    });
    expect(wrong.status).toBe(400);
  });
});
