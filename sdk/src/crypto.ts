import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that does not depend on where they differ: for secrets, tokens and signatures
 * (a plain `===` leaks, through timing, how much of a guess was right). Strings of different lengths are unequal.
 *
 * @example
 * ```ts
 * if (!safeEqual(request.headers['x-signature'] ?? '', hmacSha256(secret, rawBody))) throw new UnauthorizedError();
 * ```
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
