import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { eventsNamed, paymentsApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let admin: TestUser;
let member: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'payments', { manual_instructions: 'IBAN DE00 1234' });
  // Payments are customer data: the built-in member and viewer roles hold none of it; these roles give it back.
  for (const [name, permissions] of Object.entries({
    cashier: ['payments.transactions.view', 'payments.intents.create'],
    bookkeeper: ['payments.transactions.view'],
  }))
    expect((await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions } })).status).toBe(201);
  [admin, member, viewer] = [await addMember(t, owner, ['admin']), await addMember(t, owner, ['cashier']), await addMember(t, owner, ['bookkeeper'])];
});
afterAll(() => t?.close());

const as = (user: TestUser) => paymentsApi(t, user);

describe('the manual provider', () => {
  it('waits with instructions until a member holding payments.manual.mark_paid marks it paid', async () => {
    const created = await as(member)('POST', '/intents', { amount: 15000, currency: 'EUR', provider: 'manual', metadata: { invoice: 'INV-1' } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ status: 'requires_action', next_action: { type: 'manual_payment', instructions: 'IBAN DE00 1234' } });
    const id = created.body.data.id;
    expect((await as(member)('POST', `/intents/${id}/confirm`, { payment_method: 'cash' })).status).toBe(422);
    const denied = await as(member)('POST', `/intents/${id}/mark-paid`);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    const paid = await as(admin)('POST', `/intents/${id}/mark-paid`);
    expect(paid.body.data).toMatchObject({ status: 'succeeded', amount_captured: 15000, next_action: null });
    expect((await as(admin)('POST', `/intents/${id}/mark-paid`)).status).toBe(409);
    const history = (await as(viewer)('GET', `/intents/${id}/history`)).body.data;
    expect(history.at(-1)).toMatchObject({ to_status: 'succeeded', source: 'manual' });
    expect((await eventsNamed(t, owner.tenant!.id, 'payments.payment.succeeded')).some((event) => event.intentId === id)).toBe(true);
    const refund = await as(admin)('POST', '/refunds', { intent_id: id, amount: 5000 });
    expect(refund.body.data.status).toBe('succeeded');
  });

  it('marks only manual payments paid', async () => {
    const intent = (await as(owner)('POST', '/intents', { amount: 100, currency: 'EUR' })).body.data;
    expect((await as(owner)('POST', `/intents/${intent.id}/mark-paid`)).status).toBe(422);
  });
});

describe('payments permissions', () => {
  it('the built-in member and viewer roles reach no intent, refund, transaction or subscription', async () => {
    for (const role of ['member', 'viewer']) {
      const user = await addMember(t, owner, [role]);
      for (const path of ['/intents', '/refunds', '/transactions', '/subscriptions', '/plans'])
        expect((await as(user)('GET', path)).status, `${role} ${path}`).toBe(403);
      expect((await as(user)('POST', '/intents', { amount: 100, currency: 'USD' })).status, role).toBe(403);
    }
  });

  it('payments.transactions.view: bookkeepers, cashiers and admins read intents, refunds and transactions', async () => {
    for (const user of [viewer, member, admin]) {
      for (const path of ['/intents', '/refunds', '/transactions']) expect((await as(user)('GET', path)).status, path).toBe(200);
    }
  });

  it('payments.intents.create: cashiers and admins, not bookkeepers', async () => {
    expect((await as(viewer)('POST', '/intents', { amount: 100, currency: 'USD' })).status).toBe(403);
    const intent = (await as(member)('POST', '/intents', { amount: 100, currency: 'USD' })).body.data;
    expect((await as(viewer)('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds })).status).toBe(403);
    expect((await as(viewer)('POST', `/intents/${intent.id}/cancel`)).status).toBe(403);
    expect((await as(member)('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds })).status).toBe(200);
  });

  it('payments.refunds.create: admins, not cashiers', async () => {
    const intent = (await as(member)('POST', '/intents', { amount: 100, currency: 'USD' })).body.data;
    await as(member)('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds });
    await t.drainJobs();
    expect((await as(member)('POST', '/refunds', { intent_id: intent.id })).status).toBe(403);
    expect((await as(viewer)('POST', '/refunds', { intent_id: intent.id })).status).toBe(403);
    expect((await as(admin)('POST', '/refunds', { intent_id: intent.id })).status).toBe(201);
  });

  it('payments.settings.manage: admins configure providers; others cannot even list them', async () => {
    for (const user of [viewer, member]) {
      expect((await as(user)('GET', '/providers')).status).toBe(403);
      expect((await as(user)('PUT', '/providers/test', { credentials: { webhook_secret: 'whsec_x' } })).status).toBe(403);
    }
    expect((await as(admin)('GET', '/providers')).status).toBe(200);
  });

  it('lists its permissions with descriptions in the catalogue', async () => {
    const catalogue = await t.request('GET', '/api/v1/permissions', { headers: owner.headers });
    const names = JSON.stringify(catalogue.body.data);
    for (const name of [
      'payments.transactions.view',
      'payments.refunds.create',
      'payments.settings.manage',
      'payments.manual.mark_paid',
      'payments.intents.create',
    ]) {
      expect(names).toContain(name);
    }
  });
});
