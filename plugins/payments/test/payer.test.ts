import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { paymentsApi } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let callA: ReturnType<typeof paymentsApi>;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(a, 'payments');
  await t.enable(b, 'payments');
  callA = paymentsApi(t, a);
});
afterAll(() => t?.close());

/** A request as the anonymous payer, on a tenant's host (X-Tenant). */
function asPayer(tenant: TestUser, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return t.request(method, `/api/v1/payments${path}`, { headers: { 'x-tenant': tenant.tenant!.slug, ...headers }, body });
}
const view = (tenant: TestUser, id: string, secret: string) => asPayer(tenant, 'GET', `/pay/${id}`, undefined, { 'payment-client-secret': secret });
const confirm = (tenant: TestUser, id: string, body: Record<string, unknown>) => asPayer(tenant, 'POST', `/pay/${id}/confirm`, body);

async function newIntent(amount = 4200): Promise<{ id: string; client_secret: string }> {
  const created = await callA('POST', '/intents', { amount, currency: 'EUR', description: 'Course', metadata: { shop_order_id: 'o-1' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data;
}
async function stored(id: string) {
  const [row] = await t.sql<{ status: string; client_secret_hash: string | null; return_url: string | null }>(
    'select status, client_secret_hash, return_url from payments_intents where id = $1',
    [id],
  );
  return row!;
}

describe("the payer's key", () => {
  it('is returned once on creation, stored only as a hash, never shown to staff again', async () => {
    const intent = await newIntent();
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_[A-Za-z0-9_-]{32}$`));
    const row = await stored(intent.id);
    expect(row.client_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(intent.client_secret);
    expect((await callA('GET', `/intents/${intent.id}`)).body.data.client_secret).toBeUndefined();
    expect(JSON.stringify((await callA('GET', '/intents')).body)).not.toContain('_secret_');
  });

  it('an idempotent replay of the creation gives the same secret, which is kept sealed for replays', async () => {
    const body = { amount: 1500, currency: 'EUR' };
    const first = await callA('POST', '/intents', body, { 'idempotency-key': 'payer-secret-replay' });
    const again = await callA('POST', '/intents', body, { 'idempotency-key': 'payer-secret-replay' });
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.body.data.client_secret).toBe(first.body.data.client_secret);
    const kept = await t.sql<{ response: unknown }>("select response from payments_idempotency_keys where key = 'payer-secret-replay'");
    expect(kept).toHaveLength(1);
    expect(JSON.stringify(kept)).not.toContain(first.body.data.client_secret);
    expect((await view(a, first.body.data.id, again.body.data.client_secret)).status).toBe(200);
  });

  it('shows the payer the intent (no metadata) with the right secret; 404 alike for a wrong, missing or unknown one', async () => {
    const intent = await newIntent();
    const seen = await view(a, intent.id, intent.client_secret);
    expect(seen.status).toBe(200);
    expect(seen.body.data).toEqual({
      id: intent.id,
      provider: 'test',
      status: 'requires_payment_method',
      amount: 4200,
      currency: 'EUR',
      description: 'Course',
      next_action: null,
      failure_reason: null,
    });
    const other = await newIntent();
    const answers = await Promise.all([
      view(a, intent.id, `${intent.id}_secret_wrong`),
      view(a, intent.id, other.client_secret),
      asPayer(a, 'GET', `/pay/${intent.id}`),
      view(a, '00000000-0000-4000-8000-000000000000', intent.client_secret),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe(answers[0]!.body.code);
    }
  });

  it('an intent from before payer secrets (no hash) cannot be paid by anyone', async () => {
    const intent = await newIntent();
    await t.sql('update payments_intents set client_secret_hash = null where id = $1', [intent.id]);
    expect((await view(a, intent.id, intent.client_secret)).status).toBe(404);
    expect((await confirm(a, intent.id, { client_secret: intent.client_secret, payment_method: testCards.succeeds })).status).toBe(404);
    expect((await stored(intent.id)).status).toBe('requires_payment_method');
  });
});

describe('paying as the payer through the test gateway', () => {
  it('confirms with the succeeding card; a second submit is 409 and charges nothing more', async () => {
    const intent = await newIntent();
    const first = await confirm(a, intent.id, { client_secret: intent.client_secret, payment_method: testCards.succeeds });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ status: 'processing', next_action: null });
    const second = await confirm(a, intent.id, { client_secret: intent.client_secret, payment_method: testCards.succeeds });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('intent_not_confirmable');
    await t.drainJobs();
    expect((await view(a, intent.id, intent.client_secret)).body.data.status).toBe('succeeded');
    const captures = await t.sql('select amount from payments_transactions where intent_id = $1', [intent.id]);
    expect(captures).toEqual([{ amount: 4200 }]);
  });

  it('two concurrent confirms: one is processed, the other 409; one capture, one processing transition', async () => {
    const intent = await newIntent();
    const body = { client_secret: intent.client_secret, payment_method: testCards.succeeds };
    const answers = await Promise.all([confirm(a, intent.id, body), confirm(a, intent.id, body)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    await t.drainJobs();
    const history = await t.sql<{ to_status: string }>('select to_status from payments_intent_history where intent_id = $1 order by created_at, id', [
      intent.id,
    ]);
    expect(history.map((row) => row.to_status)).toEqual(['requires_payment_method', 'processing', 'succeeded']);
    expect(await t.sql('select amount from payments_transactions where intent_id = $1', [intent.id])).toEqual([{ amount: 4200 }]);
  });

  it("the requires_action card answers a challenge, approved by the payer's action", async () => {
    const intent = await newIntent();
    const first = await confirm(a, intent.id, { client_secret: intent.client_secret, payment_method: testCards.requiresAction });
    expect(first.body.data).toMatchObject({ status: 'requires_action', next_action: { type: 'challenge' } });
    expect((await view(a, intent.id, intent.client_secret)).body.data.next_action).toMatchObject({ type: 'challenge' });
    const approved = await confirm(a, intent.id, { client_secret: intent.client_secret, action: 'approve' });
    expect(approved.body.data).toMatchObject({ status: 'processing', next_action: null });
  });

  it('a denied challenge fails the payment with a reason', async () => {
    const intent = await newIntent();
    await confirm(a, intent.id, { client_secret: intent.client_secret, payment_method: testCards.requiresAction });
    const denied = await confirm(a, intent.id, { client_secret: intent.client_secret, action: 'deny' });
    expect(denied.body.data).toMatchObject({ status: 'failed', failure_reason: 'Your card was declined.' });
  });

  it('bad input is 4xx and changes nothing: wrong secret, unknown card, bad or foreign return URL, unknown field, missing secret', async () => {
    const intent = await newIntent();
    const cases: [Record<string, unknown>, number][] = [
      [{ client_secret: 'nope', payment_method: testCards.succeeds }, 404],
      [{ client_secret: intent.client_secret, payment_method: '1234' }, 422],
      [{ client_secret: intent.client_secret, payment_method: testCards.succeeds, return_url: 'javascript:alert(1)' }, 422],
      // Not the tenant's pages nor a listed origin: the payer is never sent to an address a secret holder chose.
      [{ client_secret: intent.client_secret, payment_method: testCards.succeeds, return_url: 'https://phish.example/c/x' }, 422],
      [{ client_secret: intent.client_secret, payment_method: testCards.succeeds, return_url: `${t.url}/c/${b.tenant!.slug}/checkout/x/return` }, 422],
      [{ client_secret: intent.client_secret, payment_method: testCards.succeeds, amount: 1 }, 422],
      [{ payment_method: testCards.succeeds }, 422],
    ];
    for (const [body, status] of cases) expect((await confirm(a, intent.id, body)).status, JSON.stringify(body)).toBe(status);
    expect(await stored(intent.id)).toMatchObject({ status: 'requires_payment_method', return_url: null });
    expect(await t.sql('select count(*)::int as n from payments_intent_history where intent_id = $1', [intent.id])).toEqual([{ n: 1 }]);
  });
});

describe('payer routes and tenants', () => {
  it("tenant B's host cannot see or pay A's intent, even with A's secret", async () => {
    const intent = await newIntent();
    expect((await view(b, intent.id, intent.client_secret)).status).toBe(404);
    expect((await confirm(b, intent.id, { client_secret: intent.client_secret, payment_method: testCards.succeeds })).status).toBe(404);
    expect((await stored(intent.id)).status).toBe('requires_payment_method');
  });

  it('the browser-return route answers 404 for a gateway without returns or not configured, never 5xx', async () => {
    for (const provider of ['test', 'manual', 'stripe', 'paymob', 'nope']) {
      const answer = await t.request('GET', `/api/v1/payments/returns/${provider}/${a.tenant!.slug}?session_id=cs_1&hmac=00&order=1`);
      expect(answer.status, provider).toBe(404);
    }
  });

  it('everything else about payments stays staff-only', async () => {
    const intent = await newIntent();
    for (const [method, path] of [
      ['GET', '/intents'],
      ['GET', `/intents/${intent.id}`],
      ['POST', `/intents/${intent.id}/confirm`],
      ['POST', '/refunds'],
    ] as const) {
      const answer = await asPayer(a, method, path, method === 'POST' ? { payment_method: testCards.succeeds } : undefined);
      expect(answer.status, path).toBe(401);
    }
  });
});
