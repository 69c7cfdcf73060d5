import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { signWebhook, TEST_SIGNATURE_HEADER } from '../src/index.js';
import { paymentsApi } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
const secrets = { a: 'whsec_tenant_a_secret', b: 'whsec_tenant_b_secret' };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  for (const [user, secret] of [
    [a, secrets.a],
    [b, secrets.b],
  ] as const) {
    await t.enable(user, 'payments');
    expect((await paymentsApi(t, user)('PUT', '/providers/test', { credentials: { webhook_secret: secret } })).status).toBe(200);
  }
});
afterAll(() => t?.close());

let eventCounter = 0;
function event(type: string, providerRef: string, extra: Record<string, unknown> = {}, id = `evt_${process.pid}_${++eventCounter}`) {
  return {
    id,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: providerRef, object: 'payment_intent', amount: 700, currency: 'usd', ...extra } },
  };
}
const now = () => Math.floor(Date.now() / 1000);

function post(tenant: string, raw: string, signature: string | undefined, provider = 'test') {
  return t.request('POST', `/api/v1/payments/webhooks/${provider}/${tenant}`, {
    body: raw,
    headers: { 'content-type': 'application/json', ...(signature ? { [TEST_SIGNATURE_HEADER]: signature } : {}) },
  });
}
const send = (tenant: string, secret: string, body: object) => {
  const raw = JSON.stringify(body);
  return post(tenant, raw, signWebhook(secret, raw, now()));
};

async function intentOf(user: TestUser) {
  const intent = (await paymentsApi(t, user)('POST', '/intents', { amount: 700, currency: 'USD' })).body.data;
  const [row] = await t.sql<{ provider_ref: string }>('select provider_ref from payments_intents where id = $1', [intent.id]);
  return { id: intent.id as string, ref: row!.provider_ref };
}
const statusOf = async (user: TestUser, id: string) => (await paymentsApi(t, user)('GET', `/intents/${id}`)).body.data.status;

describe('webhooks', () => {
  it('applies a correctly signed event (raw body), by tenant slug or id', async () => {
    const intent = await intentOf(a);
    const response = await send(a.tenant!.slug, secrets.a, event('payment_intent.processing', intent.ref));
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ received: true, duplicate: false });
    expect(await statusOf(a, intent.id)).toBe('processing');
    expect((await send(a.tenant!.id, secrets.a, event('payment_intent.succeeded', intent.ref, { amount_received: 700 }))).status).toBe(200);
    expect(await statusOf(a, intent.id)).toBe('succeeded');
  });

  it('answers 400 and changes nothing for a wrong, missing, stale, future or malformed signature, or a re-serialised body', async () => {
    const intent = await intentOf(a);
    const body = event('payment_intent.succeeded', intent.ref);
    const raw = JSON.stringify(body);
    const reserialised = JSON.stringify(body, null, 2);
    const attempts: [string, string, string | undefined][] = [
      ['wrong secret', raw, signWebhook('whsec_wrong', raw, now())],
      ['missing header', raw, undefined],
      ['stale', raw, signWebhook(secrets.a, raw, now() - 301)],
      // now() is whole seconds and the server's clock is not: 302 stays outside the 300 s tolerance however late the check runs within the second.
      ['future', raw, signWebhook(secrets.a, raw, now() + 302)],
      ['malformed', raw, 'v1=abc'],
      ['re-serialised body', reserialised, signWebhook(secrets.a, raw, now())],
      ['tampered body', raw.replace('"amount":700', '"amount":1'), signWebhook(secrets.a, raw, now())],
    ];
    for (const [what, payload, signature] of attempts) {
      const response = await post(a.tenant!.slug, payload, signature);
      expect(response.status, what).toBe(400);
      expect(response.body.code, what).toBe('invalid_signature');
    }
    expect(await statusOf(a, intent.id)).toBe('requires_payment_method');
    const [received] = await t.sql<{ n: number }>('select count(*)::int as n from payments_webhook_events where event_id = $1', [body.id]);
    expect(received!.n).toBe(0);
    // Within the tolerance an older signature still verifies.
    expect((await post(a.tenant!.slug, raw, signWebhook(secrets.a, raw, now() - 200))).status).toBe(200);
  });

  it('acknowledges a replayed or duplicated event without applying it twice (also concurrently)', async () => {
    const intent = await intentOf(a);
    const body = event('payment_intent.succeeded', intent.ref, { amount_received: 700 });
    const responses = await Promise.all(Array.from({ length: 5 }, () => send(a.tenant!.slug, secrets.a, body)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.filter((response) => response.body.data.duplicate === false)).toHaveLength(1);
    const history = (await paymentsApi(t, a)('GET', `/intents/${intent.id}/history`)).body.data;
    expect(history.filter((entry: { to_status: string }) => entry.to_status === 'succeeded')).toHaveLength(1);
    const [captures] = await t.sql<{ n: number }>("select count(*)::int as n from payments_transactions where intent_id = $1 and type = 'capture'", [
      intent.id,
    ]);
    expect(captures!.n).toBe(1);
  });

  it('reaches the right final state when events arrive out of order', async () => {
    const one = await intentOf(a);
    await send(a.tenant!.slug, secrets.a, event('payment_intent.succeeded', one.ref, { amount_received: 700 }));
    await send(a.tenant!.slug, secrets.a, event('payment_intent.processing', one.ref));
    await send(a.tenant!.slug, secrets.a, event('payment_intent.requires_action', one.ref));
    expect(await statusOf(a, one.id)).toBe('succeeded');

    const two = await intentOf(a);
    await send(a.tenant!.slug, secrets.a, event('payment_intent.payment_failed', two.ref, { last_payment_error: { message: 'Insufficient funds.' } }));
    await send(a.tenant!.slug, secrets.a, event('payment_intent.processing', two.ref));
    const failed = (await paymentsApi(t, a)('GET', `/intents/${two.id}`)).body.data;
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'Insufficient funds.' });
  });

  it("one tenant's webhook URL cannot touch another tenant's payments", async () => {
    const ofA = await intentOf(a);
    // B's URL, B's secret, naming A's intent: verified for B, but A's intent is not B's to change.
    const viaB = await send(b.tenant!.slug, secrets.b, event('payment_intent.succeeded', ofA.ref, { amount_received: 700 }));
    expect(viaB.status).toBe(200);
    expect(await statusOf(a, ofA.id)).toBe('requires_payment_method');
    // A's genuine event posted to B's URL does not verify there.
    expect((await send(b.tenant!.slug, secrets.a, event('payment_intent.succeeded', ofA.ref))).status).toBe(400);
    expect(await statusOf(a, ofA.id)).toBe('requires_payment_method');
  });

  it('404s an unknown provider or tenant, ignores unrelated event types', async () => {
    const raw = JSON.stringify(event('payment_intent.succeeded', 'x'));
    expect((await post(a.tenant!.slug, raw, signWebhook(secrets.a, raw, now()), 'nope')).status).toBe(404);
    expect((await post('no-such-tenant', raw, signWebhook(secrets.a, raw, now()))).status).toBe(404);
    const ignored = await send(a.tenant!.slug, secrets.a, {
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      created: now(),
      data: { object: { id: 'cus_1' } },
    });
    expect(ignored.status).toBe(200);
    expect((await post(a.tenant!.slug, 'not json', signWebhook(secrets.a, 'not json', now()))).status).toBe(400);
  });
});
