import type { TestKernel, TestResponse, TestUser } from '@plinth/core/testing';
import { testCards } from '@plinth/plugin-payments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel, stockOf, storeApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let slug: string;

beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [owner, other] = kit.owners as [TestUser, TestUser];
  slug = owner.tenant!.slug;
}, 60_000);
afterAll(() => t?.close());

/** A browser's request to a page: not following redirects (the Host header makes the test kit send it as given). */
function page(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<TestResponse> {
  const headers: Record<string, string> = { host: new URL(t.url).host };
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.origin = t.url;
  }
  return t.request(method, path, { headers, ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
}

const productSlug = async (productId: string) => (await shopApi(t, owner)('GET', `/products/${productId}`)).body.data.slug as string;
const tokenOf = (location: string | null) => /\/checkout\/([0-9a-f]{64})$/.exec(location ?? '')?.[1];
const orderCount = async () => (await t.sql<{ n: number }>('select count(*)::int as n from shop_orders where tenant_id = $1', [owner.tenant!.id]))[0]!.n;

/** Buys through the buy page; returns the order's public token. */
async function buy(productId: string, form: Record<string, string> = {}): Promise<string> {
  const product = (await shopApi(t, owner)('GET', `/products/${productId}`)).body.data;
  const answer = await page('POST', `/c/${slug}/buy/${product.slug}`, { variant: product.variants[0].id, quantity: '1', email: 'buyer@example.test', ...form });
  expect(answer.status, String(answer.body).slice(0, 300)).toBe(303);
  return tokenOf(answer.headers.get('location'))!;
}

async function orderRow(token: string) {
  const [row] = await t.sql<{ id: string; status: string; total: number; currency: string; payment_intent_id: string | null }>(
    'select id, status, total, currency, payment_intent_id from shop_orders where public_token = $1',
    [token],
  );
  return row!;
}

async function settle(): Promise<void> {
  await t.drainJobs();
  await t.drainEvents();
}

/** Every form control (but hidden inputs) has a `<label for>` naming its id. */
function unlabelledControls(markup: string): string[] {
  const labelled = new Set([...markup.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((match) => match[1]));
  return [...markup.matchAll(/<(input|select|textarea)\b([^>]*)>/g)]
    .filter(([, , attributes]) => !/type="hidden"/.test(attributes!))
    .map(([tag, , attributes]) => ({ tag: tag!, id: /\sid="([^"]+)"/.exec(attributes!)?.[1] }))
    .filter(({ id }) => !id || !labelled.has(id))
    .map(({ tag }) => tag);
}

describe('the buy page (a product’s payment link)', () => {
  it('shows the product with its server price and a labelled form, under a CSP without unsafe-inline', async () => {
    const product = await createProduct(t, owner, { price: 2500, stock: 4, name: 'Pottery course' });
    const answer = await page('GET', `/c/${slug}/buy/${await productSlug(product.productId)}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.body).toContain('Pottery course');
    expect(answer.body).toContain('$25.00');
    expect(answer.body).toContain('<html lang="en" dir="ltr">');
    const csp = answer.headers.get('content-security-policy')!;
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("script-src 'none'");
    expect(unlabelledControls(answer.body)).toEqual([]);
    expect(answer.body).toMatch(/<input id="email" name="email" type="email"/);
  });

  it('places the order at the catalogue’s price, ignoring tampered price and currency fields, and reserves stock', async () => {
    const product = await createProduct(t, owner, { price: 1200, stock: 5 });
    const token = await buy(product.productId, { quantity: '2', price: '1', unit_price: '1', currency: 'EUR', total: '0', amount: '1' });
    const order = await orderRow(token);
    expect(order).toMatchObject({ status: 'pending', total: 2400, currency: 'USD' });
    expect(order.payment_intent_id).toBeTruthy();
    expect(await stockOf(t, owner, product.variantId)).toBe(3);
    const [intent] = await t.sql<{ amount: number; currency: string }>('select amount, currency from payments_intents where id = $1', [
      order.payment_intent_id,
    ]);
    expect(intent).toEqual({ amount: 2400, currency: 'USD' });
  });

  it('refuses bad input with the form again (422) and writes nothing', async () => {
    const product = await createProduct(t, owner, { price: 1000, stock: 3 });
    const productPath = `/c/${slug}/buy/${await productSlug(product.productId)}`;
    const before = await orderCount();
    const cases: Record<string, string>[] = [
      { variant: product.variantId, quantity: '1', email: 'not-an-email' },
      { variant: product.variantId, quantity: '0', email: 'a@example.test' },
      { variant: product.variantId, quantity: '-1', email: 'a@example.test' },
      { variant: product.variantId, quantity: '1.5', email: 'a@example.test' },
      { variant: '00000000-0000-4000-8000-000000000000', quantity: '1', email: 'a@example.test' },
      { quantity: '1', email: 'a@example.test' },
      { variant: product.variantId, quantity: '1', email: 'a@example.test', name: 'x'.repeat(300) },
    ];
    for (const form of cases) {
      const answer = await page('POST', productPath, form);
      expect(answer.status, JSON.stringify(form)).toBe(422);
      expect(answer.headers.get('content-type')).toContain('text/html');
      expect(answer.body).toMatch(/class="(notice )?error"/);
    }
    const tooMany = await page('POST', productPath, { variant: product.variantId, quantity: '4', email: 'a@example.test' });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body).toContain('not enough in stock');
    expect(await orderCount()).toBe(before);
    expect(await stockOf(t, owner, product.variantId)).toBe(3);
    const [{ n: carts }] = (await t.sql<{ n: number }>('select count(*)::int as n from shop_cart_lines where tenant_id = $1 and variant_id = $2', [
      owner.tenant!.id,
      product.variantId,
    ])) as [{ n: number }];
    expect(carts).toBe(0);
  });

  it('answers a clear page for unknown, draft and sold-out products', async () => {
    const draft = await createProduct(t, owner, { status: 'draft' });
    const soldOut = await createProduct(t, owner, { stock: 0, name: 'Gone' });
    const unknown = await page('GET', `/c/${slug}/buy/no-such-product`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('not available');
    expect((await page('GET', `/c/${slug}/buy/${await productSlug(draft.productId)}`)).status).toBe(404);
    const gone = await page('GET', `/c/${slug}/buy/${await productSlug(soldOut.productId)}`);
    expect(gone.status).toBe(409);
    expect(gone.body).toContain('sold out');
    const before = await orderCount();
    const posted = await page('POST', `/c/${slug}/buy/${await productSlug(soldOut.productId)}`, {
      variant: soldOut.variantId,
      quantity: '1',
      email: 'a@example.test',
    });
    expect(posted.status).toBe(409);
    expect(await orderCount()).toBe(before);
    // Another tenant's product is not on this tenant's pages.
    const foreign = await createProduct(t, other, { name: 'Foreign' });
    const foreignSlug = (await shopApi(t, other)('GET', `/products/${foreign.productId}`)).body.data.slug;
    expect((await page('GET', `/c/${slug}/buy/${foreignSlug}`)).status).toBe(404);
  });

  it('speaks Arabic, right to left, for an Arabic tenant', async () => {
    const patched = await t.request('PATCH', '/api/v1/tenant', { headers: other.headers, body: { locale: 'ar-EG' } });
    expect(patched.status).toBe(200);
    const product = await createProduct(t, other, { price: 1500, name: 'دورة' });
    const productSlugOther = (await shopApi(t, other)('GET', `/products/${product.productId}`)).body.data.slug;
    const answer = await page('GET', `/c/${other.tenant!.slug}/buy/${productSlugOther}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('dir="rtl"');
    expect(answer.body).toContain('البريد الإلكتروني');
    expect(answer.body).toContain('المتابعة إلى الدفع');
    expect(unlabelledControls(answer.body)).toEqual([]);
  });
});

describe('the hosted checkout', () => {
  it('takes the test card: summary and test cards shown, 303 to the receipt, which says paid once the webhook lands', async () => {
    const product = await createProduct(t, owner, { price: 3000, stock: 2, name: 'Glaze kit' });
    const token = await buy(product.productId, { name: 'Bea Buyer' });
    const checkout = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(checkout.status).toBe(200);
    expect(checkout.body).toContain('Glaze kit');
    expect(checkout.body).toContain('$30.00');
    expect(checkout.body).toContain('buyer@example.test');
    expect(checkout.body).toContain(testCards.succeeds);
    expect(checkout.body).toContain(testCards.requiresAction);
    expect(checkout.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(unlabelledControls(checkout.body)).toEqual([]);

    const paid = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: '4242 4242 4242 4242' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
    await eventually(async () => {
      await settle();
      return (await orderRow(token)).status === 'paid';
    });
    const receipt = await page('GET', `/c/${slug}/orders/${token}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toContain('Paid. Thank you');
    expect(receipt.body).toContain('Glaze kit');
    expect(receipt.body).toContain(`/c/${slug}/account/sign-in?next=`);
    expect(receipt.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    // Once the invoice is stored as a file, the receipt links to it (a signed URL that needs no sign-in).
    const withInvoice = await eventually(async () => {
      await settle();
      const answer = await page('GET', `/c/${slug}/orders/${token}`);
      return /<a href="([^"]+)">Download the invoice<\/a>/.exec(answer.body)?.[1];
    });
    const invoice = await fetch(withInvoice.replaceAll('&amp;', '&'));
    expect(invoice.status).toBe(200);
    // A paid order's checkout sends the buyer to the receipt; paying again is impossible.
    const again = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
    const repost = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: GOOD_CARD });
    expect(repost.status).toBe(303);
    expect(repost.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
  });

  it('walks the requires_action card through the challenge: deny → back with the reason, approve → receipt', async () => {
    const product = await createProduct(t, owner, { price: 1000, stock: 5 });
    const token = await buy(product.productId);
    const first = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: testCards.requiresAction });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/c/${slug}/checkout/${token}/challenge`);
    const challenge = await page('GET', `/c/${slug}/checkout/${token}/challenge`);
    expect(challenge.status).toBe(200);
    expect(challenge.body).toContain('value="approve"');
    expect(challenge.body).toContain('value="deny"');

    const denied = await page('POST', `/c/${slug}/checkout/${token}/challenge`, { action: 'deny' });
    expect(denied.status).toBe(303);
    expect(denied.headers.get('location')).toBe(`/c/${slug}/checkout/${token}?failed=1`);
    const back = await page('GET', `/c/${slug}/checkout/${token}?failed=1`);
    expect(back.status).toBe(200);
    expect(back.body).toContain('did not go through');
    expect((await orderRow(token)).status).toBe('pending');

    // A new attempt gets a new intent; this time the buyer approves.
    const firstIntent = (await orderRow(token)).payment_intent_id;
    const retry = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: testCards.requiresAction });
    expect(retry.headers.get('location')).toBe(`/c/${slug}/checkout/${token}/challenge`);
    expect((await orderRow(token)).payment_intent_id).not.toBe(firstIntent);
    const approved = await page('POST', `/c/${slug}/checkout/${token}/challenge`, { action: 'approve' });
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
    await eventually(async () => {
      await settle();
      return (await orderRow(token)).status === 'paid';
    });
  });

  it('sends a declined card back to the checkout with the gateway’s reason; a malformed card number is 422', async () => {
    const product = await createProduct(t, owner, { price: 1000, stock: 5 });
    const token = await buy(product.productId);
    const malformed = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: 'abc' });
    expect(malformed.status).toBe(422);
    expect(malformed.body).toContain('id="card-error"');
    const declined = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: testCards.declined });
    expect(declined.status).toBe(303);
    expect(declined.headers.get('location')).toBe(`/c/${slug}/checkout/${token}?failed=1`);
    const back = await page('GET', `/c/${slug}/checkout/${token}?failed=1`);
    expect(back.body).toContain('declined');
    await settle();
    expect((await orderRow(token)).status).toBe('pending');
    const receipt = await page('GET', `/c/${slug}/orders/${token}`);
    expect(receipt.body).toContain('The last payment attempt failed.');
  });

  it('pays once when the payment form is submitted twice at the same moment', async () => {
    const product = await createProduct(t, owner, { price: 4200, stock: 5 });
    const token = await buy(product.productId);
    const answers = await Promise.all([1, 2].map(() => page('POST', `/c/${slug}/checkout/${token}`, { payment_method: GOOD_CARD })));
    expect(answers.map((answer) => answer.status)).toEqual([303, 303]);
    for (const answer of answers) expect(answer.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
    const { id: orderId } = await orderRow(token);
    await eventually(async () => {
      await settle();
      return (await orderRow(token)).status === 'paid';
    });
    const confirmations = await t.sql<{ n: number }>(
      `select count(*)::int as n from payments_intent_history h join payments_intents i on i.id = h.intent_id
        where i.metadata->>'shop_order_id' = $1 and h.to_status = 'processing'`,
      [orderId],
    );
    expect(confirmations[0]!.n).toBe(1);
    const intents = await t.sql("select id from payments_intents where metadata->>'shop_order_id' = $1", [orderId]);
    expect(intents).toHaveLength(1);
    const succeeded = await t.sql(
      "select 1 from plinth_events where tenant_id = $1 and name = 'payments.payment.succeeded' and payload->'metadata'->>'shop_order_id' = $2",
      [owner.tenant!.id, orderId],
    );
    expect(succeeded).toHaveLength(1);
  });

  it('answers 404 for unknown, malformed and other tenants’ tokens, 410 for expired and cancelled orders', async () => {
    const product = await createProduct(t, owner, { price: 1000, stock: 5 });
    const token = await buy(product.productId);
    for (const path of [`/checkout/${'0'.repeat(64)}`, '/checkout/not-a-token', `/orders/${'a'.repeat(64)}`, `/checkout/${'0'.repeat(64)}/challenge`]) {
      const answer = await page('GET', `/c/${slug}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type')).toContain('text/html');
    }
    // The order's token on another tenant's pages: that tenant has no such order.
    expect((await page('GET', `/c/${other.tenant!.slug}/checkout/${token}`)).status).toBe(404);
    expect((await page('GET', `/c/${other.tenant!.slug}/orders/${token}`)).status).toBe(404);
    expect((await page('POST', `/c/${other.tenant!.slug}/checkout/${token}`, { payment_method: GOOD_CARD })).status).toBe(404);
    expect((await orderRow(token)).status).toBe('pending');

    // Its reservation ran out (the expiry job has not run yet): 410, and paying is refused.
    await t.sql("update shop_orders set reserved_until = now() - interval '1 minute' where public_token = $1", [token]);
    const expired = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('expired');
    const late = await page('POST', `/c/${slug}/checkout/${token}`, { payment_method: GOOD_CARD });
    expect(late.status).toBe(410);
    const [{ n }] = (await t.sql<{ n: number }>(
      "select count(*)::int as n from payments_intent_history h join payments_intents i on i.id = h.intent_id where i.id = $1 and h.to_status <> 'requires_payment_method'",
      [(await orderRow(token)).payment_intent_id],
    )) as [{ n: number }];
    expect(n).toBe(0);

    const cancelledToken = await buy(product.productId);
    const cancelled = await shopApi(t, owner)('POST', `/orders/${(await orderRow(cancelledToken)).id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect((await page('GET', `/c/${slug}/checkout/${cancelledToken}`)).status).toBe(410);
    const receipt = await page('GET', `/c/${slug}/orders/${cancelledToken}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toContain('cancelled');
  });
});

describe('the storefront’s JSON checkout', () => {
  it('answers the hosted checkout_url and the intent’s client_secret; the cart is closed afterwards', async () => {
    const product = await createProduct(t, owner, { price: 800, stock: 5 });
    const store = storeApi(t, slug);
    const cart = (await store('POST', '/carts')).body.data.token;
    expect((await store('POST', `/carts/${cart}/lines`, { variant_id: product.variantId, quantity: 2 })).status).toBe(201);
    const checkout = await store('POST', `/carts/${cart}/checkout`, { customer: { email: 'json@example.test' } });
    expect(checkout.status).toBe(201);
    const { checkout_url: url, payment_intent: intent, order } = checkout.body.data;
    expect(url).toMatch(new RegExp(`^http://[^/]+/c/${slug}/checkout/[0-9a-f]{64}$`));
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));

    // The cart changed after checkout started: refused, and the order keeps its lines.
    const changed = await store('POST', `/carts/${cart}/lines`, { variant_id: product.variantId, quantity: 1 });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('cart_closed');
    const lines = await t.sql<{ quantity: number }>('select quantity from shop_order_lines where order_id = $1', [order.id]);
    expect(lines).toEqual([{ quantity: 2 }]);

    // The client secret pays the intent through payments' payer route; the hosted page then shows the receipt.
    const paid = await t.request('POST', `/api/v1/payments/pay/${intent.id}/confirm`, {
      headers: { 'x-tenant': slug },
      body: { client_secret: intent.client_secret, payment_method: GOOD_CARD },
    });
    expect(paid.status).toBe(200);
    const token = new URL(url).pathname.split('/').pop()!;
    const hosted = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(hosted.status).toBe(303);
    expect(hosted.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
  });
});
