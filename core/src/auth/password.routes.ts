import { commonErrors, RateLimitedError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import { kernelRefs } from '../kernel-refs.js';
import { coreErrors } from '../http/core-errors.js';
import { refuseUnlessPasswordAllowed } from '../identity/tenant-sso.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { defineRoute, Reply } from '../http/route.js';
import { beginAttempt, loginLimit } from './login-limits.js';
import { hashPassword, passwordProblems } from './passwords.js';
import { Exact, NoContent, withStatus } from '../http/response-schemas.js';
import { errorLanguage } from '../http/error-language.js';
import { coreMailMessages, mailLocale } from '../mail/mail-messages.js';

const resetTtlSeconds = 3600;

/** What `forgot` answers, whether or not the email belongs to an account. */
const forgotAnswer = { message: 'If an account uses this email, a link to reset its password is on its way.' };

export const forgotPassword = defineRoute({
  method: 'POST',
  path: '/auth/password/forgot',
  summary:
    'Email a single-use password reset link (valid one hour). Always 202 with the same body, known email or not; 429 past 10 requests per IP in 15 minutes',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }) }, { additionalProperties: false }),
    response: withStatus(Exact({ message: Type.String() }), 202),
  },
  deps: { logger: kernelRefs.logger, mailer: kernelRefs.mailer, publicUrl: kernelRefs.publicUrl, rateLimiter: kernelRefs.rateLimiter },
  errors: [commonErrors.rate_limited],
  async handler({ body, db, deps, ctx }) {
    const limit = await deps.rateLimiter.hit(`password-forgot:ip:${ctx.ip}`, loginLimit.failures, loginLimit.windowMs);
    if (!limit.allowed) throw new RateLimitedError(limit.retryAfterSeconds, 'Too many reset requests; try again later');
    // The same token generation and the same single statement run for unknown emails, so both answer alike and in similar time.
    const token = randomToken(32);
    const [reset] = await db.query<{ email: string; locale: string | null }>(
      `with account as (select id, email, locale from users where lower(email) = $1 and status = 'active'),
            issued as (insert into password_resets (user_id, token_hash, expires_at)
                       select id, $2, now() + make_interval(secs => $3) from account returning user_id)
       select account.email, account.locale from account join issued on issued.user_id = account.id`,
      [body.email.toLowerCase(), sha256(token), resetTtlSeconds],
    );
    if (reset) {
      const link = `${deps.publicUrl()}/reset-password?token=${encodeURIComponent(token)}`;
      // Not awaited: an SMTP round trip would make known emails answer measurably slower than unknown ones.
      db.afterCommit(() => {
        // No tenant here: the user's own language, else the one the request asked for.
        deps.mailer
          .send(resetMail(reset.email, link, mailLocale(reset.locale, errorLanguage(ctx))))
          .catch((error: unknown) => deps.logger.error({ err: error }, 'could not send the password reset mail'));
      });
    }
    return new Reply(202, forgotAnswer);
  },
});

export const resetPassword = defineRoute({
  method: 'POST',
  path: '/auth/password/reset',
  summary:
    'Set a new password with an emailed reset token; signs out every session. A bad, expired or used token is 422 on `token`; 429 past 10 bad tokens per IP in 15 minutes',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object(
      { token: Type.String({ minLength: 1, maxLength: 512 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
      { additionalProperties: false },
    ),
    response: NoContent,
  },
  deps: { database: kernelRefs.database, identity: kernelRefs.identity, publicUrl: kernelRefs.publicUrl, rateLimiter: kernelRefs.rateLimiter },
  errors: [commonErrors.rate_limited, coreErrors.sso_required],
  async handler(input) {
    const { body, db, deps, actor, ctx } = input;
    const limitKeys = [`password-reset:ip:${ctx.ip}`];
    const attempt = await beginAttempt(input, limitKeys);
    const found = await validReset(db, body.token, false);
    if (!found) {
      await attempt.failed(null, 'auth.password.reset_failed', {});
      throw invalidToken();
    }
    await attempt.end();
    const problems = passwordProblems(body.password, { email: found.email });
    if (problems.length > 0) throw new ValidationError({ password: problems });
    // Hashed before the request's transaction opens: hashes wait their turn (passwords.ts), and a transaction open
    // meanwhile would hold a connection and the link's lock, so a burst of resets would starve the pool.
    const passwordHash = await hashPassword(body.password);
    await refuseUnlessPasswordAllowed(db, deps, { id: found.user_id, email: found.email, is_super_admin: found.is_super_admin }, actor, 'password_reset');
    // Locked now, and checked again: the link may have been used meanwhile.
    const reset = await validReset(db, body.token, true);
    if (!reset) throw invalidToken();
    // The link was mailed to the address: using it proves the address too.
    await db.query(
      'update users set password_hash = $2, token_version = token_version + 1, email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = $1',
      [reset.user_id, passwordHash],
    );
    // Every outstanding link of the user dies with this one, and so does every session.
    await db.query('update password_resets set used_at = now() where user_id = $1 and used_at is null', [reset.user_id]);
    await db.query('update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null', [reset.user_id]);
    await recordHostAudit(db, { ...actor, userId: reset.user_id }, { action: 'auth.password.reset', targetType: 'user', targetId: reset.user_id });
    db.afterCommit(async () => {
      await deps.identity.forget(reset.user_id);
      // The owner proved control of the mailbox: lift a sign-in lockout an attacker may have caused.
      await deps.rateLimiter.reset(`login:email:${reset.email.toLowerCase()}`);
    });
    return Reply.noContent();
  },
});

/** The unused, unexpired reset link `token` names, of an active user (`lock`: until the transaction ends). */
function validReset(db: ScopedDb, token: string, lock: boolean) {
  return db.one<{ id: string; user_id: string; email: string; is_super_admin: boolean }>(
    `select r.id, r.user_id, u.email, u.is_super_admin from password_resets r join users u on u.id = r.user_id
      where r.token_hash = $1 and r.used_at is null and r.expires_at > now() and u.status = 'active'${lock ? ' for update of r' : ''}`,
    [sha256(token)],
  );
}

const invalidToken = () => new ValidationError({ token: ['is invalid, expired or already used; ask for a new link'] });

function resetMail(to: string, link: string, locale: string) {
  const t = coreMailMessages.translator(locale);
  return { to, subject: t('resetSubject'), text: t('resetBody', { hours: resetTtlSeconds / 3600, link }) };
}

/** Routes for password forgot/reset. */
export const passwordRoutes = [forgotPassword, resetPassword];
