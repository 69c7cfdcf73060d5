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
  created_at: string;
  updated_at: string;
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
