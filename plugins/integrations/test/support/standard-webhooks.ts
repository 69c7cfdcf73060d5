import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * An independent verifier written from the Standard Webhooks specification
 * (https://www.standardwebhooks.com): the signed content is `${webhook-id}.${webhook-timestamp}.${body}`, the key
 * is the base64 part of `whsec_…`, the signature header is a space-delimited list of `v1,<base64 HMAC-SHA256>`,
 * and timestamps more than five minutes away from now are refused.
 */
export function verifyStandardWebhook(secret: string, headers: Record<string, unknown>, body: string, nowSeconds: number): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
