import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The transaction fields Paymob signs, in its published order (HMAC calculation guide, "Transaction
 * Processed/Response Callback"): values of these paths are concatenated and signed with HMAC-SHA512 (hex).
 */
export const PAYMOB_HMAC_FIELDS = [
  'amount_cents',
  'created_at',
  'currency',
  'error_occured',
  'has_parent_transaction',
  'id',
  'integration_id',
  'is_3d_secure',
  'is_auth',
  'is_capture',
  'is_refunded',
  'is_standalone_payment',
  'is_voided',
  'order.id',
  'owner',
  'pending',
  'source_data.pan',
  'source_data.sub_type',
  'source_data.type',
  'success',
] as const;

/** A transaction as the processed callback's `obj` carries it (nested) or the response callback's query (flat). */
export type PaymobTransaction = Record<string, unknown>;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** The value at a dotted path of a nested transaction object. */
function at(transaction: PaymobTransaction, path: string): unknown {
  let value: unknown = transaction;
  for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The string Paymob signs for a processed callback's `obj` (nested JSON). */
export function processedHmacString(obj: PaymobTransaction): string {
  return PAYMOB_HMAC_FIELDS.map((field) => text(at(obj, field))).join('');
}

/**
 * The string Paymob signs for a response callback's query (flat): dotted names are literal keys
 * (`source_data.pan`) and `order.id` is the `order` parameter (`order_id` in newer documentation).
 */
export function responseHmacString(query: Record<string, string>): string {
  return PAYMOB_HMAC_FIELDS.map((field) => (field === 'order.id' ? (query.order ?? query.order_id ?? '') : (query[field] ?? ''))).join('');
}

/** HMAC-SHA512 (lower-case hex) of `data` with the merchant's HMAC secret. */
export function paymobHmac(secret: string, data: string): string {
  return createHmac('sha512', secret).update(data, 'utf8').digest('hex');
}

/** Whether `given` is the signature of `data` (constant time). */
export function paymobHmacMatches(secret: string, data: string, given: unknown): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{128}$/i.test(given)) return false;
  const expected = Buffer.from(paymobHmac(secret, data), 'hex');
  return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex'));
}
