import { randomBytes } from 'node:crypto';
import type { TestKernel, TestUser } from '../../src/testing/index.js';

/** A clock the test moves (`clock.now`), for `createTestKernel({ services: { clock: () => clock } })`. */
export function movableClock(start: string) {
  let current = new Date(start);
  return {
    now: () => new Date(current.getTime()),
    set(to: Date | string) {
      current = new Date(to);
    },
    advance(days: number, minutes = 0) {
      current = new Date(current.getTime() + days * 86_400_000 + minutes * 60_000);
    },
  };
}

/** Writes a paid plan straight into `billing_plans` (the plans API is another helper's subject). */
export async function paidPlan(
  t: TestKernel,
  plan: {
    prices: { currency: string; interval: 'month' | 'year'; amount: number }[];
    trial_days?: number;
    limits?: Record<string, number | null>;
    plugins?: string[] | null;
    sort?: number;
  },
): Promise<{ id: string; key: string; name: string }> {
  const key = `p-${randomBytes(4).toString('hex')}`;
  const name = `Plan ${key}`;
  const [row] = await t.sql<{ id: string }>(
    'insert into billing_plans (key, name, prices, trial_days, limits, plugins, sort) values ($1, $2, $3, $4, $5, $6, $7) returning id',
    [key, name, JSON.stringify(plan.prices), plan.trial_days ?? 0, JSON.stringify(plan.limits ?? {}), plan.plugins ?? null, plan.sort ?? 10],
  );
  await t.kernel.services.entitlements.invalidate();
  return { id: row!.id, key, name };
}

/** Runs a billing job now (as the worker's schedule would) and waits until it and what it queued have run. */
export async function runJob(t: TestKernel, name: 'core.billing.renew' | 'core.billing.dunning'): Promise<void> {
  await t.kernel.services.jobs.enqueue(name, {});
  await t.drainJobs();
}

/** Opens a checkout URL of the test provider and submits `card` on its page; returns the answer's status. */
export async function payOnPage(t: TestKernel, url: string, card: string): Promise<{ status: number; location: string | null; text: string }> {
  const path = new URL(url).pathname;
  const page = await fetch(`${t.url}${path}`);
  if (page.status !== 200) throw new Error(`checkout page answered ${page.status}`);
  const answer = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ card }).toString(),
    redirect: 'manual',
  });
  return { status: answer.status, location: answer.headers.get('location'), text: await answer.text() };
}

/** Adds (or replaces) the tenant's card through the test provider's page. */
export async function addCard(t: TestKernel, owner: TestUser, card: string): Promise<number> {
  const started = await t.request('POST', '/api/v1/billing/payment-method', { headers: owner.headers });
  if (started.status !== 200) throw new Error(`payment-method: ${started.status} ${JSON.stringify(started.body)}`);
  return (await payOnPage(t, started.body.data.url, card)).status;
}

/** The tenant's billing overview. */
export async function overview(t: TestKernel, owner: TestUser) {
  const answer = await t.request('GET', '/api/v1/billing', { headers: owner.headers });
  if (answer.status !== 200) throw new Error(`GET /billing: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** The tenant's invoices, newest first. */
export async function invoices(t: TestKernel, owner: TestUser) {
  const answer = await t.request('GET', '/api/v1/billing/invoices', { headers: owner.headers });
  if (answer.status !== 200) throw new Error(`GET /billing/invoices: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data as {
    id: string;
    number: string;
    status: string;
    total: number;
    subtotal: number;
    tax: number;
    lines: { kind: string; amount: number }[];
  }[];
}
