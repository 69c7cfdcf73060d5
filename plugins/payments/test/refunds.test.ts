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

async function paidIntent(amount: number, metadata: Record<string, string> = {}) {
  const intent = (await call('POST', '/intents', { amount, currency: 'USD', metadata })).body.data;
  await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds });
  await t.drainJobs();
  return intent as { id: string };
}

describe('refunds', () => {
  it('refunds partly, then the rest by default; emits payments.refund.succeeded with the linked object', async () => {
    const intent = await paidIntent(1000, { shop_order_id: 'order-r' });
    const partial = await call('POST', '/refunds', { intent_id: intent.id, amount: 400, reason: 'damaged', metadata: { line: '2' } });
    expect(partial.status).toBe(201);
    expect(partial.body.data).toMatchObject({ intent_id: intent.id, amount: 400, currency: 'USD', status: 'succeeded', reason: 'damaged' });
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ status: 'partially_refunded', amount_refunded: 400 });

    const rest = await call('POST', '/refunds', { intent_id: intent.id });
    expect(rest.body.data.amount).toBe(600);
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ status: 'refunded', amount_refunded: 1000 });

    const beyond = await call('POST', '/refunds', { intent_id: intent.id, amount: 1 });
    expect(beyond.status).toBe(409);
    expect(beyond.body.code).toBe('not_refundable');

    const events = (await eventsNamed(t, owner.tenant!.id, 'payments.refund.succeeded')).filter((event) => event.intentId === intent.id);
    expect(events).toEqual([
      expect.objectContaining({ refundId: partial.body.data.id, refundAmount: 400, refundMetadata: { line: '2' }, metadata: { shop_order_id: 'order-r' } }),
      expect.objectContaining({ refundId: rest.body.data.id, refundAmount: 600 }),
    ]);
    const listed = await call('GET', `/refunds?intent_id=${intent.id}`);
    expect(listed.body.meta.pagination.total).toBe(2);
    expect((await call('GET', `/refunds/${partial.body.data.id}`)).body.data).toEqual(partial.body.data);
    expect((await call('GET', `/transactions?intent_id=${intent.id}&type=refund`)).body.data.map((row: { amount: number }) => row.amount).sort()).toEqual([
      400, 600,
    ]);
  });

  it('never refunds more than captured, even under concurrent requests', async () => {
    const intent = await paidIntent(1000);
    const responses = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/refunds', { intent_id: intent.id, amount: 300 })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    const exceeded = responses.find((response) => response.status === 409)!;
    expect(exceeded.body.code).toBe('refund_exceeds_captured');
    expect(exceeded.body.errors).toEqual({ amount: ['must be at most 100'] });
    const [stored] = await t.sql<{ total: number }>(
      "select coalesce(sum(amount), 0)::int as total from payments_refunds where intent_id = $1 and status <> 'failed'",
      [intent.id],
    );
    expect(stored!.total).toBe(900);
    expect((await call('GET', `/intents/${intent.id}`)).body.data).toMatchObject({ amount_refunded: 900, status: 'partially_refunded' });
  });

  it('refuses refunds of unpaid intents (409) and bad input (422)', async () => {
    const unpaid = (await call('POST', '/intents', { amount: 100, currency: 'USD' })).body.data;
    const refused = await call('POST', '/refunds', { intent_id: unpaid.id });
    expect(refused.status).toBe(409);
    const paid = await paidIntent(100);
    for (const body of [
      {},
      { intent_id: 'x' },
      { intent_id: paid.id, amount: 0 },
      { intent_id: paid.id, amount: -5 },
      { intent_id: paid.id, reason: 'x'.repeat(501) },
    ]) {
      const response = await call('POST', '/refunds', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
    expect((await call('POST', '/refunds', { intent_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await call('GET', '/refunds/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
