import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { signWebhook, testCards } from '../src/index.js';
import { acmePay, checkout } from './fixtures/acme-pay.js';
import { paymentsApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let without: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, acmePay, checkout] });
  [owner, without] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(owner, 'acme-pay');
  await t.enable(owner, 'checkout');
  await t.enable(without, 'payments');
});
afterAll(() => t?.close());

describe('a third-party gateway plugin (payments.providers.resolve)', () => {
  it('is configured and used like a built-in provider, webhooks included', async () => {
    const call = paymentsApi(t, owner);
    expect((await call('POST', '/intents', { amount: 100, currency: 'USD', provider: 'acme' })).status).toBe(422); // not configured yet
    const saved = await call('PUT', '/providers/acme', { credentials: { api_key: 'acme-key', webhook_secret: 'whsec_acme' } });
    expect(saved.status).toBe(200);
    const intent = (await call('POST', '/intents', { amount: 100, currency: 'USD', provider: 'acme' })).body.data;
    expect(intent).toMatchObject({ provider: 'acme', status: 'requires_payment_method' });
    expect((await call('POST', `/intents/${intent.id}/confirm`, { payment_method: 'acme-ok' })).body.data.status).toBe('succeeded');

    const other = (await call('POST', '/intents', { amount: 100, currency: 'USD', provider: 'acme' })).body.data;
    const raw = JSON.stringify({ id: 'acme-evt-1', ref: `acme_${other.id}`, paid: true, at: 1 });
    const hook = await t.request('POST', `/api/v1/payments/webhooks/acme/${owner.tenant!.slug}`, {
      body: raw,
      headers: { 'content-type': 'application/json', 'acme-signature': signWebhook('whsec_acme', raw, Math.floor(Date.now() / 1000)) },
    });
    expect(hook.status).toBe(200);
    expect((await call('GET', `/intents/${other.id}`)).body.data.status).toBe('succeeded');
  });

  it('is not offered to a tenant that has not enabled the gateway plugin', async () => {
    const call = paymentsApi(t, without);
    const saved = await call('PUT', '/providers/acme', { credentials: { api_key: 'k' } });
    expect(saved.status).toBe(422);
    expect((await call('POST', '/intents', { amount: 100, currency: 'USD', provider: 'acme' })).status).toBe(422);
    expect(
      (await t.request('POST', `/api/v1/payments/webhooks/acme/${without.tenant!.slug}`, { body: '{}', headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(404);
  });
});

describe('the payments service (paymentsRef) from another plugin', () => {
  it('creates, reads, cancels and refunds intents with idempotency keys', async () => {
    const pay = (body: object) => t.request('POST', '/api/v1/checkout/pay', { headers: owner.headers, body });
    const first = await pay({ order: 'o-1', amount: 4200, key: 'order-o-1' });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ provider: 'test', status: 'requires_payment_method', amount: 4200, currency: 'USD', metadata: { order: 'o-1' } });
    const again = await pay({ order: 'o-1', amount: 4200, key: 'order-o-1' });
    expect(again.body.data.id).toBe(first.body.data.id);
    expect((await pay({ order: 'o-1', amount: 4300, key: 'order-o-1' })).status).toBe(422);
    expect((await pay({ order: 'o-2', amount: -1 })).body.errors).toHaveProperty('amount');

    const read = await t.request('GET', `/api/v1/checkout/intents/${first.body.data.id}`, { headers: owner.headers });
    expect(read.body.data.id).toBe(first.body.data.id);
    expect((await t.request('GET', '/api/v1/checkout/intents/not-an-id', { headers: owner.headers })).body.data).toBeNull();

    const cancelled = await t.request('POST', `/api/v1/checkout/intents/${first.body.data.id}/cancel`, { headers: owner.headers });
    expect(cancelled.body.data.status).toBe('cancelled');

    const paid = (await pay({ order: 'o-3', amount: 1000 })).body.data;
    await paymentsApi(t, owner)('POST', `/intents/${paid.id}/confirm`, { payment_method: testCards.succeeds });
    await t.drainJobs();
    const refund = (body: object) => t.request('POST', `/api/v1/checkout/intents/${paid.id}/refund`, { headers: owner.headers, body });
    const refunded = await refund({ amount: 600, key: 'r-1' });
    expect(refunded.body.data).toMatchObject({ amount: 600, status: 'succeeded' });
    expect((await refund({ amount: 600, key: 'r-1' })).body.data.id).toBe(refunded.body.data.id);
    expect((await refund({ amount: 600 })).status).toBe(409);
  });
});
