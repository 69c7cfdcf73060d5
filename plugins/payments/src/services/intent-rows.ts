import { ValidationError, type FieldErrors } from '@plinth/sdk';
import type { IntentStatus, PayerIntent, PaymentIntent, PaymentMetadata } from '../contract.js';

/** A stored intent. */
export interface IntentRow {
  id: string;
  provider: string;
  provider_ref: string | null;
  status: IntentStatus;
  amount: number;
  currency: string;
  amount_captured: number;
  amount_refunded: number;
  description: string | null;
  metadata: PaymentMetadata;
  next_action: PaymentIntent['next_action'];
  failure_reason: string | null;
  subscription_id: string | null;
  /** sha256 (hex) of the payer's client secret; null for intents created before payer secrets existed. */
  client_secret_hash: string | null;
  /** The gateway's client secret (Stripe's), sealed. */
  gateway_secret_sealed: string | null;
  /** Where a redirect gateway sends the buyer back, as the payer gave it. */
  return_url: string | null;
  provider_payment_ref: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * How far along an intent is: a transition only ever moves forward, so late or repeated events (a `processing`
 * after `succeeded`) change nothing, whatever order they arrive in.
 */
export const STATUS_RANK: Record<IntentStatus, number> = {
  requires_payment_method: 0,
  requires_action: 1,
  processing: 2,
  failed: 3,
  cancelled: 3,
  succeeded: 4,
  partially_refunded: 5,
  refunded: 5,
};

/**
 * The audit verb of a move to each status (`payments.intent.<verb>`): a capture is the money taken, whichever
 * gateway, webhook or job reported it.
 */
export const STATUS_VERB: Record<IntentStatus, string> = {
  requires_payment_method: 'created',
  requires_action: 'action_required',
  processing: 'processing',
  failed: 'failed',
  cancelled: 'cancelled',
  succeeded: 'captured',
  partially_refunded: 'refunded',
  refunded: 'refunded',
};

/** The API's view of an intent. */
export function intentView(row: IntentRow): PaymentIntent {
  return {
    id: row.id,
    provider: row.provider,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    amount_captured: row.amount_captured,
    amount_refunded: row.amount_refunded,
    description: row.description,
    metadata: row.metadata,
    next_action: row.next_action,
    failure_reason: row.failure_reason,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** An intent as its audit entries show it: the API's view (no secret of the payer's or the gateway's). */
export function auditedIntent(row: IntentRow): Record<string, unknown> {
  return { ...intentView(row) };
}

/** The payer's view of an intent (see `PayerIntent`); `nextAction` replaces the stored one when the gateway computes it. */
export function payerIntentView(row: IntentRow, nextAction: PaymentIntent['next_action'] = row.next_action): PayerIntent {
  return {
    id: row.id,
    provider: row.provider,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    next_action: nextAction,
    failure_reason: row.failure_reason,
  };
}

/** A created intent as kept for idempotent replays: its client secret sealed (never stored in the clear). */
export function withSealedSecret(secrets: { seal(text: string): string }, intent: PaymentIntent): PaymentIntent & { client_secret_sealed?: string } {
  const { client_secret, ...rest } = intent;
  return client_secret === undefined ? rest : { ...rest, client_secret_sealed: secrets.seal(client_secret) };
}

/** The answer to a creation (first or replayed): the client secret opened again. */
export function withOpenedSecret(secrets: { open(sealed: string): string }, stored: PaymentIntent & { client_secret_sealed?: string }): PaymentIntent {
  const { client_secret_sealed, ...rest } = stored;
  return client_secret_sealed === undefined ? rest : { ...rest, client_secret: secrets.open(client_secret_sealed) };
}

/** Largest amount accepted, in minor units (fits the database's integer). */
export const MAX_AMOUNT = 99_999_999;

/** Checks metadata for services called in-process (HTTP callers are checked by the route schemas too). */
export function metadataErrors(metadata: unknown, field = 'metadata'): FieldErrors {
  if (metadata === undefined) return {};
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return { [field]: ['must be an object of strings'] };
  const entries = Object.entries(metadata as Record<string, unknown>);
  if (entries.length > 50) return { [field]: ['must have at most 50 keys'] };
  const errors: FieldErrors = {};
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 40) errors[`${field}.${key}`] = ['key must be 1 to 40 characters'];
    else if (typeof value !== 'string' || value.length > 500) errors[`${field}.${key}`] = ['must be a string of at most 500 characters'];
  }
  return errors;
}

/** Validates and normalises an amount and currency; throws 422 with every problem. */
export function checkMoney(input: { amount: unknown; currency: unknown; metadata?: unknown; description?: unknown }): { amount: number; currency: string } {
  const errors: FieldErrors = { ...metadataErrors(input.metadata) };
  if (!Number.isInteger(input.amount) || (input.amount as number) < 1 || (input.amount as number) > MAX_AMOUNT) {
    errors.amount = [`must be a whole number of minor units from 1 to ${MAX_AMOUNT}`];
  }
  if (typeof input.currency !== 'string' || !/^[A-Za-z]{3}$/.test(input.currency)) errors.currency = ['must be an ISO 4217 code such as USD'];
  if (input.description !== undefined && (typeof input.description !== 'string' || input.description.length > 1000)) {
    errors.description = ['must be a string of at most 1000 characters'];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { amount: input.amount as number, currency: (input.currency as string).toUpperCase() };
}

/** Whether `id` is a UUID (ids from in-process callers are not schema-checked). */
export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
