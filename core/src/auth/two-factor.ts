import { Secret, TOTP } from 'otpauth';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';

/** RFC 6238 TOTP as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export function totpFor(secretBase32: string, label = 'Plinth'): TOTP {
  return new TOTP({ issuer: 'Plinth', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

/** A new random TOTP secret (160 bits, base32). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The time step a code belongs to, accepting one step of clock drift either
 * way, or null when the code is wrong.
 */
export function matchingStep(totp: TOTP, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / 30) + delta;
}

/** Ten single-use recovery codes, `xxxx-xxxx-xxxx` (shown once, stored hashed). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () =>
    randomToken(9)
      .replace(/[-_]/g, 'x')
      .slice(0, 12)
      .replace(/(.{4})(.{4})(.{4})/, '$1-$2-$3')
      .toLowerCase(),
  );
}

/**
 * Checks a second factor for a user with 2FA on: a TOTP code (each time step
 * accepted once — a replayed code fails) or an unused recovery code (spent by
 * using it). `db` is on the system path.
 */
export async function verifySecondFactor(db: ScopedDb, services: Pick<KernelServices, 'secretBox'>, userId: string, code: string): Promise<boolean> {
  const trimmed = code.replace(/\s+/g, '');
  const user = await db.one<{ totp_secret: string | null; totp_last_step: number | null }>(
    'select totp_secret, totp_last_step from users where id = $1 for update',
    [userId],
  );
  if (!user?.totp_secret) return false;
  const step = matchingStep(totpFor(services.secretBox.open(user.totp_secret)), trimmed);
  if (step !== null) {
    if (user.totp_last_step !== null && step <= Number(user.totp_last_step)) return false;
    await db.query('update users set totp_last_step = $2 where id = $1', [userId, step]);
    return true;
  }
  const spent = await db.query('update recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null returning id', [
    userId,
    sha256(trimmed.toLowerCase()),
  ]);
  return spent.length > 0;
}
