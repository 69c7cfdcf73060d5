import { createServiceRef } from '@plinth/sdk';

/**
 * What other plugins (shop, a host billing tenants) use of payments: the
 * service under {@link paymentsRef} and the events below. This file is the
 * plugin's public contract; change it only compatibly.
 */

/** Where an intent is in its life: requires_payment_method → (requires_action →) processing → succeeded | failed | cancelled; then refunded / partially_refunded. */
export type IntentStatus =
  'requires_payment_method' | 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'cancelled' | 'partially_refunded' | 'refunded';

/** Links an intent to what it pays for, e.g. `{ shop_order_id: '…' }`; string values only. */
export type PaymentMetadata = Record<string, string>;

export interface PaymentIntent {
  id: string;
  provider: string;
  status: IntentStatus;
  /** Minor units (cents). */
  amount: number;
  /** ISO 4217, upper-case. */
  currency: string;
  amount_captured: number;
  amount_refunded: number;
  description: string | null;
  metadata: PaymentMetadata;
  /** What the payer must do next (a second confirmation step, a bank transfer's instructions), when anything. */
  next_action: { type: string; [key: string]: unknown } | null;
  /** Why the payment failed, when it did (added in 0.1.0). */
  failure_reason?: string | null;
  /**
   * The payer's only key to this intent (`<id>_secret_<random>`): present only in the answer to its creation
   * (`POST /intents`, {@link PaymentsApi.createIntent}); stored hashed, never shown again.
   */
  client_secret?: string;
  created_at: string;
  updated_at: string;
}

/**
 * What the payer must do next, normalised across gateways:
 * - `challenge` (test gateway): confirm again with `action: 'approve' | 'deny'`;
 * - `stripe_payment_element`: mount Stripe's Payment Element with `client_secret` (the gateway's, not the platform's)
 *   and `publishable_key`, then the buyer returns through Stripe's own redirect; the webhook settles the intent;
 * - `redirect`: send the buyer's browser to `url` (Stripe Checkout Session, Paymob); they come back to the
 *   `returnUrl` given to {@link PaymentsApi.confirmAsPayer} (Paymob: the integration's response callback);
 * - `manual_payment`: `instructions` and `reference` for a bank transfer or cash.
 */
export type NextAction =
  | { type: 'challenge'; message?: string }
  | { type: 'stripe_payment_element'; client_secret: string; publishable_key: string }
  | { type: 'redirect'; url: string }
  | { type: 'manual_payment'; instructions: string; reference: string }
  | { type: string; [key: string]: unknown };

/** An intent as its payer (the holder of its client secret) sees it: no metadata, no refunds, no history. */
export interface PayerIntent {
  id: string;
  provider: string;
  status: IntentStatus;
  /** Minor units. */
  amount: number;
  currency: string;
  description: string | null;
  next_action: NextAction | null;
  failure_reason: string | null;
}

/** How a hosted checkout page should take payment with a provider. */
export interface CheckoutMethod {
  provider: string;
  /**
   * `card_form`: a card-number field (test gateway) posted as `payment_method`; `stripe`: Stripe's Payment
   * Element (needs JavaScript from js.stripe.com) or, with `redirect: true`, a Stripe Checkout Session;
   * `redirect`: a "Pay" button that confirms and follows `next_action.url` (Paymob); `manual`: show the
   * intent's instructions, nothing to confirm.
   */
  kind: 'card_form' | 'stripe' | 'redirect' | 'manual';
  /** Stripe's publishable key (`pk_…`), for `stripe`. */
  publishableKey?: string;
  /** For `stripe`: the tenant chose Stripe Checkout Sessions (a redirect) over the embedded Payment Element. */
  redirect?: boolean;
}

/** What a payer may send to confirm. */
export interface PayerConfirmation {
  /** Test gateway: a test card number; Stripe: a payment method id (usually not needed: the element confirms). */
  payment_method?: string;
  /** Completes a `challenge`: `approve` or `deny`. */
  action?: string;
  /**
   * Absolute URL a redirect-type gateway sends the buyer back to: Stripe Checkout's `success_url` (with
   * `session_id=…` added) and `cancel_url`; after Paymob, payments' own return route redirects here once verified.
   * Required for redirect-type gateways.
   */
  returnUrl?: string;
  /** The buyer, for gateways that need billing details (Paymob); placeholders are sent when absent. */
  billing?: { email?: string; name?: string; phone?: string };
}

export interface Refund {
  id: string;
  intent_id: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  metadata: PaymentMetadata;
  created_at: string;
}

export interface NewIntent {
  amount: number;
  currency: string;
  /** A provider the tenant configured (default: the tenant's default provider). */
  provider?: string;
  description?: string;
  metadata?: PaymentMetadata;
  /** Same key and same input → the same intent; same key, different input → 422. */
  idempotencyKey?: string;
}

export interface NewRefund {
  intentId: string;
  /** Default: everything captured and not yet refunded. */
  amount?: number;
  reason?: string;
  metadata?: PaymentMetadata;
  idempotencyKey?: string;
}

/** The payments service, within the current tenant and unit of work. */
export interface PaymentsApi {
  createIntent(input: NewIntent): Promise<PaymentIntent>;
  getIntent(id: string): Promise<PaymentIntent | undefined>;
  /** Cancels an intent not yet succeeded (e.g. an order cancelled before payment). */
  cancelIntent(id: string): Promise<PaymentIntent>;
  /** Refunds; never more than captured in total, even under concurrent calls (`409` beyond). */
  refund(input: NewRefund): Promise<Refund>;
  /** The intent as its payer sees it; undefined when the id or secret is wrong (compared in constant time). */
  payerView(intentId: string, clientSecret: string): Promise<PayerIntent | undefined>;
  /**
   * Confirms as the payer: a test card, or a challenge `action`; for redirect-type gateways (Stripe Checkout
   * Session, Paymob) it creates the gateway's hosted page and answers `next_action: { type: 'redirect', url }`.
   * Throws `404` (NotFoundError) on a wrong secret, `409` `payments.intent_not_confirmable` when the intent is past
   * confirmation (a double submit), `422` on bad input (unknown card, missing `returnUrl` for a redirect gateway).
   */
  confirmAsPayer(intentId: string, clientSecret: string, input: PayerConfirmation): Promise<PayerIntent>;
  /**
   * Applies a gateway's signed browser return (Paymob's response callback query, `hmac` included; Stripe Checkout's
   * `session_id`): verifies it, moves the intent forward and returns it (with its metadata, e.g. `shop_order_id`);
   * undefined when the query is not genuine or names no intent of this tenant. Nothing changes on a bad signature.
   */
  completeReturn(provider: string, query: Record<string, string>): Promise<PaymentIntent | undefined>;
  /** How a checkout page should take payment with `provider` (default: the tenant's default provider). */
  checkoutMethod(provider?: string): Promise<CheckoutMethod>;
}

export const paymentsRef = createServiceRef<PaymentsApi>('payments.payments');

/** The payload of payment events: the intent's essentials and its metadata (the linked object). */
export interface PaymentEvent {
  intentId: string;
  provider: string;
  amount: number;
  currency: string;
  metadata: PaymentMetadata;
}

declare module '@plinth/sdk' {
  interface PlinthEvents {
    'payments.payment.succeeded': PaymentEvent;
    'payments.payment.failed': PaymentEvent & { reason: string | null };
    'payments.refund.succeeded': PaymentEvent & { refundId: string; refundAmount: number; refundMetadata: PaymentMetadata };
    'payments.subscription.created': { subscriptionId: string; planId: string; status: string; metadata: PaymentMetadata };
    'payments.subscription.renewed': { subscriptionId: string; planId: string; periodEnd: string; metadata: PaymentMetadata };
    'payments.subscription.past_due': { subscriptionId: string; planId: string; attempt: number; metadata: PaymentMetadata };
    'payments.subscription.cancelled': { subscriptionId: string; planId: string; metadata: PaymentMetadata };
  }
}

// Also part of the contract, defined beside the code that uses them: for gateway plugins (the provider
// interface, its errors, the `payments.providers.resolve` hook, webhook signing) and for hosts and tests.
export { paymentsPermissions } from './permissions.js';
export { PaymentsSettings } from './settings.js';
export { paymentsHooks } from './hooks.js';
export {
  ProviderInputError,
  WebhookSignatureError,
  type PaymentProvider,
  type ProviderCredentials,
  type ProviderIntentResult,
  type ProviderIntentStatus,
  type ProviderWebhookEvent,
  type RecurringCharge,
} from './providers/provider.js';
export { signWebhook, verifyWebhookSignature, SIGNATURE_TOLERANCE_SECONDS } from './providers/stripe-signature.js';
export { testCards, TEST_SIGNATURE_HEADER } from './providers/test-provider.js';
