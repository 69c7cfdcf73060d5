import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const argon2Options = { algorithm: 2 /* Argon2id (a const enum the compiler cannot import) */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

// Each hash holds 19 MiB for tens of milliseconds: cap how many run at once so a burst of logins cannot exhaust memory.
const hashing = pLimit(Math.max(2, cpus().length));

let commonPasswords: Set<string> | undefined;

/** The ~49,000 most common passwords (zxcvbn's list), lower-cased; loaded on first use, not at boot. */
function common(): Set<string> {
  if (!commonPasswords) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
    commonPasswords = new Set(dictionary['passwords-common']!.map((word) => word.toLowerCase()));
  }
  return commonPasswords;
}

export const passwordRules = { minLength: 8, maxLength: 128 };

/** Problems with a new password (empty when acceptable): length 8–128 and not a common password; no composition rules. */
export function passwordProblems(password: string, context: { email?: string } = {}): string[] {
  const length = [...password].length;
  if (length < passwordRules.minLength) return [`must be at least ${passwordRules.minLength} characters`];
  if (length > passwordRules.maxLength) return [`must be at most ${passwordRules.maxLength} characters`];
  const lowered = password.toLowerCase();
  if (common().has(lowered)) return ['is too common; choose a less predictable password'];
  if (context.email && lowered === context.email.toLowerCase()) return ['must not be your email address'];
  return [];
}

export function hashPassword(password: string): Promise<string> {
  return hashing(() => hash(password, argon2Options));
}

/** Whether `password` matches; a passwordless account (a customer's, ADR 0007: `null`) matches nothing, in the same time. */
export function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) return verifyAgainstNothing(password);
  return hashing(() => verify(passwordHash, password).catch(() => false));
}

let dummyHash: Promise<string> | undefined;

/** Spends the same effort as a real check, so unknown emails answer in the same time as known ones. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hash('plinth-timing-equaliser', argon2Options);
  await verifyPassword(await dummyHash, password);
  return false;
}
