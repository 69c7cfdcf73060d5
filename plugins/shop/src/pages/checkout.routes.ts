import { type AnyRoute, rawBody, Redirect, Reply, RawReply, type RequestContext, tenantPages, Type } from '@plinth/sdk';
import type { PayerIntent } from '@plinth/plugin-payments';
import type { Builders, Deps, Settings } from '../deps.js';
import { startCheckout } from '../services/orders.js';
import { challengePage, checkoutPage, type CheckoutState, isKnownGatewayPage, originOf } from './checkout-view.js';
import { attempt, messagePage, notFoundPage, pageScope, type PageScope, shopPath } from './page-kit.js';
import { clientSecretOf, isExpired, orderByToken, payerIntent, type TokenOrder } from './public-order.js';

const TokenParams = Type.Object({ tenant: Type.String({ maxLength: 100 }), token: Type.String({ maxLength: 200 }) });
const CheckoutQuery = Type.Object({ failed: Type.Optional(Type.String({ maxLength: 1 })) });
const PayForm = Type.Object({ payment_method: Type.Optional(Type.String({ maxLength: 100 })) });
const ChallengeForm = Type.Object({ action: Type.Optional(Type.String({ maxLength: 20 })) });
/** A gateway's return: whatever it signs (Paymob sends some twenty fields), strings only. */
const ReturnQuery = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }), { maxProperties: 60 });
const pageStatuses = [200, 404, 409, 410];

/** Statuses of an intent whose payment is done or on its way: the receipt page follows it. */
const settled = new Set(['succeeded', 'processing', 'partially_refunded', 'refunded']);

/** An order the checkout cannot take payment for: paid (→ receipt), cancelled (410), expired (410). */
function closedOrder(scope: PageScope, order: TokenOrder): RawReply | undefined {
  const { t } = scope;
  if (order.status !== 'pending') {
    if (order.status === 'cancelled') return messagePage(scope, 410, t('cancelledTitle'), t('cancelledBody'));
    return toReceipt(scope, order);
  }
  if (isExpired(order)) return messagePage(scope, 410, t('expiredTitle'), t('expiredBody'));
  return undefined;
}

/**
 * The pending order a checkout page acts on, or the page to answer instead: an unknown token's 404, a paid order's
 * receipt, a cancelled or expired order's 410. `lock` holds the order row for the rest of the unit (submits).
 */
async function checkoutOrder(deps: Pick<Deps, 'db'>, scope: PageScope, token: string, options: { lock?: boolean } = {}): Promise<TokenOrder | RawReply> {
  const order = await orderByToken(deps.db, token, options);
  if (!order) return notFoundPage(scope);
  return closedOrder(scope, order) ?? order;
}

function toReceipt(scope: PageScope, order: TokenOrder): RawReply {
  return Reply.redirect(shopPath(scope, `/orders/${order.public_token}`), 303, { 'cache-control': 'no-store' });
}

function toCheckout(scope: PageScope, order: TokenOrder, failed = false): RawReply {
  return Reply.redirect(shopPath(scope, `/checkout/${order.public_token}${failed ? '?failed=1' : ''}`), 303, { 'cache-control': 'no-store' });
}

/**
 * Where the buyer goes once the intent moved: the receipt, the challenge, the gateway's page, or back with the
 * failure. A redirect to a gateway page the submitting page's CSP (`form-action`) may not allow goes through the
 * checkout page first, which then allows it (`shownUrl`: the gateway URL that page already knew).
 */
function afterConfirm(scope: PageScope, order: TokenOrder, intent: PayerIntent, shownUrl?: unknown): RawReply {
  if (settled.has(intent.status)) return toReceipt(scope, order);
  if (intent.status === 'failed' || intent.status === 'cancelled') return toCheckout(scope, order, true);
  const next = intent.next_action;
  if (next?.type === 'challenge') return Reply.redirect(shopPath(scope, `/checkout/${order.public_token}/challenge`), 303);
  if (next?.type === 'redirect' && typeof next.url === 'string' && /^https?:\/\//.test(next.url)) {
    const allowed = isKnownGatewayPage(next.url) || (typeof shownUrl === 'string' && originOf(shownUrl) === originOf(next.url));
    return allowed ? Reply.redirect(next.url, 303) : toCheckout(scope, order);
  }
  if (next?.type === 'manual_payment') return toReceipt(scope, order);
  return toCheckout(scope, order);
}

/** Where a redirect-type gateway sends the buyer back: on the host's public URL, never a name the request chose. */
function returnUrl(deps: Pick<Deps, 'customers'>, scope: PageScope, order: TokenOrder): string {
  return deps.customers.pageUrl(shopPath(scope, `/checkout/${order.public_token}/return`));
}

/**
 * The intent the buyer pays now: the order's current one, or a new one when there is none or the last attempt
 * failed (declined cards can be retried). Returns it with its client secret.
 */
async function payableIntent(deps: Deps, ctx: RequestContext<Settings>, order: TokenOrder): Promise<{ intent: PayerIntent; secret: string } | undefined> {
  const current = await payerIntent(deps, order);
  if (current && current.status !== 'failed' && current.status !== 'cancelled') return { intent: current, secret: clientSecretOf(deps, order)! };
  await startCheckout({ deps, settings: ctx.settings, tenant: ctx.tenant }, order.id);
  const renewed = await orderByToken(deps.db, order.public_token);
  const intent = renewed && (await payerIntent(deps, renewed));
  return intent && { intent, secret: clientSecretOf(deps, renewed)! };
}

/** `/c/:tenant/checkout/:token…`: the hosted checkout of an order, its challenge step and gateways' returns. */
export function checkoutRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/checkout/:token',
      summary: 'Page: the hosted checkout of an order (summary, contact, payment step)',
      public: true,
      root: tenantPages,
      schema: {
        params: TokenParams,
        query: CheckoutQuery,
        response: rawBody('text/html', 'The checkout; 303 to the receipt once paid; 404 unknown; 410 expired or cancelled', [...pageStatuses, 303]),
      },
      async handler({ params, query, deps, ctx }) {
        const scope = pageScope(ctx);
        const order = await checkoutOrder(deps, scope, params.token);
        if (order instanceof RawReply) return order;
        const intent = await payerIntent(deps, order);
        if (intent && settled.has(intent.status)) return toReceipt(scope, order);
        const method = await deps.payments.checkoutMethod(intent?.provider);
        const state: CheckoutState = {};
        if (intent?.status === 'failed' || query.failed === '1') state.failure = intent?.failure_reason ?? null;
        return checkoutPage(scope, { order, method, intent, state, returnUrl: returnUrl(deps, scope, order) });
      },
    }),
    route({
      method: 'POST',
      path: '/c/:tenant/checkout/:token',
      summary: "Page form: pay the order (urlencoded payment_method for the test gateway's card form) → 303",
      rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
      public: true,
      root: tenantPages,
      body: { types: ['application/x-www-form-urlencoded'], limitBytes: 4096 },
      schema: {
        params: TokenParams,
        body: PayForm,
        response: Redirect(303, 'To the receipt, the challenge step, the gateway, or back to the checkout with the failure; the form again (422) on bad input'),
      },
      async handler({ params, body, deps, ctx }) {
        const scope = pageScope(ctx);
        // Locked: a second submit of the same checkout waits here, then finds the payment made and goes to the receipt.
        const order = await checkoutOrder(deps, scope, params.token, { lock: true });
        if (order instanceof RawReply) return order;
        const payable = await payableIntent(deps, ctx, order);
        if (!payable) return toReceipt(scope, order); // nothing to pay: a free order, paid at once
        const { intent, secret } = payable;
        const shownUrl = intent.next_action?.type === 'redirect' ? intent.next_action.url : undefined;
        if (intent.status !== 'requires_payment_method') return afterConfirm(scope, order, intent, shownUrl);
        const method = await deps.payments.checkoutMethod(intent.provider);
        if (method.kind === 'manual') return toReceipt(scope, order);
        let paymentMethod: string | undefined;
        if (method.kind === 'card_form') {
          paymentMethod = (body.payment_method ?? '').replace(/[\s-]/g, '');
          if (!/^\d{12,19}$/.test(paymentMethod)) {
            const state = { cardError: scope.t('errorCard'), card: body.payment_method ?? '' };
            return checkoutPage(scope, { order, method, intent, state, returnUrl: returnUrl(deps, scope, order), status: 422 });
          }
        }
        const confirmed = await attempt(deps.db, () =>
          deps.payments.confirmAsPayer(intent.id, secret, {
            ...(paymentMethod ? { payment_method: paymentMethod } : {}),
            returnUrl: returnUrl(deps, scope, order),
            billing: { email: order.customer_email, ...(order.customer_name ? { name: order.customer_name } : {}) },
          }),
        );
        if (confirmed.ok) return afterConfirm(scope, order, confirmed.value, shownUrl);
        if (confirmed.error.status === 409) {
          const now = await deps.payments.payerView(intent.id, secret);
          return now ? afterConfirm(scope, order, now, shownUrl) : toCheckout(scope, order);
        }
        const state = { cardError: confirmed.error.message, card: body.payment_method ?? '' };
        const status = confirmed.error.status >= 500 ? 503 : confirmed.error.status;
        return checkoutPage(scope, { order, method, intent, state, returnUrl: returnUrl(deps, scope, order), status });
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/checkout/:token/challenge',
      summary: 'Page: the second step of a payment (Approve or Deny)',
      public: true,
      root: tenantPages,
      schema: {
        params: TokenParams,
        response: rawBody('text/html', 'The challenge; 303 back to the checkout or receipt when there is none', [...pageStatuses, 303]),
      },
      async handler({ params, deps, ctx }) {
        const scope = pageScope(ctx);
        const order = await checkoutOrder(deps, scope, params.token);
        if (order instanceof RawReply) return order;
        const intent = await payerIntent(deps, order);
        if (intent?.status !== 'requires_action' || intent.next_action?.type !== 'challenge')
          return intent ? afterConfirm(scope, order, intent) : toCheckout(scope, order);
        return challengePage(scope, order);
      },
    }),
    route({
      method: 'POST',
      path: '/c/:tenant/checkout/:token/challenge',
      summary: 'Page form: approve or deny the second step (urlencoded action) → 303 to the receipt or back to the checkout',
      rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
      public: true,
      root: tenantPages,
      body: { types: ['application/x-www-form-urlencoded'], limitBytes: 1024 },
      schema: { params: TokenParams, body: ChallengeForm, response: Redirect(303, 'To the receipt, or back to the checkout with the failure') },
      async handler({ params, body, deps, ctx }) {
        const scope = pageScope(ctx);
        const order = await checkoutOrder(deps, scope, params.token, { lock: true });
        if (order instanceof RawReply) return order;
        const intent = await payerIntent(deps, order);
        const secret = clientSecretOf(deps, order);
        if (!intent || !secret) return toCheckout(scope, order);
        if (intent.status !== 'requires_action' || intent.next_action?.type !== 'challenge') return afterConfirm(scope, order, intent);
        if (body.action !== 'approve' && body.action !== 'deny') return challengePage(scope, order);
        const confirmed = await attempt(deps.db, () => deps.payments.confirmAsPayer(intent.id, secret, { action: body.action }));
        if (confirmed.ok) return afterConfirm(scope, order, confirmed.value);
        const now = await deps.payments.payerView(intent.id, secret);
        return now ? afterConfirm(scope, order, now) : toCheckout(scope, order, true);
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/checkout/:token/return',
      summary: 'Page: where a redirect gateway sends the buyer back (its signed query is verified) → 303 to the receipt or the checkout',
      public: true,
      root: tenantPages,
      schema: { params: TokenParams, query: ReturnQuery, response: Redirect(303, 'To the receipt once paid (or being confirmed), else back to the checkout') },
      async handler({ params, query, deps, ctx }) {
        const scope = pageScope(ctx);
        const order = await orderByToken(deps.db, params.token, { lock: true });
        if (!order) return notFoundPage(scope);
        if (order.status !== 'pending') return closedOrder(scope, order)!;
        const before = await payerIntent(deps, order);
        if (before && Object.keys(query).length > 0) {
          // A forged or foreign return changes nothing: payments verifies the signature; we check it is this order's.
          const returned = await attempt(deps.db, () => deps.payments.completeReturn(before.provider, query));
          if (returned.ok && returned.value && returned.value.metadata.shop_order_id !== order.id) return toCheckout(scope, order);
        }
        const intent = await payerIntent(deps, order);
        if (!intent) return toCheckout(scope, order);
        // Stripe's own return (after its Payment Element) says how it went; its webhook settles the order.
        if (query.redirect_status === 'succeeded' || query.redirect_status === 'processing' || settled.has(intent.status)) return toReceipt(scope, order);
        // Never straight back to the gateway: the buyer sees the checkout (with the failure, if any) and chooses.
        return toCheckout(scope, order, intent.status === 'failed');
      },
    }),
  ];
}
