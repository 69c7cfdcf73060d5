import { addMember, createTestKernel, failFirstEvent, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { paymentsApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let call: ReturnType<typeof paymentsApi>;
let plan: { id: string };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'payments', { dunning_max_attempts: 2, dunning_retry_minutes: 60 });
  await t.enable(other, 'payments');
  call = paymentsApi(t, owner);
  plan = (await call('POST', '/plans', { name: 'Pro', amount: 2900, currency: 'USD', interval: 'month', trial_days: 7 })).body.data;
});
afterAll(() => t?.close());

interface InboxItem {
  id: string;
  category: string;
  title: string;
  body: string;
  url: string | null;
}

async function inbox(user: { headers: Record<string, string> }): Promise<InboxItem[]> {
  const response = await t.request('GET', '/api/v1/notifications?per_page=100', { headers: user.headers });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
}

/** Makes a subscription due now (time travel on stored state), then runs the renewal job. */
async function renewNow(id: string): Promise<void> {
  await t.sql("update payments_subscriptions set next_attempt_at = now() - interval '1 minute' where id = $1", [id]);
  expect((await call('POST', '/subscriptions/renewals')).status).toBe(202);
  await t.drainJobs();
}

describe('a declined renewal', () => {
  it('notifies the subscriber and the staff who manage subscriptions, once per attempt, even when the job runs again', async () => {
    const subscriber = await t.customer(owner);
    const admin = await addMember(t, owner, ['admin']);
    const member = await addMember(t, owner, ['member']);
    const created = await call('POST', '/subscriptions', {
      plan_id: plan.id,
      customer: { email: subscriber.email, name: 'Sam Subscriber' },
      payment_method: testCards.recurringDeclined,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sub = created.body.data as { id: string };
    const forSubscriber = async () => (await inbox(subscriber)).filter((item) => item.title === 'Your payment for Pro did not go through');
    const forStaff = async (user: TestUser) => (await inbox(user)).filter((item) => item.title === 'Renewal failed: Pro for Sam Subscriber');

    // The first try of the renewal job fails after notifying (rolled back); the job run again notifies once.
    const tries = await failFirstEvent(t, owner.tenant!.id, 'payments.subscription.past_due');
    await renewNow(sub.id);
    expect((await call('GET', `/subscriptions/${sub.id}`)).body.data.status).toBe('trialing');
    await renewNow(sub.id);
    expect(await tries()).toBe(2);
    expect((await call('GET', `/subscriptions/${sub.id}`)).body.data).toMatchObject({ status: 'past_due', dunning_attempts: 1 });

    const [first, ...more] = await forSubscriber();
    expect(more).toEqual([]);
    expect(first).toMatchObject({ category: 'payments.billing', url: null });
    expect(first!.body).toBe('We could not renew your Pro subscription. We will try again soon: please check that your payment method is up to date.');
    const [staffFirst] = await forStaff(admin);
    expect(staffFirst).toMatchObject({ category: 'payments.billing', url: `/t/${owner.tenant!.slug}/p/payments/subscriptions/${sub.id}` });
    expect(staffFirst!.body).toBe('The renewal of Sam Subscriber’s Pro subscription failed (attempt 1); it will be retried.');
    expect(await forStaff(owner)).toHaveLength(1);
    expect(await forStaff(member)).toEqual([]);

    // The last attempt: declined again, the subscription ends.
    await renewNow(sub.id);
    expect((await call('GET', `/subscriptions/${sub.id}`)).body.data).toMatchObject({ status: 'cancelled', dunning_attempts: 2 });
    await renewNow(sub.id);
    const bodies = (await forSubscriber()).map((item) => item.body);
    expect(bodies).toHaveLength(2);
    expect(bodies).toContain('We could not renew your Pro subscription, so it has been cancelled.');
    expect((await forStaff(admin)).map((item) => item.body)).toContain(
      'The renewal of Sam Subscriber’s Pro subscription failed 2 times; the subscription has been cancelled.',
    );
    expect(await forStaff(member)).toEqual([]);
    expect(await forStaff(subscriber)).toEqual([]);

    // Another tenant hears nothing of it.
    expect((await inbox(other)).filter((item) => item.category === 'payments.billing')).toEqual([]);
  });

  it('reaches a subscriber who had no account yet: they get a customer account of the tenant and find it there', async () => {
    const email = `new-subscriber-${process.pid}@example.test`;
    const sub = (await call('POST', '/subscriptions', { plan_id: plan.id, customer: { email }, payment_method: testCards.recurringDeclined })).body.data;
    await renewNow(sub.id);
    const [user] = await t.sql<{ id: string }>('select id from users where lower(email) = $1', [email]);
    expect(user).toBeDefined();
    const [membership] = await t.sql<{ kind: string }>('select kind from memberships where user_id = $1 and tenant_id = $2', [user!.id, owner.tenant!.id]);
    expect(membership?.kind).toBe('customer');
    const subscriber = await t.customer(owner, email);
    expect(subscriber.id).toBe(user!.id);
    expect((await inbox(subscriber)).map((item) => item.title)).toEqual(['Your payment for Pro did not go through']);
    expect((await forStaffOf(owner)).map((item) => item.title)).toContain(`Renewal failed: Pro for ${email}`);
  });
});

async function forStaffOf(user: TestUser): Promise<InboxItem[]> {
  return (await inbox(user)).filter((item) => item.category === 'payments.billing');
}
