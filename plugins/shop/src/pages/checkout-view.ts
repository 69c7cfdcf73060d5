import { html, type PageSources, type SafeHtml } from '@plinth/sdk';
import { type CheckoutMethod, type PayerIntent, testCards } from '@plinth/plugin-payments';
import { money, type PageScope, shopPage, shopPath } from './page-kit.js';
import { orderTable, type TokenOrder } from './public-order.js';

/** Where Stripe's Payment Element loads from and talks to. */
const stripeSources: PageSources = {
  script: ["'self'", 'https://js.stripe.com'],
  frame: ['https://js.stripe.com', 'https://hooks.stripe.com'],
  connect: ['https://api.stripe.com'],
};
/** Hosted payment pages a "Pay" button may be redirected to (a 303 after a form post is checked against form-action). */
const gatewayPages = ['https://checkout.stripe.com', 'https://accept.paymob.com', 'https://*.paymob.com'];

/**
 * Whether the checkout page's CSP lets its form be redirected to `url` without knowing the URL beforehand: the
 * hosted pages of known gateways. Another origin (a regional or local stand-in) is allowed once the page shows an
 * intent that already carries that URL (see {@link checkoutPage}).
 */
export function isKnownGatewayPage(url: string): boolean {
  const origin = originOf(url);
  if (!origin) return false;
  return gatewayPages.includes(origin) || /^https:\/\/[a-z0-9-]+\.paymob\.com$/.test(origin);
}

/** The origin of an absolute URL, or undefined. */
export function originOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

/** What the checkout page shows besides the order: why the last attempt failed, a card field's error. */
export interface CheckoutState {
  failure?: string | null;
  cardError?: string;
  card?: string;
}

/** The checkout page: the order, who it is for, and the payment step of the tenant's provider. */
export function checkoutPage(
  scope: PageScope,
  input: { order: TokenOrder; method: CheckoutMethod; intent: PayerIntent | undefined; state: CheckoutState; returnUrl: string; status?: number },
) {
  const { t } = scope;
  const { order, method, intent, state } = input;
  const action = shopPath(scope, `/checkout/${order.public_token}`);
  const payLabel = t('pay', { amount: money(scope, order.total, order.currency) });
  let payment: SafeHtml;
  let sources: PageSources | undefined;
  let head: SafeHtml | undefined;
  const nextAction = intent?.next_action;
  if (method.kind === 'manual' || nextAction?.type === 'manual_payment') {
    const manual = nextAction?.type === 'manual_payment' ? (nextAction as { instructions?: string; reference?: string }) : undefined;
    payment = html`<h2>${t('manualTitle')}</h2>
      ${manual?.instructions ? html`<p class="description">${manual.instructions}</p>` : html``}
      ${manual?.reference ? html`<p><strong>${t('manualReference', { reference: manual.reference })}</strong></p>` : html``}
      <p class="muted">${t('manualNote')}</p>`;
  } else if (method.kind === 'stripe' && !method.redirect && nextAction?.type === 'stripe_payment_element') {
    const element = nextAction as { client_secret: string; publishable_key: string };
    sources = stripeSources;
    head = html`<script src="https://js.stripe.com/v3" defer></script>
      <script src="${shopPath(scope, '/shop-assets/stripe-checkout.js')}" defer></script>`;
    payment = html`<form id="stripe-payment-form" method="post" action="${action}">
      <div
        id="stripe-payment"
        data-publishable-key="${element.publishable_key}"
        data-client-secret="${element.client_secret}"
        data-return-url="${input.returnUrl}"
      >
        <div id="stripe-payment-element"></div>
      </div>
      <p id="stripe-payment-message" class="error" role="alert"></p>
      <noscript><p class="notice error">${t('stripeNoScript')}</p></noscript>
      <button type="submit">${payLabel}</button>
    </form>`;
  } else if (method.kind === 'card_form') {
    payment = html`<form method="post" action="${action}" novalidate>
        <label for="payment_method">${t('cardNumber')}</label>
        <input
          id="payment_method"
          name="payment_method"
          type="text"
          inputmode="numeric"
          autocomplete="cc-number"
          required
          maxlength="30"
          value="${state.card ?? ''}"
          ${state.cardError ? html`aria-describedby="card-error" aria-invalid="true"` : html``}
        />
        ${state.cardError ? html`<p class="error" id="card-error">${state.cardError}</p>` : html``}
        <button type="submit">${payLabel}</button>
      </form>
      ${
        method.provider === 'test'
          ? html`<div class="notice">
              <p>${t('testMode')}</p>
              <ul class="plain">
                <li>${t('testCardSucceeds', { card: testCards.succeeds })}</li>
                <li>${t('testCardAction', { card: testCards.requiresAction })}</li>
                <li>${t('testCardDeclined', { card: testCards.declined })}</li>
              </ul>
            </div>`
          : html``
      }`;
  } else {
    // A hosted gateway page (Paymob, Stripe Checkout, or Stripe before its element is ready): the button confirms and follows the gateway.
    const known = originOf((nextAction as { url?: unknown } | null | undefined)?.url);
    sources = { formAction: [...gatewayPages, ...(known ? [known] : [])] };
    payment = html`<form method="post" action="${action}">
      <p class="muted">${t('redirectNote')}</p>
      <button type="submit">${payLabel}</button>
    </form>`;
  }
  const body = html`<h1>${t('checkoutTitle')}</h1>
    ${
      state.failure !== undefined
        ? html`<p class="notice error" role="alert">${state.failure ? t('paymentFailed', { reason: state.failure }) : t('paymentFailedGeneric')}</p>`
        : html``
    }
    ${orderTable(scope, order)}
    <h2>${t('contact')}</h2>
    <p>${order.customer_name ? html`${order.customer_name}<br />` : html``}${order.customer_email}</p>
    <h2>${t('payment')}</h2>
    ${payment}`;
  return shopPage(scope, { status: input.status ?? 200, title: t('checkoutTitle'), body, sources, head });
}

/** The second step a test-gateway payment may ask for: Approve or Deny. */
export function challengePage(scope: PageScope, order: TokenOrder) {
  const { t } = scope;
  const action = shopPath(scope, `/checkout/${order.public_token}/challenge`);
  const body = html`<h1>${t('challengeTitle')}</h1>
    <p>${t('challengeBody', { amount: money(scope, order.total, order.currency) })}</p>
    <form method="post" action="${action}" class="choices">
      <button type="submit" name="action" value="approve">${t('approve')}</button>
      <button type="submit" name="action" value="deny" class="secondary">${t('deny')}</button>
    </form>`;
  return shopPage(scope, { title: t('challengeTitle'), body });
}
