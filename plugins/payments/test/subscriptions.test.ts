import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { eventsNamed, paymentsApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof paymentsApi>;
let monthly: { id: string };
let trial: { id: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'payments', { dunning_max_attempts: 3, dunning_retry_minutes: 60 });
  call = paymentsApi(t, owner);
  monthly = (await call('POST', '/plans', { name: 'Pro', amount: 2900, currency: 'usd', interval: 'month' })).body.data;
  trial = (await call('POST', '/plans', { name: 'Trial', amount: 900, currency: 'usd', interval: 'week', trial_days: 14 })).body.data;
});
afterAll(() => t?.close());

/** Makes a subscription due now (time travel on stored state), then runs the renewal job. */
async function renewNow(id: string) {
  await t.sql(
    "update payments_subscriptions set current_period_end = now() - interval '1 minute', next_attempt_at = now() - interval '1 minute' where id = $1",
    [id],
  );
  expect((await call('POST', '/subscriptions/renewals')).status).toBe(202);
  await t.drainJobs();
  return (await call('GET', `/subscriptions/${id}`)).body.data;
}
const intentsOf = async (id: string) =>
  (await call('GET', `/intents?metadata_key=subscription_id&metadata_value=${id}`)).body.data as { status: string; amount: number }[];

describe('plans', () => {
  it('creates, lists, reads and retires plans; refuses bad ones', async () => {
    expect(monthly).toMatchObject({ name: 'Pro', amount: 2900, currency: 'USD', interval: 'month', interval_count: 1, trial_days: 0, active: true });
    expect((await call('GET', '/plans')).body.meta.pagination.total).toBe(2);
    for (const body of [{}, { name: 'x', amount: 0, currency: 'USD', interval: 'month' }, { name: 'x', amount: 1, currency: 'USD', interval: 'fortnight' }]) {
      expect((await call('POST', '/plans', body)).status, JSON.stringify(body)).toBe(422);
    }
    const retired = (await call('POST', '/plans', { name: 'Old', amount: 100, currency: 'USD', interval: 'year' })).body.data;
    expect((await call('PATCH', `/plans/${retired.id}`, { active: false })).body.data.active).toBe(false);
    expect((await call('GET', '/plans?active=true')).body.data.map((plan: { id: string }) => plan.id)).not.toContain(retired.id);
    const refused = await call('POST', '/subscriptions', { plan_id: retired.id, customer: { email: 'a@example.test' }, payment_method: testCards.succeeds });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toHaveProperty('plan_id');
  });
});

describe('subscriptions', () => {
  it('starts active with a first charge, renews through the recurring job, emits events', async () => {
    const created = await call('POST', '/subscriptions', {
      plan_id: monthly.id,
      customer: { email: 'Pay@Example.test', name: 'Pay' },
      payment_method: testCards.succeeds,
      metadata: { account: 'acc-1' },
    });
    expect(created.status).toBe(201);
    const sub = created.body.data;
    expect(sub).toMatchObject({ status: 'active', customer_email: 'pay@example.test', cancel_at_period_end: false, dunning_attempts: 0 });
    expect(await intentsOf(sub.id)).toMatchObject([{ status: 'succeeded', amount: 2900 }]);

    const renewed = await renewNow(sub.id);
    expect(renewed.status).toBe('active');
    expect(new Date(renewed.current_period_end).getTime()).toBeGreaterThan(Date.now() + 25 * 24 * 3600 * 1000);
    expect(await intentsOf(sub.id)).toHaveLength(2);
    const events = await eventsNamed(t, owner.tenant!.id, 'payments.subscription.renewed');
    expect(events).toEqual([expect.objectContaining({ subscriptionId: sub.id, planId: monthly.id, metadata: { account: 'acc-1' } })]);
    expect((await eventsNamed(t, owner.tenant!.id, 'payments.subscription.created')).map((event) => event.subscriptionId)).toContain(sub.id);
  });

  it('refuses a declined card up front, storing nothing', async () => {
    const before = (await call('GET', '/subscriptions')).body.meta.pagination.total;
    const declined = await call('POST', '/subscriptions', { plan_id: monthly.id, customer: { email: 'no@example.test' }, payment_method: testCards.declined });
    expect(declined.status).toBe(422);
    expect(declined.body.errors).toHaveProperty('payment_method');
    expect((await call('GET', '/subscriptions')).body.meta.pagination.total).toBe(before);
  });

  it('trials without charging, then dunning: past_due with retries, cancelled after the last attempt', async () => {
    const sub = (
      await call('POST', '/subscriptions', { plan_id: trial.id, customer: { email: 'late@example.test' }, payment_method: testCards.recurringDeclined })
    ).body.data;
    expect(sub.status).toBe('trialing');
    expect(await intentsOf(sub.id)).toEqual([]);

    const first = await renewNow(sub.id);
    expect(first).toMatchObject({ status: 'past_due', dunning_attempts: 1 });
    expect(new Date(first.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    expect((await renewNow(sub.id)).dunning_attempts).toBe(2);
    const last = await renewNow(sub.id);
    expect(last).toMatchObject({ status: 'cancelled', dunning_attempts: 3, next_attempt_at: null });
    expect((await intentsOf(sub.id)).map((intent) => intent.status)).toEqual(['failed', 'failed', 'failed']);
    const pastDue = (await eventsNamed(t, owner.tenant!.id, 'payments.subscription.past_due')).filter((event) => event.subscriptionId === sub.id);
    expect(pastDue.map((event) => event.attempt)).toEqual([1, 2]);
    expect((await eventsNamed(t, owner.tenant!.id, 'payments.subscription.cancelled')).map((event) => event.subscriptionId)).toContain(sub.id);
  });

  it('cancels at period end (no further charge), can resume before then, or cancels now', async () => {
    const sub = (await call('POST', '/subscriptions', { plan_id: monthly.id, customer: { email: 'leaving@example.test' }, payment_method: testCards.succeeds }))
      .body.data;
    const marked = await call('POST', `/subscriptions/${sub.id}/cancel`, {});
    expect(marked.body.data).toMatchObject({ status: 'active', cancel_at_period_end: true });
    expect((await call('POST', `/subscriptions/${sub.id}/resume`)).body.data.cancel_at_period_end).toBe(false);
    await call('POST', `/subscriptions/${sub.id}/cancel`, { at_period_end: true });
    const ended = await renewNow(sub.id);
    expect(ended.status).toBe('cancelled');
    expect(await intentsOf(sub.id)).toHaveLength(1);
    expect((await call('POST', `/subscriptions/${sub.id}/cancel`, {})).status).toBe(409);

    const other = (await call('POST', '/subscriptions', { plan_id: monthly.id, customer: { email: 'now@example.test' }, payment_method: testCards.succeeds }))
      .body.data;
    expect((await call('POST', `/subscriptions/${other.id}/cancel`, { at_period_end: false })).body.data.status).toBe('cancelled');
  });

  it('is idempotent with Idempotency-Key, validates input, and needs payments.subscriptions.manage', async () => {
    const body = { plan_id: monthly.id, customer: { email: 'idem@example.test' }, payment_method: testCards.succeeds };
    const responses = await Promise.all([1, 2, 3].map(() => call('POST', '/subscriptions', body, { 'idempotency-key': 'sub-1' })));
    expect(new Set(responses.map((response) => response.body.data.id)).size).toBe(1);
    for (const bad of [{}, { ...body, customer: { email: 'nope' } }, { ...body, plan_id: 'x' }, { ...body, payment_method: '' }]) {
      expect((await call('POST', '/subscriptions', bad)).status, JSON.stringify(bad)).toBe(422);
    }
    expect((await call('GET', '/subscriptions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await paymentsApi(t, await addMember(t, owner, ['member']))('GET', '/subscriptions')).status).toBe(403);
    const role = await t.request('POST', '/api/v1/roles', {
      headers: owner.headers,
      body: { name: 'subscription-reader', permissions: ['payments.transactions.view'] },
    });
    expect(role.status).toBe(201);
    const member = await addMember(t, owner, ['subscription-reader']);
    expect((await paymentsApi(t, member)('GET', '/subscriptions')).status).toBe(200);
    expect((await paymentsApi(t, member)('POST', '/subscriptions', body)).status).toBe(403);
    expect((await paymentsApi(t, member)('POST', '/plans', { name: 'x', amount: 1, currency: 'USD', interval: 'day' })).status).toBe(403);
  });

  it("tenant B sees and changes none of A's plans or subscriptions", async () => {
    const b = await signUp(t, { tenant: true });
    await t.enable(b, 'payments');
    const callB = paymentsApi(t, b);
    const subOfA = (await call('GET', '/subscriptions')).body.data[0];
    expect((await callB('GET', '/plans')).body.meta.pagination.total).toBe(0);
    expect((await callB('GET', '/subscriptions')).body.meta.pagination.total).toBe(0);
    expect((await callB('GET', `/plans/${monthly.id}`)).status).toBe(404);
    expect((await callB('PATCH', `/plans/${monthly.id}`, { active: false })).status).toBe(404);
    expect((await callB('GET', `/subscriptions/${subOfA.id}`)).status).toBe(404);
    expect((await callB('POST', `/subscriptions/${subOfA.id}/cancel`, { at_period_end: false })).status).toBe(404);
    expect(
      (await callB('POST', '/subscriptions', { plan_id: monthly.id, customer: { email: 'x@example.test' }, payment_method: testCards.succeeds })).status,
    ).toBe(422);
    expect((await call('GET', `/plans/${monthly.id}`)).body.data.active).toBe(true);
  });
});
