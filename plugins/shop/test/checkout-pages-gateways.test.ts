import { createTestKernel, signUp, type TestKernel, type TestResponse, type TestUser } from '@plinth/core/testing';
import { createPaymentsPlugin } from '@plinth/plugin-payments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import shop from '../src/index.js';
import { isKnownGatewayPage } from '../src/pages/checkout-view.js';
import { PAYMOB_TEST_CARD, startPaymobStandIn, type PaymobAccount } from '../../payments/test/paymob-server.js';
import { startStripeStandIn, stripeIntent } from '../../payments/test/stripe-server.js';
import { createProduct, eventually, shopApi } from './helpers.js';

let t: TestKernel;
let paymobTenant: TestUser;
let manualTenant: TestUser;
let stripeTenant: TestUser;
let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
let account: PaymobAccount;
let paymob: Awaited<ReturnType<typeof startPaymobStandIn>>;

beforeAll(async () => {
  paymob = await startPaymobStandIn(() => account);
  // Stripe's API answers every PaymentIntent call with an intent waiting for its payment method.
  stripe = await startStripeStandIn((request) => ({
    status: 200,
    body: stripeIntent('pi_shop_1', { amount: Number(request.form.amount ?? 0), currency: request.form.currency ?? 'usd', status: 'requires_payment_method' }),
  }));
  t = await createTestKernel({ plugins: [createPaymentsPlugin({ paymob: { apiBase: paymob.url }, stripe: { apiBase: stripe.url } }), shop] });
  [paymobTenant, manualTenant, stripeTenant] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  account = {
    apiKey: 'paymob_api_key',
    integrationId: 4101,
    iframeId: 880,
    hmacSecret: 'HMAC_SECRET_0123456789',
    processedCallbackUrl: `${t.url}/api/v1/payments/webhooks/paymob/${paymobTenant.tenant!.slug}`,
    responseCallbackUrl: `${t.url}/api/v1/payments/returns/paymob/${paymobTenant.tenant!.slug}`,
  };
  await t.enable(paymobTenant, 'payments', { default_provider: 'paymob' });
  await t.enable(paymobTenant, 'shop', { currency: 'EGP' });
  const saved = await t.request('PUT', '/api/v1/payments/providers/paymob', {
    headers: paymobTenant.headers,
    body: { credentials: { api_key: account.apiKey, integration_id: '4101', iframe_id: '880', hmac_secret: account.hmacSecret } },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await t.enable(manualTenant, 'payments', { default_provider: 'manual', manual_instructions: 'Transfer to IBAN DE00 1234 5678' });
  await t.enable(manualTenant, 'shop');
  await t.enable(stripeTenant, 'payments', { default_provider: 'stripe' });
  await t.enable(stripeTenant, 'shop');
  const stripeSaved = await t.request('PUT', '/api/v1/payments/providers/stripe', {
    headers: stripeTenant.headers,
    body: { credentials: { secret_key: 'sk_test_shop', webhook_secret: 'whsec_shop', publishable_key: 'pk_test_shopKey' } },
  });
  expect(stripeSaved.status, JSON.stringify(stripeSaved.body)).toBe(200);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await paymob?.close();
  await stripe?.close();
});

function page(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<TestResponse> {
  const headers: Record<string, string> = { host: new URL(t.url).host };
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.origin = t.url;
  }
  return t.request(method, path, { headers, ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
}

async function buy(owner: TestUser, productId: string): Promise<string> {
  const product = (await shopApi(t, owner)('GET', `/products/${productId}`)).body.data;
  const answer = await page('POST', `/c/${owner.tenant!.slug}/buy/${product.slug}`, {
    variant: product.variants[0].id,
    quantity: '1',
    email: 'layla@example.test',
    name: 'Layla Hassan',
  });
  expect(answer.status, String(answer.body).slice(0, 300)).toBe(303);
  return /\/checkout\/([0-9a-f]{64})$/.exec(answer.headers.get('location')!)![1]!;
}

const orderStatus = async (token: string) => (await t.sql<{ status: string }>('select status from shop_orders where public_token = $1', [token]))[0]!.status;

describe('the hosted checkout with a redirect gateway (Paymob stand-in)', () => {
  it('shows a Pay button, 303s to the gateway, and brings the buyer back through the signed return to the receipt', async () => {
    const slug = paymobTenant.tenant!.slug;
    const product = await createProduct(t, paymobTenant, { price: 15000, stock: 3, name: 'Arabic calligraphy' });
    const token = await buy(paymobTenant, product.productId);
    const checkout = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(checkout.status).toBe(200);
    expect(checkout.body).not.toContain('name="payment_method"');
    expect(checkout.body).toContain('<button type="submit">');
    expect(checkout.headers.get('content-security-policy')).toContain('form-action');

    // The stand-in's origin is not a gateway page the checkout's CSP knows beforehand: the first press creates the
    // gateway's page and comes back to the checkout, which now allows that origin in form-action; the next goes there.
    const first = await page('POST', `/c/${slug}/checkout/${token}`, {});
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/c/${slug}/checkout/${token}`);
    const ready = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(ready.headers.get('content-security-policy')).toContain(`form-action 'self' https://checkout.stripe.com`);
    expect(ready.headers.get('content-security-policy')).toContain(paymob.url);
    const pay = await page('POST', `/c/${slug}/checkout/${token}`, {});
    expect(pay.status).toBe(303);
    const gateway = pay.headers.get('location')!;
    expect(gateway.startsWith(`${paymob.url}/api/acceptance/iframes/880?payment_token=`)).toBe(true);
    expect(paymob.requests.find((request) => request.path === '/api/acceptance/payment_keys')?.body.billing_data).toMatchObject({
      email: 'layla@example.test',
      first_name: 'Layla',
    });

    // The buyer pays on Paymob's page; Paymob calls back and sends the browser to payments' return, then to ours.
    const hosted = await (await fetch(gateway)).text();
    const submitted = await fetch(new URL(/action="([^"]+)"/.exec(hosted)![1]!, gateway), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_token: /name="payment_token" value="([^"]+)"/.exec(hosted)![1]!, card: PAYMOB_TEST_CARD }).toString(),
    });
    const verified = await fetch(submitted.headers.get('location')!, { redirect: 'manual' });
    expect(verified.status).toBe(303);
    const back = new URL(verified.headers.get('location')!);
    expect(back.pathname).toBe(`/c/${slug}/checkout/${token}/return`);
    const returned = await page('GET', `${back.pathname}${back.search}`);
    expect(returned.status).toBe(303);
    expect(returned.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
    await eventually(async () => {
      await t.drainEvents();
      return (await orderStatus(token)) === 'paid';
    });
    const receipt = await page('GET', `/c/${slug}/orders/${token}`);
    expect(receipt.body).toContain('Paid. Thank you');
  });

  it('knows the gateway pages a checkout form may be redirected to straight away', () => {
    expect(isKnownGatewayPage('https://accept.paymob.com/api/acceptance/iframes/1?payment_token=x')).toBe(true);
    expect(isKnownGatewayPage('https://ksa.paymob.com/api/acceptance/iframes/1')).toBe(true);
    expect(isKnownGatewayPage('https://checkout.stripe.com/c/pay/cs_test_1')).toBe(true);
    expect(isKnownGatewayPage('https://evil.example/paymob.com')).toBe(false);
    expect(isKnownGatewayPage('http://accept.paymob.com/x')).toBe(false);
    expect(isKnownGatewayPage('not a url')).toBe(false);
  });

  it('ignores a forged return: the order stays unpaid and the buyer is sent back to the checkout', async () => {
    const slug = paymobTenant.tenant!.slug;
    const product = await createProduct(t, paymobTenant, { price: 9000, stock: 3 });
    const token = await buy(paymobTenant, product.productId);
    expect((await page('POST', `/c/${slug}/checkout/${token}`, {})).status).toBe(303);
    expect((await orderStatus(token)) === 'pending').toBe(true);
    const forged = await page('GET', `/c/${slug}/checkout/${token}/return?success=true&amount_cents=9000&order=1&hmac=${'0'.repeat(128)}`);
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe(`/c/${slug}/checkout/${token}`);
    await t.drainEvents();
    expect(await orderStatus(token)).toBe('pending');
  });
});

describe('the hosted checkout with manual payment', () => {
  it('shows the transfer instructions and the reference, with nothing to submit; the receipt awaits payment', async () => {
    const slug = manualTenant.tenant!.slug;
    const product = await createProduct(t, manualTenant, { price: 5000, stock: 3 });
    const token = await buy(manualTenant, product.productId);
    const checkout = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(checkout.status).toBe(200);
    expect(checkout.body).toContain('Transfer to IBAN DE00 1234 5678');
    expect(checkout.body).toMatch(/Reference: [0-9A-F]{8}/);
    expect(checkout.body).not.toContain('<form');
    const receipt = await page('GET', `/c/${slug}/orders/${token}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toContain('Awaiting payment.');
    expect(await orderStatus(token)).toBe('pending');
  });
});

describe('the hosted checkout with Stripe’s Payment Element', () => {
  it('mounts the element from data attributes with a same-origin script; CSP allows js.stripe.com and no inline script', async () => {
    const slug = stripeTenant.tenant!.slug;
    const product = await createProduct(t, stripeTenant, { price: 2000, stock: 3 });
    const token = await buy(stripeTenant, product.productId);
    const checkout = await page('GET', `/c/${slug}/checkout/${token}`);
    expect(checkout.status).toBe(200);
    const csp = checkout.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' https://js.stripe.com");
    expect(csp).toContain('frame-src https://js.stripe.com');
    expect(csp).not.toContain('unsafe-inline');
    expect(checkout.body).toContain('data-publishable-key="pk_test_shopKey"');
    expect(checkout.body).toContain('data-client-secret="pi_shop_1_secret_abc"');
    expect(checkout.body).toContain(`data-return-url="${t.url}/c/${slug}/checkout/${token}/return"`);
    expect(checkout.body).toContain(`<script src="/c/${slug}/shop-assets/stripe-checkout.js" defer></script>`);
    expect(checkout.body).not.toMatch(/<script>/);

    const script = await page('GET', `/c/${slug}/shop-assets/stripe-checkout.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.body).toContain("elements.create('payment')");

    // Stripe sends the buyer back after confirming; the receipt follows the payment until the webhook settles it.
    const back = await page('GET', `/c/${slug}/checkout/${token}/return?payment_intent=pi_shop_1&redirect_status=succeeded`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/c/${slug}/orders/${token}`);
  });
});
