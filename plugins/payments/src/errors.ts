import { defineErrors } from '@plinth/sdk';

/** The payments plugin's own error codes; routes list the ones they answer in `errors`. */
export const paymentsErrors = defineErrors('payments', {
  not_refundable: { status: 409, description: 'The payment intent has captured nothing that can be refunded' },
  refund_exceeds_captured: { status: 409, description: 'The refund is larger than what is left to refund; `errors.amount` says how much is' },
  subscription_cancelled: { status: 409, description: 'The subscription is already cancelled' },
  intent_not_confirmable: { status: 409, description: 'The payment intent is past confirmation' },
  intent_not_cancellable: { status: 409, description: 'The payment intent can no longer be cancelled' },
  intent_not_payable: { status: 409, description: 'Only an intent awaiting action can be marked paid' },
  invalid_signature: { status: 400, description: 'The webhook signature does not match the body' },
  provider_unavailable: { status: 503, description: 'The payment provider could not be reached or failed; nothing was stored' },
});
