import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of `body` under `secret` (UTF-8 key), in `encoding`. */
export function hmacSha256(secret: string, body: Buffer | string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

/** Constant-time comparison of two signatures as strings. */
export function sameSignature(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The first value of a header. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
