import type { PaymentMetadata } from '../contract.js';

/** Statuses a gateway may report for an intent (refund states are the platform's own). */
export type ProviderIntentStatus = 'requires_payment_method' | 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

/** What a gateway says about an intent after an operation. */
export interface ProviderIntentResult {
  /** The gateway's id of the intent (or charge), unique per provider. */
  providerRef: string;
  status: ProviderIntentStatus;
  /** Minor units captured so far (when `succeeded`; defaults to the whole amount). */
  amountCaptured?: number;
  /** What the payer must do next when `requires_action` (a second confirmation step, transfer instructions). */
  nextAction?: { type: string; [key: string]: unknown } | null;
  /** Why it failed, in words safe to show the payer. */
  failureReason?: string | null;
  /** The gateway's own client secret for its browser SDK (Stripe's `pi_…_secret_…`), kept sealed for the payer. */
  clientSecret?: string;
  /** The gateway's id of the money movement when it differs from `providerRef` (Paymob's transaction id), used to refund. */
  paymentRef?: string;
  /** The gateway's fee for the capture (minor units), when it reports one: shown in the reconciliation report. */
  fee?: number;
}

/** A gateway's verified statement about an intent from a browser return (or a callback): which intent and its state. */
export interface ProviderReturn {
  intentRef: string;
  result: ProviderIntentResult;
  /** What the gateway says was paid: a success for another amount or currency than the intent's changes nothing. */
  amount?: number;
  currency?: string;
}

/** A normalised, verified webhook event. */
export type ProviderWebhookEvent =
  | {
      id: string;
      type: 'intent';
      createdAt: number;
      intentRef: string;
      status: ProviderIntentStatus;
      amountCaptured?: number;
      failureReason?: string | null;
      /** The amount and currency the gateway reports paid, when it reports them: a mismatch is never a success. */
      amount?: number;
      currency?: string;
      /** See {@link ProviderIntentResult.paymentRef}. */
      paymentRef?: string;
      /** See {@link ProviderIntentResult.fee}. */
      fee?: number;
    }
  | { id: string; type: 'refund'; createdAt: number; refundRef: string; intentRef: string; status: 'pending' | 'succeeded' | 'failed' }
  | { id: string; type: 'ignored'; createdAt: number };

/** The tenant's configuration of a provider, opened for one call (never log it). */
export interface ProviderCredentials {
  /** Provider-specific keys (`secret_key` for Stripe), as saved with `PUT /providers/:name`. */
  credentials: Record<string, string>;
  /** The secret webhooks are signed with. */
  webhookSecret: string | undefined;
  /** The tenant, e.g. to build the platform's webhook URL. */
  tenantId: string;
}

/** A recurring charge a subscription renewal asks for. */
export interface RecurringCharge {
  /** The platform's intent id: use it as the gateway's idempotency key. */
  intentId: string;
  customerRef: string;
  /** The payer's stored mandate (card, payment method) from {@link PaymentProvider.createSubscription}. */
  paymentMethodRef: string;
  amount: number;
  currency: string;
  description: string;
  metadata: PaymentMetadata;
}

/**
 * A payment gateway. Payments ships `test`, `manual` and `stripe`; any plugin
 * can add one by tapping the `payments.providers.resolve` hook (see the README).
 * Every method receives the tenant's opened credentials; expected business
 * outcomes (a declined card) are returned as statuses, not thrown. Throw a
 * {@link WebhookSignatureError} from `parseWebhook` for anything not signed
 * correctly; any other error thrown is a gateway failure (`502`).
 */
export interface PaymentProvider {
  /** Unique, lower-case: the `:provider` of webhook URLs and the `provider` of intents. */
  readonly name: string;
  /** Creates the intent at the gateway (no money moves yet). */
  createIntent(
    input: { intentId: string; amount: number; currency: string; description: string | null; metadata: PaymentMetadata },
    config: ProviderCredentials,
  ): Promise<ProviderIntentResult>;
  /** Confirms with the payer's payment method, or completes a pending action (`input.action`). */
  confirmIntent(
    input: {
      intentId: string;
      providerRef: string;
      amount: number;
      currency: string;
      paymentMethod?: string;
      action?: string;
      currentStatus: ProviderIntentStatus;
      /** Where a redirect-type gateway sends the buyer back (absolute URL), when the payer gave one. */
      returnUrl?: string;
      description?: string | null;
      metadata?: PaymentMetadata;
      /** The payer, for gateways that want billing details (Paymob). */
      billing?: { email?: string; name?: string; phone?: string };
    },
    config: ProviderCredentials,
  ): Promise<ProviderIntentResult>;
  /** Captures an authorised amount (gateways capturing at confirmation just report `succeeded`). */
  captureIntent(input: { intentId: string; providerRef: string; amount: number }, config: ProviderCredentials): Promise<ProviderIntentResult>;
  /** Cancels an intent not yet paid at the gateway. */
  cancelIntent(input: { intentId: string; providerRef: string }, config: ProviderCredentials): Promise<void>;
  /** Refunds part or all of a captured intent. */
  refund(
    input: {
      refundId: string;
      intentId: string;
      providerRef: string;
      /** See {@link ProviderIntentResult.paymentRef}. */
      paymentRef?: string | null;
      amount: number;
      currency: string;
      reason: string | null;
    },
    config: ProviderCredentials,
  ): Promise<{ providerRef: string; status: 'pending' | 'succeeded' | 'failed' }>;
  /** Verifies a webhook's signature over the raw bytes and normalises it; throws {@link WebhookSignatureError} when it is not genuine. */
  parseWebhook(
    input: { rawBody: Buffer; headers: Record<string, string | string[] | undefined>; now: Date; query?: Record<string, string> },
    config: ProviderCredentials,
  ): ProviderWebhookEvent;
  /**
   * Verifies a buyer's browser return from the gateway (its query string) and says what it means: by signature
   * (Paymob) or by asking the gateway (Stripe). Throws {@link WebhookSignatureError} when not genuine; undefined
   * when the query names nothing to apply. Absent for gateways without browser returns.
   */
  parseReturn?(query: Record<string, string>, config: ProviderCredentials): Promise<ProviderReturn | undefined>;
  /** How a hosted checkout takes payment with this gateway (default: a card form). */
  checkoutMethod?(config: ProviderCredentials): { kind: 'card_form' | 'stripe' | 'redirect' | 'manual'; publishableKey?: string; redirect?: boolean };
  /**
   * What the payer must do next on an intent awaiting payment, when the gateway has its own client-side step
   * (Stripe's Payment Element); `gatewaySecret` is the {@link ProviderIntentResult.clientSecret} kept at creation.
   */
  payerNextAction?(
    input: { status: ProviderIntentStatus; nextAction: { type: string; [key: string]: unknown } | null; gatewaySecret: string | null },
    config: ProviderCredentials,
  ): { type: string; [key: string]: unknown } | null;
  /** Creates the payer at the gateway. */
  createCustomer(input: { customerId: string; email: string; name: string | null }, config: ProviderCredentials): Promise<{ providerRef: string }>;
  /**
   * Stores the payer's mandate for recurring charges (attaches a card or payment method to the customer);
   * `failed` when the method cannot be used.
   */
  createSubscription(
    input: { subscriptionId: string; customerRef: string; paymentMethod: string },
    config: ProviderCredentials,
  ): Promise<{ paymentMethodRef: string; status: 'active' | 'failed'; failureReason?: string | null }>;
  /** Charges a renewal off-session with the stored mandate. */
  chargeRecurring(input: RecurringCharge, config: ProviderCredentials): Promise<ProviderIntentResult>;
}

/** Thrown by {@link PaymentProvider.parseWebhook} for a missing, wrong or stale signature: the webhook is answered `400` and changes nothing. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/** Thrown by a provider for a bad request the caller can fix (an unknown card, a missing payment method): answered `422` on `field`. */
export class ProviderInputError extends Error {
  override name = 'ProviderInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
