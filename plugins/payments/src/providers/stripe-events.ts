import type { ProviderIntentStatus, ProviderWebhookEvent } from './provider.js';
import { WebhookSignatureError } from './provider.js';

/** The fields of a Stripe PaymentIntent object payments reads. */
export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received?: number;
  currency: string;
  status: string;
  next_action?: { type: string; [key: string]: unknown } | null;
  last_payment_error?: { message?: string } | null;
  /** The key Stripe.js confirms with in the buyer's browser. */
  client_secret?: string | null;
}

/** The fields of a Stripe Checkout Session payments reads. */
export interface StripeCheckoutSession {
  id: string;
  object: 'checkout.session';
  url: string | null;
  status: 'open' | 'complete' | 'expired' | null;
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  amount_total: number | null;
  currency: string | null;
  payment_intent: string | null;
  client_reference_id: string | null;
}

/** Checkout Session events: a session paid (at once, or later for delayed methods) or failed. */
const sessionEventStatus: Record<string, ProviderIntentStatus> = {
  'checkout.session.completed': 'succeeded',
  'checkout.session.async_payment_succeeded': 'succeeded',
  'checkout.session.async_payment_failed': 'failed',
};

/** Maps a Stripe PaymentIntent status to the platform's. */
export function intentStatusOf(stripeStatus: string): ProviderIntentStatus {
  switch (stripeStatus) {
    case 'requires_action':
      return 'requires_action';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'cancelled';
    default:
      return 'requires_payment_method';
  }
}

const intentEventStatus: Record<string, ProviderIntentStatus> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.processing': 'processing',
  'payment_intent.requires_action': 'requires_action',
  'payment_intent.canceled': 'cancelled',
};

const refundEvents = new Set(['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated']);

/**
 * Normalises a (verified) Stripe event body: `payment_intent.*` and refund events; anything else is `ignored`.
 * Throws {@link WebhookSignatureError} for a body that is not a Stripe event at all.
 */
export function parseStripeEvent(rawBody: Buffer): ProviderWebhookEvent {
  let event: { id?: unknown; type?: unknown; created?: unknown; data?: { object?: Record<string, unknown> } };
  try {
    event = JSON.parse(rawBody.toString('utf8')) as typeof event;
  } catch {
    throw new WebhookSignatureError('body is not JSON');
  }
  if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.created !== 'number' || !event.data?.object) {
    throw new WebhookSignatureError('body is not an event');
  }
  const object = event.data.object;
  const base = { id: event.id, createdAt: event.created };
  const intentStatus = intentEventStatus[event.type];
  if (intentStatus && typeof object.id === 'string') {
    const failure = (object.last_payment_error as { message?: string } | null | undefined)?.message ?? null;
    return {
      ...base,
      type: 'intent',
      intentRef: object.id,
      status: intentStatus,
      ...(typeof object.amount_received === 'number' ? { amountCaptured: object.amount_received } : {}),
      failureReason: intentStatus === 'failed' ? (failure ?? 'The payment failed.') : null,
    };
  }
  const sessionStatus = sessionEventStatus[event.type];
  if (sessionStatus && typeof object.id === 'string') {
    // `completed` with `unpaid` is a delayed method still under way: the async events settle it.
    const status = sessionStatus === 'succeeded' && object.payment_status !== 'paid' ? 'processing' : sessionStatus;
    return {
      ...base,
      type: 'intent',
      intentRef: object.id,
      status,
      ...(typeof object.amount_total === 'number' ? { amount: object.amount_total, amountCaptured: object.amount_total } : {}),
      ...(typeof object.currency === 'string' ? { currency: object.currency } : {}),
      ...(typeof object.payment_intent === 'string' ? { paymentRef: object.payment_intent } : {}),
      failureReason: status === 'failed' ? 'The payment failed.' : null,
    };
  }
  if (refundEvents.has(event.type) && typeof object.id === 'string' && typeof object.payment_intent === 'string') {
    const status = object.status === 'succeeded' ? 'succeeded' : object.status === 'failed' || object.status === 'canceled' ? 'failed' : 'pending';
    return { ...base, type: 'refund', refundRef: object.id, intentRef: object.payment_intent, status };
  }
  return { ...base, type: 'ignored' };
}
