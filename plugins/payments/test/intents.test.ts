import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { eventsNamed, paymentsApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof paymentsApi>;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'payments');
  call = paymentsApi(t, owner);
});
afterAll(() => t?.close());

async function newIntent(body: Record<string, unknown> = {}) {
  const created = await call('POST', '/intents', { amount: 2500, currency: 'usd', metadata: { shop_order_id: 'order-1' }, ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data as { id: string; status: string };
}

describe('intents through the test gateway', () => {
  it('creates an intent awaiting a payment method, in upper-case currency, with its metadata', async () => {
    const intent = await newIntent();
    expect(intent).toMatchObject({
      provider: 'test',
      status: 'requires_payment_method',
      amount: 2500,
      currency: 'USD',
      amount_captured: 0,
      metadata: { shop_order_id: 'order-1' },
    });
    expect(intent).toHaveProperty('client_secret');
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toEqual({ ...intent, client_secret: undefined });
  });

  it('succeeding card: processing, then the signed webhook (a job) makes it succeeded and emits payments.payment.succeeded', async () => {
    const intent = await newIntent({ metadata: { shop_order_id: 'order-ok' } });
    const confirmed = await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data.status).toBe('processing');
    await t.drainJobs();
    const after = (await call('GET', `/intents/${intent.id}`)).body.data;
    expect(after).toMatchObject({ status: 'succeeded', amount_captured: 2500 });
    const history = (await call('GET', `/intents/${intent.id}/history`)).body.data;
    expect(history.map((entry: { to_status: string; source: string }) => [entry.to_status, entry.source])).toEqual([
      ['requires_payment_method', 'api'],
      ['processing', 'api'],
      ['succeeded', 'webhook'],
    ]);
    expect(history[2].provider_event_id).toMatch(/^evt_test_/);
    const succeeded = await eventsNamed(t, owner.tenant!.id, 'payments.payment.succeeded');
    expect(succeeded.filter((event) => event.intentId === intent.id)).toEqual([
      { intentId: intent.id, provider: 'test', amount: 2500, currency: 'USD', metadata: { shop_order_id: 'order-ok' } },
    ]);
    const transactions = (await call('GET', `/transactions?intent_id=${intent.id}`)).body.data;
    expect(transactions).toMatchObject([{ type: 'capture', amount: 2500, currency: 'USD', intent_id: intent.id }]);
  });

  it('declined card: failed at once with a reason, payments.payment.failed emitted once (webhook repeat changes nothing)', async () => {
    const intent = await newIntent();
    const confirmed = await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.declined });
    expect(confirmed.body.data).toMatchObject({ status: 'failed', failure_reason: 'Your card was declined.' });
    await t.drainJobs();
    expect((await call('GET', `/intents/${intent.id}`)).body.data.status).toBe('failed');
    const failed = (await eventsNamed(t, owner.tenant!.id, 'payments.payment.failed')).filter((event) => event.intentId === intent.id);
    expect(failed).toEqual([expect.objectContaining({ reason: 'Your card was declined.' })]);
    const again = await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds });
    expect(again.status).toBe(409);
  });

  it('card needing a second step: requires_action with next_action, then approve → succeeded; deny → failed', async () => {
    const intent = await newIntent();
    const first = await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.requiresAction });
    expect(first.body.data).toMatchObject({ status: 'requires_action', next_action: { type: 'challenge' } });
    expect((await call('POST', `/intents/${intent.id}/confirm`, {})).status).toBe(422);
    const second = await call('POST', `/intents/${intent.id}/confirm`, { action: 'approve' });
    expect(second.body.data).toMatchObject({ status: 'processing', next_action: null });
    await t.drainJobs();
    expect((await call('GET', `/intents/${intent.id}`)).body.data.status).toBe('succeeded');

    const denied = await newIntent();
    await call('POST', `/intents/${denied.id}/confirm`, { payment_method: testCards.requiresAction });
    expect((await call('POST', `/intents/${denied.id}/confirm`, { action: 'deny' })).body.data.status).toBe('failed');
  });

  it('cancels an unpaid intent, not a paid one', async () => {
    const intent = await newIntent();
    const cancelled = await call('POST', `/intents/${intent.id}/cancel`);
    expect(cancelled.body.data.status).toBe('cancelled');
    expect((await call('POST', `/intents/${intent.id}/cancel`)).body.data.status).toBe('cancelled');
    expect((await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds })).status).toBe(409);

    const paid = await newIntent();
    await call('POST', `/intents/${paid.id}/confirm`, { payment_method: testCards.succeeds });
    await t.drainJobs();
    const refused = await call('POST', `/intents/${paid.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('intent_not_cancellable');
  });

  it('lists with pagination and filters by status and a metadata value', async () => {
    const mine = await newIntent({ metadata: { shop_order_id: 'order-filter' } });
    const list = await call('GET', '/intents?metadata_key=shop_order_id&metadata_value=order-filter');
    expect(list.body.data.map((intent: { id: string }) => intent.id)).toEqual([mine.id]);
    const page = await call('GET', '/intents?per_page=2&status=requires_payment_method');
    expect(page.body.data).toHaveLength(2);
    expect(page.body.meta.pagination.total).toBeGreaterThanOrEqual(2);
    expect(page.body.data.every((intent: { status: string }) => intent.status === 'requires_payment_method')).toBe(true);
  });

  it('refuses bad input with 422 and field errors, writing nothing', async () => {
    const before = (await call('GET', '/intents')).body.meta.pagination.total;
    const bad = [
      {},
      { amount: 0, currency: 'USD' },
      { amount: 1.5, currency: 'USD' },
      { amount: 100, currency: 'dollars' },
      { amount: 100, currency: 'USD', provider: 'nope' },
      { amount: 100, currency: 'USD', metadata: { k: 1 } },
      { amount: 100, currency: 'USD', extra: true },
    ];
    for (const body of bad) {
      const response = await call('POST', '/intents', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
      expect(Object.keys(response.body.errors ?? {}).length, JSON.stringify(response.body)).toBeGreaterThan(0);
    }
    const intent = await newIntent();
    expect((await call('POST', `/intents/${intent.id}/confirm`, { payment_method: '1111' })).body.errors).toHaveProperty('payment_method');
    expect((await call('GET', '/intents/not-a-uuid')).status).toBe(422);
    expect((await call('GET', '/intents/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', '/intents')).body.meta.pagination.total).toBe(before + 1);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const openapi = await t.request('GET', '/api/v1/openapi.json');
    expect(openapi.status).toBe(200);
    const paths = Object.keys(openapi.body.paths);
    for (const path of [
      '/api/v1/payments/intents',
      '/api/v1/payments/refunds',
      '/api/v1/payments/subscriptions',
      '/api/v1/payments/webhooks/{provider}/{tenant}',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('has migrations that run down and up again', async () => {
    await t.checkMigrations('payments');
  });
});
