import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { paymentsApi } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let ofA: { intent: string; refund: string; manual: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(a, 'payments');
  await t.enable(b, 'payments');
  const callA = paymentsApi(t, a);
  const intent = (await callA('POST', '/intents', { amount: 1000, currency: 'USD', metadata: { secret_order: 'A-1' } }, { 'idempotency-key': 'shared-key' }))
    .body.data;
  await callA('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds });
  await t.drainJobs();
  const refund = (await callA('POST', '/refunds', { intent_id: intent.id, amount: 100 })).body.data;
  const manual = (await callA('POST', '/intents', { amount: 500, currency: 'USD', provider: 'manual' })).body.data;
  await callA('PUT', '/providers/test', { credentials: { webhook_secret: 'whsec_only_a' } });
  ofA = { intent: intent.id, refund: refund.id, manual: manual.id };
});
afterAll(() => t?.close());

describe('payments tenant isolation', () => {
  it("tenant B cannot see, count or read tenant A's intents, history, refunds, transactions or providers", async () => {
    const callB = paymentsApi(t, b);
    for (const path of ['/intents', '/refunds', '/transactions', '/intents?metadata_key=secret_order&metadata_value=A-1']) {
      const response = await callB('GET', path);
      expect(response.body.data, path).toEqual([]);
      expect(response.body.meta.pagination.total, path).toBe(0);
    }
    expect((await callB('GET', `/intents/${ofA.intent}`)).status).toBe(404);
    expect((await callB('GET', `/intents/${ofA.intent}/history`)).status).toBe(404);
    expect((await callB('GET', `/refunds/${ofA.refund}`)).status).toBe(404);
    expect((await callB('GET', '/providers/test')).status).toBe(404);
    expect((await callB('GET', '/providers')).body.data).toEqual([]);
  });

  it("tenant B cannot confirm, cancel, mark paid or refund tenant A's payments", async () => {
    const callB = paymentsApi(t, b);
    expect((await callB('POST', `/intents/${ofA.intent}/confirm`, { payment_method: testCards.succeeds })).status).toBe(404);
    expect((await callB('POST', `/intents/${ofA.manual}/cancel`)).status).toBe(404);
    expect((await callB('POST', `/intents/${ofA.manual}/mark-paid`)).status).toBe(404);
    expect((await callB('POST', '/refunds', { intent_id: ofA.intent })).status).toBe(404);
    const callA = paymentsApi(t, a);
    expect((await callA('GET', `/intents/${ofA.intent}`)).body.data).toMatchObject({ amount_refunded: 100, status: 'partially_refunded' });
    expect((await callA('GET', `/intents/${ofA.manual}`)).body.data.status).toBe('requires_action');
  });

  it("idempotency keys are per tenant: B's same key creates B's own intent, never replays A's", async () => {
    const callB = paymentsApi(t, b);
    const created = await callB('POST', '/intents', { amount: 1000, currency: 'USD', metadata: { secret_order: 'A-1' } }, { 'idempotency-key': 'shared-key' });
    expect(created.status).toBe(201);
    expect(created.body.data.id).not.toBe(ofA.intent);
    expect((await callB('GET', '/intents')).body.meta.pagination.total).toBe(1);
  });

  it("B's member cannot use A's tenant", async () => {
    const response = await t.request('GET', '/api/v1/payments/intents', { headers: { ...b.headers, 'x-tenant': a.tenant!.slug } });
    expect(response.status).toBe(403);
  });

  it('answers plugin_not_enabled to a tenant without payments, webhooks included', async () => {
    const c = await signUp(t, { tenant: true });
    const response = await paymentsApi(t, c)('GET', '/intents');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('plugin_not_enabled');
    const hook = await t.request('POST', `/api/v1/payments/webhooks/test/${c.tenant!.slug}`, { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(hook.status).toBe(404);
  });
});
