import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsPlugin } from '../src/index.js';
import { paymobHmac, processedHmacString, responseHmacString } from '../src/providers/paymob-hmac.js';
import { eventsNamed, paymentsApi } from './helpers.js';
import { PAYMOB_TEST_CARD, startPaymobStandIn, type PaymobAccount } from './paymob-server.js';

const RETURN_URL = 'https://shop.example.test/c/acme/checkout/tok123/return';
let t: TestKernel;
let a: TestUser;
let b: TestUser;
let account: PaymobAccount;
let paymob: Awaited<ReturnType<typeof startPaymobStandIn>>;
beforeAll(async () => {
  paymob = await startPaymobStandIn(() => account);
  t = await createTestKernel({ plugins: [createPaymentsPlugin({ paymob: { apiBase: paymob.url } })] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  account = {
    apiKey: 'paymob_api_key_a',
    integrationId: 4101,
    iframeId: 880,
    hmacSecret: 'HMAC_SECRET_A_0123456789',
    processedCallbackUrl: `${t.url}/api/v1/payments/webhooks/paymob/${a.tenant!.slug}`,
    responseCallbackUrl: `${t.url}/api/v1/payments/returns/paymob/${a.tenant!.slug}`,
  };
  for (const [user, secret] of [
    [a, account.hmacSecret],
    [b, 'HMAC_SECRET_B_different'],
  ] as const) {
    await t.enable(user, 'payments', { default_provider: 'paymob', return_origins: ['https://shop.example.test'] });
    const saved = await paymentsApi(t, user)('PUT', '/providers/paymob', {
      credentials: { api_key: account.apiKey, integration_id: String(account.integrationId), iframe_id: String(account.iframeId), hmac_secret: secret },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }
});
afterAll(async () => {
  await t?.close();
  await paymob?.close();
});

const payer = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/payments${path}`, { headers: { 'x-tenant': a.tenant!.slug }, body });

/** Creates an intent and confirms it as the payer: the redirect to Paymob's hosted page. */
async function startPayment(amount = 15000) {
  const created = await paymentsApi(t, a)('POST', '/intents', { amount, currency: 'EGP', description: 'Course', metadata: { shop_order_id: 'o-9' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const intent = created.body.data as { id: string; client_secret: string; provider: string };
  const confirmed = await payer('POST', `/pay/${intent.id}/confirm`, {
    client_secret: intent.client_secret,
    return_url: RETURN_URL,
    billing: { email: 'buyer@example.test', name: 'Layla Hassan' },
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return { intent, confirmed: confirmed.body.data as { status: string; next_action: { type: string; url: string } } };
}

/** The buyer's browser on Paymob's page: opens it, submits the card; answers the redirect to the response callback. */
async function payOnPaymob(url: string, card = PAYMOB_TEST_CARD) {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /action="([^"]+)"/.exec(html)![1]!;
  const token = /name="payment_token" value="([^"]+)"/.exec(html)![1]!;
  const submitted = await fetch(new URL(action, url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ payment_token: token, card }).toString(),
  });
  expect(submitted.status).toBe(302);
  return submitted.headers.get('location')!;
}
const follow = (location: string) => fetch(location, { redirect: 'manual' });
async function intentRow(id: string) {
  const [row] = await t.sql<{ status: string; amount_captured: number; provider_ref: string; provider_payment_ref: string | null }>(
    'select status, amount_captured, provider_ref, provider_payment_ref from payments_intents where id = $1',
    [id],
  );
  return row!;
}
const historyCount = async (id: string) =>
  (await t.sql<{ n: number }>('select count(*)::int as n from payments_intent_history where intent_id = $1', [id]))[0]!.n;

describe('paymob, against a stand-in of its published API', () => {
  it('registers an order, redirects the payer to the hosted page, and settles on the signed callbacks', async () => {
    const { intent, confirmed } = await startPayment();
    const order = [...paymob.orders.values()].find((entry) => entry.merchant_order_id === intent.id)!;
    expect(order).toMatchObject({ amount_cents: 15000, currency: 'EGP' });
    expect(paymob.requests.map((request) => request.path).slice(-4)).toEqual([
      '/api/auth/tokens',
      '/api/ecommerce/orders',
      '/api/auth/tokens',
      '/api/acceptance/payment_keys',
    ]);
    const keyRequest = paymob.requests.at(-1)!.body;
    expect(keyRequest).toMatchObject({ amount_cents: 15000, currency: 'EGP', order_id: order.id, integration_id: 4101, expiration: 3600 });
    expect(keyRequest.billing_data).toMatchObject({ email: 'buyer@example.test', first_name: 'Layla', last_name: 'Hassan' });
    expect(confirmed.status).toBe('requires_action');
    expect(confirmed.next_action.type).toBe('redirect');
    expect(confirmed.next_action.url).toMatch(new RegExp(`^${paymob.url}/api/acceptance/iframes/880\\?payment_token=pay_`));

    const location = await payOnPaymob(confirmed.next_action.url);
    expect(paymob.callbacks.at(-1)).toMatchObject({ status: 200, body: { data: { received: true, duplicate: false } } });
    expect(await intentRow(intent.id)).toMatchObject({ status: 'succeeded', amount_captured: 15000, provider_ref: String(order.id) });
    const back = await follow(location);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(RETURN_URL);
    const succeeded = await eventsNamed(t, a.tenant!.id, 'payments.payment.succeeded');
    expect(succeeded.filter((event) => event.intentId === intent.id)).toHaveLength(1);

    // Refunds go to Paymob's refund API with the transaction it reported.
    const txnId = (await intentRow(intent.id)).provider_payment_ref;
    expect(txnId).toMatch(/^\d+$/);
    const refund = await paymentsApi(t, a)('POST', '/refunds', { intent_id: intent.id, amount: 5000 });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(refund.body.data).toMatchObject({ status: 'succeeded', amount: 5000 });
    expect(paymob.requests.at(-1)).toMatchObject({
      path: '/api/acceptance/void_refund/refund',
      body: { transaction_id: Number(txnId), amount_cents: 5000 },
    });
  });

  it('the signed browser return alone settles the intent when the server callback is lost', async () => {
    const processed = account.processedCallbackUrl;
    account = { ...account, processedCallbackUrl: `${t.url}/api/v1/payments/webhooks/paymob/no-such-tenant` };
    try {
      const { intent, confirmed } = await startPayment(9900);
      const location = await payOnPaymob(confirmed.next_action.url);
      expect(paymob.callbacks.at(-1)!.status).toBe(404);
      expect((await intentRow(intent.id)).status).toBe('requires_action');
      const back = await follow(location);
      expect(back.status).toBe(303);
      expect(await intentRow(intent.id)).toMatchObject({ status: 'succeeded', amount_captured: 9900 });
      const history = await t.sql<{ source: string; to_status: string }>(
        'select source, to_status from payments_intent_history where intent_id = $1 order by created_at, id',
        [intent.id],
      );
      expect(history.at(-1)).toEqual({ source: 'return', to_status: 'succeeded' });
      // A replayed return changes nothing more.
      const count = await historyCount(intent.id);
      expect((await follow(location)).status).toBe(303);
      expect(await historyCount(intent.id)).toBe(count);
    } finally {
      account = { ...account, processedCallbackUrl: processed };
    }
  });

  it('a declined card fails the payment', async () => {
    const { intent, confirmed } = await startPayment();
    await follow(await payOnPaymob(confirmed.next_action.url, '4000000000000002'));
    expect(await intentRow(intent.id)).toMatchObject({ status: 'failed', amount_captured: 0 });
  });

  it('a wrong, missing or tampered signature is 400 and changes nothing; a replayed callback changes nothing', async () => {
    const { intent } = await startPayment();
    const order = [...paymob.orders.values()].find((entry) => entry.merchant_order_id === intent.id)!;
    const txn = paymob.transaction(order, true);
    const before = await historyCount(intent.id);
    expect((await paymob.sendProcessed(txn, 'ab'.repeat(64))).status).toBe(400);
    expect((await paymob.sendProcessed(txn, '')).status).toBe(400);
    const signed = paymobHmac(account.hmacSecret, processedHmacString(txn));
    expect((await paymob.sendProcessed({ ...txn, amount_cents: 1 }, signed)).status).toBe(400);
    expect((await paymob.sendProcessed({ ...txn, order: { ...txn.order, id: 1 } }, signed)).status).toBe(400);
    const query = paymob.responseQuery(txn);
    const tampered = new URL(account.responseCallbackUrl);
    for (const [name, value] of Object.entries({ ...query, amount_cents: '1' })) tampered.searchParams.set(name, value);
    const answer = await follow(tampered.toString());
    expect(answer.status).toBe(400);
    expect((await intentRow(intent.id)).status).toBe('requires_action');
    expect(await historyCount(intent.id)).toBe(before);

    expect((await paymob.sendProcessed(txn)).status).toBe(200);
    expect((await intentRow(intent.id)).status).toBe('succeeded');
    const after = await historyCount(intent.id);
    const replay = await paymob.sendProcessed(txn);
    expect(replay.status).toBe(200);
    expect(paymob.callbacks.at(-1)!.body).toMatchObject({ data: { duplicate: true } });
    expect(await historyCount(intent.id)).toBe(after);
  });

  it('a genuinely signed success for another amount or currency than the intent is never a success', async () => {
    const { intent } = await startPayment(20000);
    const order = [...paymob.orders.values()].find((entry) => entry.merchant_order_id === intent.id)!;
    expect((await paymob.sendProcessed(paymob.transaction(order, true, { amount_cents: 100 }))).status).toBe(200);
    expect((await paymob.sendProcessed(paymob.transaction(order, true, { currency: 'USD' }))).status).toBe(200);
    const flat = paymob.responseQuery(paymob.transaction(order, true, { amount_cents: 100 }));
    const back = new URL(account.responseCallbackUrl);
    for (const [name, value] of Object.entries(flat)) back.searchParams.set(name, value);
    expect((await follow(back.toString())).status).toBe(404);
    expect(await intentRow(intent.id)).toMatchObject({ status: 'requires_action', amount_captured: 0 });
  });

  it("tenant B (another HMAC secret) rejects A's genuine callbacks and returns", async () => {
    const { intent } = await startPayment();
    const order = [...paymob.orders.values()].find((entry) => entry.merchant_order_id === intent.id)!;
    const txn = paymob.transaction(order, true);
    const raw = JSON.stringify({ type: 'TRANSACTION', obj: txn });
    const hmac = paymobHmac(account.hmacSecret, processedHmacString(txn));
    const onB = await t.request('POST', `/api/v1/payments/webhooks/paymob/${b.tenant!.slug}?hmac=${hmac}`, {
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(onB.status).toBe(400);
    const flat = paymob.responseQuery(txn);
    const returnOnB = new URL(`${t.url}/api/v1/payments/returns/paymob/${b.tenant!.slug}`);
    for (const [name, value] of Object.entries(flat)) returnOnB.searchParams.set(name, value);
    expect((await follow(returnOnB.toString())).status).toBe(400);
    expect((await intentRow(intent.id)).status).toBe('requires_action');
  });

  it('the response-callback signature follows the published field order', () => {
    const flat = { amount_cents: '100', created_at: '2020-03-25T18:39:44.719228', currency: 'EGP', error_occured: 'false' };
    expect(responseHmacString({ ...flat, order: '4778239', id: '2556706' })).toBe('1002020-03-25T18:39:44.719228EGPfalse25567064778239');
  });

  it('credentials are checked when saved: all four keys, a numeric integration id, a paymob.com base', async () => {
    const call = paymentsApi(t, b);
    const valid = { api_key: 'k', integration_id: '1', iframe_id: '2', hmac_secret: 's' };
    for (const credentials of [
      { api_key: 'k' },
      { ...valid, integration_id: 'abc' },
      { ...valid, base_url: 'http://169.254.169.254' },
      { ...valid, base_url: 'https://evil.example/paymob.com' },
    ]) {
      expect((await call('PUT', '/providers/paymob', { credentials })).status, JSON.stringify(credentials)).toBe(422);
    }
    expect((await call('PUT', '/providers/paymob', { credentials: { ...valid, base_url: 'https://ksa.paymob.com' } })).status).toBe(200);
  });
});
