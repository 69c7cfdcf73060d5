import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, pdfText, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { addCard, invoices, movableClock, overview, paidPlan, runJob } from './billing-helpers.js';

/**
 * The whole cycle with the test provider and a clock the test moves: sign-up on a trial plan → a card → the trial ends
 * and is paid (mail with the PDF) → the next renewal is declined → past due → read only → suspended → paid again,
 * with nothing lost on the way.
 */
describe('billing: the subscription cycle with the test provider', () => {
  const clock = movableClock('2026-03-01T09:00:00Z');
  let t: TestKernel;
  let owner: TestUser;
  let plan: { id: string; key: string; name: string };
  let trialEnd: Date;

  beforeAll(async () => {
    t = await createTestKernel({ services: { clock: () => clock } });
    plan = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'month', amount: 2000 }], trial_days: 14 });
  });
  afterAll(() => t.close());

  const createRole = (name: string) => t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions: [] } });
  const mailTo = async (subject: RegExp) => (await t.mailbox(owner.email)).filter((mail) => subject.test(mail.subject));

  it('signs up on a trial plan: no card asked, trialing for the plan’s days', async () => {
    const slug = `cycle-${Date.now().toString(36)}`;
    const registered = await t.request('POST', '/api/v1/auth/register', {
      body: { email: `${slug}@example.test`, password: 'Pl1nth-cycle-pass', name: 'Owner', tenant: { name: 'Cycle Co', slug }, plan: { key: plan.key } },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.data.checkout_url).toBeUndefined();
    owner = {
      id: registered.body.data.user.id,
      email: `${slug}@example.test`,
      password: 'Pl1nth-cycle-pass',
      accessToken: registered.body.data.tokens.access_token,
      refreshToken: registered.body.data.tokens.refresh_token,
      tenant: { id: registered.body.data.tenant.id, slug, name: 'Cycle Co' },
      headers: { authorization: `Bearer ${registered.body.data.tokens.access_token}`, 'x-tenant': slug },
    };
    await t.sql('update users set email_verified_at = now() where id = $1', [owner.id]);
    const billing = await overview(t, owner);
    trialEnd = new Date(clock.now().getTime() + 14 * 86_400_000);
    expect(billing).toMatchObject({ provider: 'test', plan: { key: plan.key }, billing_status: 'ok' });
    expect(billing.subscription).toMatchObject({ status: 'trialing', currency: 'USD', interval: 'month', trial_ends_at: trialEnd.toISOString() });
    expect((await createRole('kept-through-dunning')).status).toBe(201);
  });

  it('the trial ends with a card: the first invoice is paid and mailed with its PDF', async () => {
    expect(await addCard(t, owner, '4242 4242 4242 4242')).toBe(303);
    expect((await overview(t, owner)).subscription.payment_method).toMatchObject({ brand: 'visa', last4: '4242' });
    clock.set(new Date(trialEnd.getTime() + 60_000));
    await runJob(t, 'core.billing.renew');
    const billing = await overview(t, owner);
    expect(billing.subscription).toMatchObject({ status: 'active', current_period_start: trialEnd.toISOString() });
    const [invoice] = await invoices(t, owner);
    expect(invoice).toMatchObject({ status: 'paid', total: 2000, subtotal: 2000, tax: 0 });
    expect(invoice!.number).toMatch(/^INV-\d{6}$/);
    const [mail] = await mailTo(new RegExp(`Invoice ${invoice!.number}`));
    expect(mail!.attachments).toHaveLength(1);
    expect(mail!.attachments[0]).toMatchObject({ filename: `${invoice!.number}.pdf`, contentType: 'application/pdf' });
    const text = pdfText(mail!.attachments[0]!.content);
    expect(text).toContain(invoice!.number);
    expect(text).toContain('$20.00');
  });

  it('the next renewal is declined: past due, billing still ok, and the owner is told', async () => {
    expect(await addCard(t, owner, '4000 0000 0000 0341')).toBe(303);
    const periodEnd = new Date((await overview(t, owner)).subscription.current_period_end);
    clock.set(new Date(periodEnd.getTime() + 60_000));
    await runJob(t, 'core.billing.renew');
    const billing = await overview(t, owner);
    expect(billing.subscription).toMatchObject({ status: 'past_due', past_due_since: clock.now().toISOString() });
    expect(billing.billing_status).toBe('ok');
    const [open] = await invoices(t, owner);
    expect(open).toMatchObject({ status: 'open', total: 2000 });
    expect(await mailTo(/Payment failed/)).toHaveLength(1);
    expect((await createRole('during-grace')).status).toBe(201);
  });

  it('past the grace: read only — a write refused 402, a read fine', async () => {
    clock.advance(7, 1);
    await runJob(t, 'core.billing.dunning');
    expect((await overview(t, owner)).billing_status).toBe('read_only');
    const refused = await createRole('refused');
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('billing_read_only');
    expect((await t.request('GET', '/api/v1/roles', { headers: owner.headers })).status).toBe(200);
    expect(await mailTo(/is read only/)).toHaveLength(1);
  });

  it('past the read-only days: suspended — tenant routes 402, the billing page open', async () => {
    clock.advance(14, 1);
    await runJob(t, 'core.billing.dunning');
    const refused = await t.request('GET', '/api/v1/roles', { headers: owner.headers });
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('billing_suspended');
    const billing = await overview(t, owner);
    expect(billing).toMatchObject({ billing_status: 'suspended', subscription: { status: 'suspended' } });
    expect((await t.request('GET', '/api/v1/me', { headers: { authorization: owner.headers.authorization! } })).status).toBe(200);
    expect(await mailTo(/is suspended/)).toHaveLength(1);
  });

  it('paying with a good card restores everything at once, with no data lost', async () => {
    expect(await addCard(t, owner, '4242 4242 4242 4242')).toBe(303);
    const billing = await overview(t, owner);
    expect(billing).toMatchObject({ billing_status: 'ok', subscription: { status: 'active', past_due_since: null } });
    expect((await invoices(t, owner)).map((invoice) => invoice.status)).toEqual(['paid', 'paid']);
    const roles = await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
    expect(roles.status).toBe(200);
    expect(roles.body.data.map((role: { name: string }) => role.name)).toEqual(expect.arrayContaining(['kept-through-dunning', 'during-grace']));
    expect((await createRole('after-paying')).status).toBe(201);
  });
});

describe('billing: signing up', () => {
  let t: TestKernel;
  beforeAll(async () => {
    t = await createTestKernel();
  });
  afterAll(() => t.close());

  const register = (slug: string, plan?: Record<string, unknown>) =>
    t.request('POST', '/api/v1/auth/register', {
      body: { email: `${slug}@example.test`, password: 'Pl1nth-signup-pass', name: 'Owner', tenant: { name: slug, slug }, ...(plan ? { plan } : {}) },
    });

  it('without a plan: the free plan, with the billing page open', async () => {
    const user = await signUp(t, { tenant: true });
    expect((await overview(t, user)).plan.key).toBe('free');
  });

  it('on a plan without a trial: the answer carries where to pay, the tenant stays on the free plan until then', async () => {
    const plan = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'year', amount: 19_000 }] });
    const slug = `pay-${Date.now().toString(36)}`;
    const registered = await register(slug, { key: plan.key, interval: 'year' });
    expect(registered.status).toBe(201);
    expect(registered.body.data.checkout_url).toMatch(/\/billing\/test-checkout\//);
    const [row] = await t.sql<{ key: string }>('select p.key from tenant_subscriptions s join billing_plans p on p.id = s.plan_id where s.tenant_id = $1', [
      registered.body.data.tenant.id,
    ]);
    expect(row!.key).toBe('free');
  });

  it('on a plan that does not exist or is not sold in the currency: refused, nothing created', async () => {
    const plan = await paidPlan(t, { prices: [{ currency: 'USD', interval: 'month', amount: 900 }] });
    const missing = await register(`none-${Date.now().toString(36)}`, { key: 'no-such-plan' });
    expect(missing.status).toBe(404);
    const slug = `eur-${Date.now().toString(36)}`;
    const euro = await register(slug, { key: plan.key, currency: 'EUR' });
    expect(euro.status).toBe(422);
    expect(euro.body.code).toBe('currency_not_offered');
    expect(await t.sql('select 1 from tenants where slug = $1', [slug])).toEqual([]);
    expect(await t.sql('select 1 from users where email = $1', [`${slug}@example.test`])).toEqual([]);
  });
});
