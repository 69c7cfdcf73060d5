import { commonErrors, ConflictError, NotFoundError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { sha256 } from '../crypto/secrets.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type UserPrincipal } from '../http/route.js';
import { beginAttempt } from './login-limits.js';
import { endOtherSessions } from './sessions.js';
import { verifyPassword } from './passwords.js';
import { matchingStep, newRecoveryCodes, newTotpSecret, totpFor, verifySecondFactor } from './two-factor.js';
import { Exact, NoContent } from '../http/response-schemas.js';

interface TwoFactorState {
  id: string;
  email: string;
  password_hash: string | null;
  totp_enabled: boolean;
  totp_pending_secret: string | null;
}

/** The signed-in user's 2FA state, locked for the rest of the request. */
async function signedInUser({ db, principal }: { db: ScopedDb; principal: UserPrincipal }): Promise<TwoFactorState> {
  const user = await db.one<TwoFactorState>('select id, email, password_hash, totp_enabled, totp_pending_secret from users where id = $1 for update', [
    principal.userId,
  ]);
  if (!user) throw new NotFoundError('User not found');
  return user;
}

/** Per-account counter of wrong codes and passwords: 10 in 15 minutes, then 429. */
const failureKeys = (userId: string) => [`2fa:user:${userId}`];

export const setupTwoFactor = defineRoute({
  method: 'POST',
  path: '/auth/2fa/setup',
  summary: 'Start turning on two-factor sign-in: a new TOTP secret to add to an authenticator app (409 when 2FA is already on)',
  tag: 'auth',
  user: true,
  schema: { body: Type.Object({}, { additionalProperties: false }), response: Exact({ secret: Type.String(), otpauth_url: Type.String() }) },
  deps: { secretBox: kernelRefs.secretBox },
  errors: [commonErrors.not_found, commonErrors.conflict],
  async handler(input) {
    const { db, deps, audit } = input;
    const user = await signedInUser(input);
    if (user.totp_enabled) throw new ConflictError('Two-factor sign-in is already on; turn it off first to change the secret');
    const secret = newTotpSecret();
    await db.query('update users set totp_pending_secret = $2, updated_at = now() where id = $1', [user.id, deps.secretBox.seal(secret)]);
    await audit({ action: 'auth.2fa.setup_started', targetType: 'user', targetId: user.id });
    return { secret, otpauth_url: totpFor(secret, user.email).toString() };
  },
});

export const enableTwoFactor = defineRoute({
  method: 'POST',
  path: '/auth/2fa/enable',
  summary:
    'Turn on two-factor sign-in by proving the authenticator app works; returns 10 single-use recovery codes, shown once, and signs out every other session. A wrong code is 422 on `otp`; 429 past 10 failures in 15 minutes',
  tag: 'auth',
  user: true,
  schema: {
    body: Type.Object({ otp: Type.String({ minLength: 6, maxLength: 16 }) }, { additionalProperties: false }),
    response: Exact({ recovery_codes: Type.Array(Type.String(), { description: 'Single-use, shown once' }) }),
  },
  deps: { database: kernelRefs.database, identity: kernelRefs.identity, rateLimiter: kernelRefs.rateLimiter, secretBox: kernelRefs.secretBox },
  errors: [commonErrors.not_found, commonErrors.conflict, commonErrors.rate_limited],
  async handler(input) {
    const { body, db, deps, audit, principal } = input;
    const user = await signedInUser(input);
    if (user.totp_enabled) throw new ConflictError('Two-factor sign-in is already on');
    if (!user.totp_pending_secret) throw new ConflictError('Start with POST /auth/2fa/setup');
    const attempt = await beginAttempt(input, failureKeys(user.id));
    const secret = deps.secretBox.open(user.totp_pending_secret);
    const step = matchingStep(totpFor(secret), body.otp.replace(/\s+/g, ''));
    if (step === null) {
      await attempt.failed(user.id, 'auth.2fa.failed', { during: 'enable' });
      throw new ValidationError({ otp: ['is not the current code of your authenticator app'] });
    }
    await attempt.end();
    // The step is recorded so the code that turned 2FA on cannot also sign in.
    await db.query(
      `update users set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_enabled = true, totp_last_step = $2, updated_at = now()
        where id = $1`,
      [user.id, step],
    );
    const recoveryCodes = await replaceRecoveryCodes(db, user.id);
    const ended = await endOtherSessions(db, deps, user.id, principal.sessionId);
    await audit({ action: 'auth.2fa.enabled', targetType: 'user', targetId: user.id, data: { sessions_ended: ended } });
    return { recovery_codes: recoveryCodes };
  },
});

export const disableTwoFactor = defineRoute({
  method: 'POST',
  path: '/auth/2fa/disable',
  summary:
    'Turn off two-factor sign-in with the password and a current code or a recovery code; signs out every other session. A wrong password or code is 422 naming the field; 429 past 10 failures in 15 minutes',
  tag: 'auth',
  user: true,
  schema: {
    body: Type.Object(
      { password: Type.String({ minLength: 1, maxLength: 1024 }), otp: Type.String({ minLength: 6, maxLength: 64 }) },
      { additionalProperties: false },
    ),
    response: NoContent,
  },
  deps: { database: kernelRefs.database, identity: kernelRefs.identity, rateLimiter: kernelRefs.rateLimiter, secretBox: kernelRefs.secretBox },
  errors: [commonErrors.not_found, commonErrors.conflict, commonErrors.rate_limited],
  async handler(input) {
    const { body, db, deps, audit, principal } = input;
    const user = await signedInUser(input);
    if (!user.totp_enabled) throw new ConflictError('Two-factor sign-in is not on');
    const attempt = await beginAttempt(input, failureKeys(user.id));
    if (!(await verifyPassword(user.password_hash, body.password))) {
      await attempt.failed(user.id, 'auth.2fa.failed', { during: 'disable', reason: 'password' });
      throw new ValidationError({ password: ['is not your password'] });
    }
    if (!(await verifySecondFactor(db, deps, user.id, body.otp))) {
      await attempt.failed(user.id, 'auth.2fa.failed', { during: 'disable', reason: 'otp' });
      throw new ValidationError({ otp: ['is neither the current code of your authenticator app nor an unused recovery code'] });
    }
    await attempt.end();
    await db.query(
      `update users set totp_enabled = false, totp_secret = null, totp_pending_secret = null, totp_last_step = null, updated_at = now()
        where id = $1`,
      [user.id],
    );
    await db.query('delete from recovery_codes where user_id = $1', [user.id]);
    const ended = await endOtherSessions(db, deps, user.id, principal.sessionId);
    await audit({ action: 'auth.2fa.disabled', targetType: 'user', targetId: user.id, data: { sessions_ended: ended } });
    return Reply.noContent();
  },
});

/** Replaces the user's recovery codes with ten new ones (stored hashed) and returns them. */
async function replaceRecoveryCodes(db: ScopedDb, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db.query('delete from recovery_codes where user_id = $1', [userId]);
  await db.query('insert into recovery_codes (user_id, code_hash) select $1, unnest($2::text[])', [userId, codes.map((code) => sha256(code))]);
  return codes;
}

/** Routes for TOTP two-factor setup, enable and disable. */
export const twoFactorRoutes = [setupTwoFactor, enableTwoFactor, disableTwoFactor];
