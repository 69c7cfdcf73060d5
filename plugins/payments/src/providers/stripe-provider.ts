import { intentStatusOf, parseStripeEvent, type StripeCheckoutSession, type StripePaymentIntent } from './stripe-events.js';
import { StripeApiError, StripeClient } from './stripe-client.js';
import { verifyWebhookSignature } from './stripe-signature.js';
import { ProviderInputError, type PaymentProvider, type ProviderCredentials, type ProviderIntentResult, type ProviderReturn } from './provider.js';

/** An intent of a tenant using Stripe Checkout has no PaymentIntent until the buyer confirms: its placeholder ref. */
const PENDING_SESSION = 'plinth_session_pending_';

/** Whether the tenant chose Stripe Checkout Sessions (`credentials.checkout = 'session'`) over the Payment Element. */
const usesSessions = (config: ProviderCredentials) => config.credentials.checkout === 'session';

/** Where the Stripe adapter sends its requests (default `https://api.stripe.com`). */
export interface StripeProviderOptions {
  apiBase?: string;
}

/**
 * Stripe, through the official client: `credentials.secret_key` (`sk_…`), `credentials.webhook_secret` (`whsec_…`),
 * optionally `publishable_key` (`pk_…`, for the Payment Element) and `checkout: 'session'` (Stripe Checkout instead).
 */
export function createStripeProvider(options: StripeProviderOptions = {}): PaymentProvider {
  const client = new StripeClient(options.apiBase ?? 'https://api.stripe.com');
  const key = (config: ProviderCredentials) => {
    const secret = config.credentials.secret_key;
    if (!secret) throw new ProviderInputError('provider', 'stripe has no secret key configured');
    return secret;
  };
  const result = (intent: StripePaymentIntent): ProviderIntentResult => ({
    providerRef: intent.id,
    status: intentStatusOf(intent.status),
    ...(intent.status === 'succeeded' ? { amountCaptured: intent.amount_received ?? intent.amount } : {}),
    nextAction: intent.next_action ?? null,
    ...(intent.client_secret ? { clientSecret: intent.client_secret } : {}),
  });
  const sessionReturn = (session: StripeCheckoutSession): ProviderReturn | undefined => {
    if (session.payment_status !== 'paid') return undefined;
    return {
      intentRef: session.id,
      result: {
        providerRef: session.id,
        status: 'succeeded',
        ...(session.amount_total !== null ? { amountCaptured: session.amount_total } : {}),
        ...(session.payment_intent ? { paymentRef: session.payment_intent } : {}),
      },
      ...(session.amount_total !== null ? { amount: session.amount_total } : {}),
      ...(session.currency ? { currency: session.currency } : {}),
    };
  };
  /** A card error is a declined payment (a value), not a failure of the call. */
  const declinedOr = async (call: () => Promise<StripePaymentIntent>, providerRef: string): Promise<ProviderIntentResult> => {
    try {
      return result(await call());
    } catch (error) {
      if (error instanceof StripeApiError && error.type === 'card_error') {
        return { providerRef: (error.paymentIntent?.id as string | undefined) ?? providerRef, status: 'failed', failureReason: error.message };
      }
      throw error;
    }
  };

  return {
    name: 'stripe',
    checkoutMethod(config) {
      return {
        kind: 'stripe',
        ...(config.credentials.publishable_key ? { publishableKey: config.credentials.publishable_key } : {}),
        redirect: usesSessions(config),
      };
    },
    payerNextAction({ status, nextAction, gatewaySecret }, config) {
      const publishable = config.credentials.publishable_key;
      if (usesSessions(config) || !gatewaySecret || !publishable) return nextAction;
      if (status !== 'requires_payment_method' && status !== 'requires_action') return nextAction;
      return { type: 'stripe_payment_element', client_secret: gatewaySecret, publishable_key: publishable };
    },
    async parseReturn(query, config) {
      if (query.session_id) {
        if (!/^cs_[A-Za-z0-9_]{1,250}$/.test(query.session_id)) return undefined;
        return sessionReturn(await client.get<StripeCheckoutSession>(key(config), `/v1/checkout/sessions/${encodeURIComponent(query.session_id)}`));
      }
      if (query.payment_intent) {
        if (!/^pi_[A-Za-z0-9_]{1,250}$/.test(query.payment_intent)) return undefined;
        const intent = await client.get<StripePaymentIntent>(key(config), `/v1/payment_intents/${encodeURIComponent(query.payment_intent)}`);
        return { intentRef: intent.id, result: result(intent), amount: intent.amount, currency: intent.currency };
      }
      return undefined;
    },
    async createIntent({ intentId, amount, currency, description, metadata }, config) {
      if (usesSessions(config)) return { providerRef: `${PENDING_SESSION}${intentId}`, status: 'requires_payment_method' };
      const intent = await client.post<StripePaymentIntent>(
        key(config),
        '/v1/payment_intents',
        { amount, currency: currency.toLowerCase(), description, payment_method_types: ['card'], metadata: { ...metadata, plinth_intent_id: intentId } },
        `plinth-create-${intentId}`,
      );
      return result(intent);
    },
    async confirmIntent({ intentId, providerRef, amount, currency, description, metadata, paymentMethod, action, returnUrl }, config) {
      if (usesSessions(config) && providerRef.startsWith(PENDING_SESSION)) {
        if (!returnUrl) throw new ProviderInputError('return_url', 'is required: Stripe Checkout sends the buyer back there');
        const separator = returnUrl.includes('?') ? '&' : '?';
        const tagged = { ...metadata, plinth_intent_id: intentId };
        const session = await client.post<StripeCheckoutSession>(
          key(config),
          '/v1/checkout/sessions',
          {
            mode: 'payment',
            client_reference_id: intentId,
            success_url: `${returnUrl}${separator}session_id={CHECKOUT_SESSION_ID}`,
            cancel_url: returnUrl,
            line_items: [
              { quantity: 1, price_data: { currency: currency.toLowerCase(), unit_amount: amount, product_data: { name: description || 'Payment' } } },
            ],
            metadata: tagged,
            payment_intent_data: { metadata: tagged },
          },
          `plinth-session-${intentId}`,
        );
        if (!session.url) throw new Error('stripe gave no checkout url');
        return { providerRef: session.id, status: 'requires_action', nextAction: { type: 'redirect', url: session.url } };
      }
      if (action !== undefined) return result(await client.get<StripePaymentIntent>(key(config), `/v1/payment_intents/${encodeURIComponent(providerRef)}`));
      if (!paymentMethod) throw new ProviderInputError('payment_method', 'is required (a Stripe payment method id)');
      return declinedOr(
        () =>
          client.post<StripePaymentIntent>(
            key(config),
            `/v1/payment_intents/${encodeURIComponent(providerRef)}/confirm`,
            { payment_method: paymentMethod },
            `plinth-confirm-${intentId}-${paymentMethod}`,
          ),
        providerRef,
      );
    },
    async captureIntent({ intentId, providerRef, amount }, config) {
      return result(
        await client.post<StripePaymentIntent>(
          key(config),
          `/v1/payment_intents/${encodeURIComponent(providerRef)}/capture`,
          { amount_to_capture: amount },
          `plinth-capture-${intentId}`,
        ),
      );
    },
    async cancelIntent({ intentId, providerRef }, config) {
      if (providerRef.startsWith(PENDING_SESSION)) return;
      if (providerRef.startsWith('cs_')) {
        await client.post(key(config), `/v1/checkout/sessions/${encodeURIComponent(providerRef)}/expire`, {}, `plinth-cancel-${intentId}`);
        return;
      }
      await client.post(key(config), `/v1/payment_intents/${encodeURIComponent(providerRef)}/cancel`, {}, `plinth-cancel-${intentId}`);
    },
    async refund({ refundId, providerRef, paymentRef, amount, reason }, config) {
      const refund = await client.post<{ id: string; status: string }>(
        key(config),
        '/v1/refunds',
        { payment_intent: paymentRef ?? providerRef, amount, metadata: { plinth_refund_id: refundId, ...(reason ? { reason } : {}) } },
        `plinth-refund-${refundId}`,
      );
      const status = refund.status === 'succeeded' ? 'succeeded' : refund.status === 'failed' || refund.status === 'canceled' ? 'failed' : 'pending';
      return { providerRef: refund.id, status };
    },
    parseWebhook({ rawBody, headers, now }, config) {
      verifyWebhookSignature(headers['stripe-signature'], rawBody, config.webhookSecret, now);
      return parseStripeEvent(rawBody);
    },
    async createCustomer({ customerId, email, name }, config) {
      const customer = await client.post<{ id: string }>(
        key(config),
        '/v1/customers',
        { email, name, metadata: { plinth_customer_id: customerId } },
        `plinth-customer-${customerId}`,
      );
      return { providerRef: customer.id };
    },
    async createSubscription({ subscriptionId, customerRef, paymentMethod }, config) {
      try {
        const method = await client.post<{ id: string }>(
          key(config),
          `/v1/payment_methods/${encodeURIComponent(paymentMethod)}/attach`,
          { customer: customerRef },
          `plinth-mandate-${subscriptionId}`,
        );
        return { paymentMethodRef: method.id, status: 'active' };
      } catch (error) {
        if (error instanceof StripeApiError && error.type === 'card_error')
          return { paymentMethodRef: paymentMethod, status: 'failed', failureReason: error.message };
        throw error;
      }
    },
    async chargeRecurring({ intentId, customerRef, paymentMethodRef, amount, currency, description, metadata }, config) {
      return declinedOr(
        () =>
          client.post<StripePaymentIntent>(
            key(config),
            '/v1/payment_intents',
            {
              amount,
              currency: currency.toLowerCase(),
              customer: customerRef,
              payment_method: paymentMethodRef,
              off_session: true,
              confirm: true,
              description,
              metadata: { ...metadata, plinth_intent_id: intentId },
            },
            `plinth-renewal-${intentId}`,
          ),
        `stripe_failed_${intentId}`,
      );
    },
  };
}
