import { randomUUID } from 'node:crypto';
import { parseStripeEvent } from './stripe-events.js';
import { verifyWebhookSignature } from './stripe-signature.js';
import { ProviderInputError, type PaymentProvider, type ProviderIntentResult } from './provider.js';

/** The test gateway's cards (Stripe's test numbers): what confirming with each does. */
export const testCards = {
  /** Succeeds (asynchronously: `processing`, then a signed `payment_intent.succeeded` webhook). */
  succeeds: '4242424242424242',
  /** Declined at once (and a `payment_intent.payment_failed` webhook). */
  declined: '4000000000000002',
  /** Needs a second confirmation step: confirm again with `action: 'approve'` (or `'deny'`). */
  requiresAction: '4000002500003155',
  /** Can be stored for subscriptions, but every recurring charge on it is declined (dunning). */
  recurringDeclined: '4000000000000341',
} as const;

/** The header the test gateway signs its webhooks in (Stripe's scheme: `t=…,v1=…`). */
export const TEST_SIGNATURE_HEADER = 'plinth-test-signature';

/** Sends a Stripe-shaped event body to the platform's webhook path, asynchronously (a job signs and applies it). */
export type TestWebhookSender = (event: Record<string, unknown>) => Promise<void>;

const DECLINED = 'Your card was declined.';

/**
 * A full local gateway for development: deterministic test cards, Stripe-shaped
 * events signed like Stripe's and delivered asynchronously.
 */
export function createTestProvider(send: TestWebhookSender): PaymentProvider {
  const emit = (type: string, object: Record<string, unknown>) =>
    send({ id: `evt_test_${randomUUID().replaceAll('-', '')}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
  const intentObject = (providerRef: string, amount: number, currency: string, status: string, extra: Record<string, unknown> = {}) => ({
    id: providerRef,
    object: 'payment_intent',
    amount,
    currency: currency.toLowerCase(),
    status,
    ...extra,
  });

  return {
    name: 'test',
    async createIntent({ intentId }) {
      return { providerRef: `test_pi_${intentId.replaceAll('-', '')}`, status: 'requires_payment_method' };
    },
    async confirmIntent({ providerRef, amount, currency, paymentMethod, action, currentStatus }): Promise<ProviderIntentResult> {
      if (currentStatus === 'requires_action') {
        if (action !== 'approve' && action !== 'deny') throw new ProviderInputError('action', "must be 'approve' or 'deny' to complete the authentication");
        return action === 'approve' ? succeedLater() : decline();
      }
      switch (paymentMethod) {
        case testCards.succeeds:
        case testCards.recurringDeclined:
          return succeedLater();
        case testCards.declined:
          return decline();
        case testCards.requiresAction:
          return {
            providerRef,
            status: 'requires_action',
            nextAction: { type: 'challenge', message: "Confirm again with action 'approve' or 'deny'" },
          };
        default:
          throw new ProviderInputError('payment_method', `must be a test card: ${Object.values(testCards).join(', ')}`);
      }
      async function succeedLater(): Promise<ProviderIntentResult> {
        await emit('payment_intent.succeeded', intentObject(providerRef, amount, currency, 'succeeded', { amount_received: amount }));
        return { providerRef, status: 'processing' };
      }
      async function decline(): Promise<ProviderIntentResult> {
        await emit(
          'payment_intent.payment_failed',
          intentObject(providerRef, amount, currency, 'requires_payment_method', { last_payment_error: { message: DECLINED } }),
        );
        return { providerRef, status: 'failed', failureReason: DECLINED };
      }
    },
    async captureIntent({ providerRef, amount }) {
      return { providerRef, status: 'succeeded', amountCaptured: amount };
    },
    async cancelIntent() {},
    async refund({ refundId }) {
      return { providerRef: `test_re_${refundId.replaceAll('-', '')}`, status: 'succeeded' };
    },
    parseWebhook({ rawBody, headers, now }, config) {
      verifyWebhookSignature(headers[TEST_SIGNATURE_HEADER], rawBody, config.webhookSecret, now);
      return parseStripeEvent(rawBody);
    },
    async createCustomer({ customerId }) {
      return { providerRef: `test_cus_${customerId.replaceAll('-', '')}` };
    },
    async createSubscription({ paymentMethod }) {
      if (paymentMethod === testCards.succeeds || paymentMethod === testCards.recurringDeclined)
        return { paymentMethodRef: `test_pm_${paymentMethod}`, status: 'active' };
      if (paymentMethod === testCards.declined) return { paymentMethodRef: `test_pm_${paymentMethod}`, status: 'failed', failureReason: DECLINED };
      throw new ProviderInputError('payment_method', `must be a test card: ${testCards.succeeds}, ${testCards.declined} or ${testCards.recurringDeclined}`);
    },
    async chargeRecurring({ intentId, paymentMethodRef, amount }) {
      const providerRef = `test_pi_${intentId.replaceAll('-', '')}`;
      if (paymentMethodRef.endsWith(testCards.recurringDeclined)) return { providerRef, status: 'failed', failureReason: DECLINED };
      return { providerRef, status: 'succeeded', amountCaptured: amount };
    },
  };
}
