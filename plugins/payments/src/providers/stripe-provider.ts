import { intentStatusOf, parseStripeEvent, type StripePaymentIntent } from './stripe-events.js';
import { StripeApiError, StripeClient } from './stripe-client.js';
import { verifyWebhookSignature } from './stripe-signature.js';
import { ProviderInputError, type PaymentProvider, type ProviderCredentials, type ProviderIntentResult } from './provider.js';

/** Where the Stripe adapter sends its requests (default `https://api.stripe.com`). */
export interface StripeProviderOptions {
  apiBase?: string;
}

/** Stripe, through the official client: `credentials.secret_key` (`sk_…`) and `credentials.webhook_secret` (`whsec_…`). */
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
  });
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
    async createIntent({ intentId, amount, currency, description, metadata }, config) {
      const intent = await client.post<StripePaymentIntent>(
        key(config),
        '/v1/payment_intents',
        { amount, currency: currency.toLowerCase(), description, payment_method_types: ['card'], metadata: { ...metadata, plinth_intent_id: intentId } },
        `plinth-create-${intentId}`,
      );
      return result(intent);
    },
    async confirmIntent({ intentId, providerRef, paymentMethod, action }, config) {
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
      await client.post(key(config), `/v1/payment_intents/${encodeURIComponent(providerRef)}/cancel`, {}, `plinth-cancel-${intentId}`);
    },
    async refund({ refundId, providerRef, amount, reason }, config) {
      const refund = await client.post<{ id: string; status: string }>(
        key(config),
        '/v1/refunds',
        { payment_intent: providerRef, amount, metadata: { plinth_refund_id: refundId, ...(reason ? { reason } : {}) } },
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
