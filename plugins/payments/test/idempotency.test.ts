import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { paymentsApi } from './helpers.js';

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

const countIntents = async () => (await t.sql<{ n: number }>('select count(*)::int as n from payments_intents where tenant_id = $1', [owner.tenant!.id]))[0]!.n;

describe('Idempotency-Key', () => {
  it('same key and body → the same response and one intent; same key, other body → 422', async () => {
    const body = { amount: 1200, currency: 'EUR', metadata: { shop_order_id: 'o-1' } };
    const first = await call('POST', '/intents', body, { 'idempotency-key': 'create-1' });
    const again = await call('POST', '/intents', { metadata: { shop_order_id: 'o-1' }, currency: 'EUR', amount: 1200 }, { 'idempotency-key': 'create-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.data).toEqual(first.body.data);
    const other = await call('POST', '/intents', { ...body, amount: 1300 }, { 'idempotency-key': 'create-1' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('validation_failed');
    expect(other.body.errors).toHaveProperty('Idempotency-Key');
    expect(await countIntents()).toBe(1);
  });

  it('concurrent duplicates have one effect and all get the same answer', async () => {
    const before = await countIntents();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => call('POST', '/intents', { amount: 999, currency: 'USD' }, { 'idempotency-key': 'concurrent-1' })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((response) => response.body.data.id)).size).toBe(1);
    expect(await countIntents()).toBe(before + 1);
  });

  it('confirm: a repeated key replays instead of confirming twice; keys are scoped per intent', async () => {
    const intent = (await call('POST', '/intents', { amount: 500, currency: 'USD' })).body.data;
    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds }, { 'idempotency-key': 'confirm-1' }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(responses.every((response) => response.body.data.status === 'processing')).toBe(true);
    const other = (await call('POST', '/intents', { amount: 500, currency: 'USD' })).body.data;
    const sameKeyOtherIntent = await call('POST', `/intents/${other.id}/confirm`, { payment_method: testCards.declined }, { 'idempotency-key': 'confirm-1' });
    expect(sameKeyOtherIntent.body.data.status).toBe('failed');
    await t.drainJobs();
    const history = (await call('GET', `/intents/${intent.id}/history`)).body.data;
    expect(history.filter((entry: { to_status: string }) => entry.to_status === 'processing')).toHaveLength(1);
  });

  it('refund: a repeated key refunds once', async () => {
    const intent = (await call('POST', '/intents', { amount: 800, currency: 'USD' })).body.data;
    await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds });
    await t.drainJobs();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/refunds', { intent_id: intent.id, amount: 300 }, { 'idempotency-key': 'refund-1' })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(5).fill(201));
    expect(new Set(responses.map((response) => response.body.data.id)).size).toBe(1);
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ amount_refunded: 300, status: 'partially_refunded' });
    const changed = await call('POST', '/refunds', { intent_id: intent.id, amount: 301 }, { 'idempotency-key': 'refund-1' });
    expect(changed.status).toBe(422);
  });

  it('a failed request does not burn its key', async () => {
    const bad = await call('POST', '/intents', { amount: 100, currency: 'USD', provider: 'nope' }, { 'idempotency-key': 'retry-1' });
    expect(bad.status).toBe(422);
    const good = await call('POST', '/intents', { amount: 100, currency: 'USD' }, { 'idempotency-key': 'retry-1' });
    expect(good.status).toBe(201);
  });

  it('refuses a malformed key', async () => {
    const response = await call('POST', '/intents', { amount: 100, currency: 'USD' }, { 'idempotency-key': 'x'.repeat(256) });
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveProperty('Idempotency-Key');
  });
});
