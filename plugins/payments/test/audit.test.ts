import { auditTrail, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
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

const audit = (action: string) => auditTrail(t, owner, { action });
const about = async (action: string, id: string) => (await audit(action)).entries.filter((entry) => entry.target.id === id);

describe('the payments audit trail', () => {
  it('records provider configuration with every credential redacted, and which credentials changed', async () => {
    const secretKey = 'sk_test_auditNeverLogged1';
    const saved = await call('PUT', '/providers/stripe', { credentials: { secret_key: secretKey, webhook_secret: 'whsec_auditNeverLogged' } });
    expect(saved.status).toBe(200);
    expect((await call('PUT', '/providers/stripe', { enabled: false })).status).toBe(200);
    expect(
      (await call('PUT', '/providers/stripe', { credentials: { secret_key: 'sk_test_auditNeverLogged2', webhook_secret: 'whsec_auditNeverLogged' } })).status,
    ).toBe(200);
    expect((await call('DELETE', '/providers/stripe')).status).toBe(204);

    const { entries, text } = await audit('payments.provider.');
    const stripe = entries.filter((entry) => entry.target.id === 'stripe');
    expect(stripe.map((entry) => entry.action)).toEqual([
      'payments.provider.created',
      'payments.provider.updated',
      'payments.provider.updated',
      'payments.provider.deleted',
    ]);
    expect(stripe.every((entry) => entry.actor.user_id === owner.id && entry.target.type === 'provider')).toBe(true);
    expect(stripe[0]!.data.changes).toMatchObject({
      'credentials.secret_key': { redacted: true },
      'credentials.webhook_secret': { redacted: true },
      enabled: { to: true },
    });
    // Toggling `enabled` re-seals the same keys: no credential shows as changed.
    expect(stripe[1]!.data.changes).toEqual({ enabled: { from: true, to: false } });
    expect(stripe[2]!.data.changes).toEqual({ 'credentials.secret_key': { redacted: true } });
    expect(text).not.toMatch(/auditNeverLogged/);
  });

  it('records plans created and retired with the field diff', async () => {
    const plan = (await call('POST', '/plans', { name: 'Audit', amount: 500, currency: 'usd', interval: 'month' })).body.data;
    expect((await call('PATCH', `/plans/${plan.id}`, { name: 'Audit plan' })).status).toBe(200);
    expect((await call('PATCH', `/plans/${plan.id}`, { active: false })).status).toBe(200);
    const entries = await about('payments.plan.', plan.id);
    expect(entries.map((entry) => entry.action)).toEqual(['payments.plan.created', 'payments.plan.updated', 'payments.plan.retired']);
    expect(entries[0]!.data.changes).toMatchObject({ name: { to: 'Audit' }, amount: { to: 500 }, currency: { to: 'USD' } });
    expect(entries[1]!.data.changes).toEqual({ name: { from: 'Audit', to: 'Audit plan' } });
    expect(entries[2]!.data.changes).toEqual({ active: { from: true, to: false } });
  });

  it("records an intent's life: created, confirmed by a member, captured by the gateway's webhook (no actor), refunded", async () => {
    const intent = (await call('POST', '/intents', { amount: 1000, currency: 'USD' })).body.data;
    expect((await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds })).body.data.status).toBe('processing');
    await t.drainJobs();
    const refund = (await call('POST', '/refunds', { intent_id: intent.id, amount: 400, reason: 'damaged' })).body.data;
    const cancelled = (await call('POST', '/intents', { amount: 200, currency: 'USD' })).body.data;
    expect((await call('POST', `/intents/${cancelled.id}/cancel`)).status).toBe(200);

    const entries = await about('payments.intent.', intent.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'payments.intent.created',
      'payments.intent.processing',
      'payments.intent.captured',
      'payments.intent.refunded',
    ]);
    const [created, processing, captured, refunded] = entries;
    expect(created!.actor.user_id).toBe(owner.id);
    expect(created!.data.changes).toMatchObject({ amount: { to: 1000 }, currency: { to: 'USD' }, status: { to: 'requires_payment_method' } });
    expect(processing!.data).toMatchObject({ source: 'api', changes: { status: { from: 'requires_payment_method', to: 'processing' } } });
    expect(captured!.actor.user_id).toBeNull();
    expect(captured!.data).toMatchObject({
      source: 'webhook',
      by: 'payments',
      changes: { status: { from: 'processing', to: 'succeeded' }, amount_captured: { from: 0, to: 1000 } },
    });
    expect(refunded!.data).toMatchObject({
      refund_id: refund.id,
      amount: 400,
      changes: { status: { from: 'succeeded', to: 'partially_refunded' }, amount_refunded: { from: 0, to: 400 } },
    });
    // Both in the refund's one transaction (the same time): their order in the log is not defined.
    expect((await about('payments.refund.', refund.id)).map((entry) => entry.action).sort()).toEqual(['payments.refund.created', 'payments.refund.succeeded']);
    expect((await about('payments.intent.cancelled', cancelled.id))[0]!.data.changes).toEqual({ status: { from: 'requires_payment_method', to: 'cancelled' } });
  });

  it("records subscriptions and their payer, redacting the payer's email and the stored payment method", async () => {
    const plan = (await call('POST', '/plans', { name: 'Monthly', amount: 900, currency: 'usd', interval: 'month' })).body.data;
    const sub = (
      await call('POST', '/subscriptions', {
        plan_id: plan.id,
        customer: { email: 'payer.audit@example.test', name: 'Pat' },
        payment_method: testCards.succeeds,
      })
    ).body.data;
    expect(sub.status).toBe('active');
    expect((await call('POST', `/subscriptions/${sub.id}/cancel`, {})).body.data.cancel_at_period_end).toBe(true);
    expect((await call('POST', `/subscriptions/${sub.id}/resume`)).status).toBe(200);
    expect((await call('POST', `/subscriptions/${sub.id}/cancel`, { at_period_end: false })).body.data.status).toBe('cancelled');

    const entries = await about('payments.subscription.', sub.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      'payments.subscription.created',
      'payments.subscription.cancel_scheduled',
      'payments.subscription.resumed',
      'payments.subscription.cancelled',
    ]);
    expect(entries[0]!.data.changes).toMatchObject({ status: { to: 'active' }, plan_id: { to: plan.id }, payment_method_ref: { redacted: true } });
    expect(entries[1]!.data.changes).toEqual({ cancel_at_period_end: { from: false, to: true } });
    expect(entries[3]!.data.changes).toMatchObject({ status: { from: 'active', to: 'cancelled' } });
    const customer = await about('payments.customer.created', sub.customer_id);
    expect(customer).toHaveLength(1);
    expect(customer[0]!.data.changes).toMatchObject({ email: { redacted: true }, name: { redacted: true } });
    const { text } = await audit('payments.');
    expect(text).not.toContain('payer.audit@example.test');
    expect(text).not.toContain(testCards.succeeds);
  });

  it('leaves no entry when a request fails after its writes (a declined first payment of a subscription)', async () => {
    const plan = (await call('POST', '/plans', { name: 'Declined', amount: 700, currency: 'usd', interval: 'month' })).body.data;
    const before = (await audit('payments.')).total;
    const refused = await call('POST', '/subscriptions', {
      plan_id: plan.id,
      customer: { email: 'declined.audit@example.test' },
      payment_method: testCards.recurringDeclined,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual({ payment_method: ['the first payment was declined'] });
    expect((await audit('payments.')).total).toBe(before);
  });
});
