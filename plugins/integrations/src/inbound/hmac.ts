import { createHmac } from 'node:crypto';
import { safeEqual } from '@plinth/sdk';

/** HMAC-SHA256 of `body` under `secret` (UTF-8 key), in `encoding`. */
export function hmacSha256(secret: string, body: Buffer | string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

/** Constant-time comparison of two signatures as strings. */
export function sameSignature(given: string | undefined, expected: string): boolean {
  return given !== undefined && safeEqual(given, expected);
}

/** The first value of a header. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
