import { ProviderInputError, WebhookSignatureError, type PaymentProvider } from './provider.js';

/**
 * Bank transfer or cash: the intent waits (`requires_action`, with the payer's instructions) until a member
 * holding `payments.manual.mark_paid` marks it paid. Refunds are recorded as made out of band.
 */
export function createManualProvider(instructions: string): PaymentProvider {
  const noRecurring = () => {
    throw new ProviderInputError('provider', 'manual payments do not support subscriptions');
  };
  return {
    name: 'manual',
    async createIntent({ intentId }) {
      const reference = intentId.slice(0, 8).toUpperCase();
      return { providerRef: `manual_${intentId}`, status: 'requires_action', nextAction: { type: 'manual_payment', instructions, reference } };
    },
    async confirmIntent() {
      throw new ProviderInputError('provider', 'manual payments are confirmed by a member marking them paid');
    },
    async captureIntent({ providerRef, amount }) {
      return { providerRef, status: 'succeeded', amountCaptured: amount };
    },
    async cancelIntent() {},
    async refund({ refundId }) {
      return { providerRef: `manual_re_${refundId}`, status: 'succeeded' };
    },
    parseWebhook() {
      throw new WebhookSignatureError('manual payments receive no webhooks');
    },
    async createCustomer({ customerId }) {
      return { providerRef: `manual_cus_${customerId}` };
    },
    createSubscription: noRecurring,
    chargeRecurring: noRecurring,
  };
}
