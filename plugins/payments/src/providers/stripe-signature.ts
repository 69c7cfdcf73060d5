import { createHmac } from 'node:crypto';
import { safeEqual } from '@plinth/sdk';
import { WebhookSignatureError } from './provider.js';

/** How old a signed webhook may be, in seconds (Stripe's default tolerance). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Signs a webhook body the way Stripe does: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 *
 * @example
 * ```ts
 * const header = signWebhook(secret, rawBody, Math.floor(Date.now() / 1000)); // 'Stripe-Signature' value
 * ```
 */
export function signWebhook(secret: string, rawBody: Buffer | string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody)}`;
}

/**
 * Verifies a Stripe-scheme signature header over the raw body: any `v1` matching, a timestamp within the
 * tolerance (either way). Throws {@link WebhookSignatureError} otherwise.
 */
export function verifyWebhookSignature(header: string | string[] | undefined, rawBody: Buffer | undefined, secret: string | undefined, now: Date): void {
  if (!secret) throw new WebhookSignatureError('no webhook secret is configured');
  if (typeof header !== 'string' || !header) throw new WebhookSignatureError('missing signature header');
  if (!rawBody) throw new WebhookSignatureError('missing body');
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) throw new WebhookSignatureError('malformed signature header');
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) throw new WebhookSignatureError('signature timestamp outside the tolerance');
  const expected = hmac(secret, timestamp, rawBody);
  if (!signatures.some((signature) => safeEqual(signature, expected))) throw new WebhookSignatureError('signature does not match');
}

function hmac(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}
