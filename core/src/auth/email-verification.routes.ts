import { commonErrors, ConflictError, NotFoundError, RateLimitedError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { runAsSystem } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { errorLanguage } from '../http/error-language.js';
import { Exact, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import {
  markEmailVerified,
  notifyEmailChanged,
  sendVerification,
  useVerification,
  verificationMailKeys,
  verificationMailLimit,
  type VerificationRefusal,
} from './email-verification.js';
import { beginAttempt } from './login-limits.js';
import { verifyPassword } from './passwords.js';

const refusalMessages: Record<VerificationRefusal, string> = {
  unknown: 'This verification link is not valid; ask for a new one',
  stale: 'This verification link is not valid; ask for a new one',
  used: 'This verification link has already been used',
  expired: 'This verification link has expired; ask for a new one',
  taken: 'Another account uses this email address now',
};

export const verifyEmail = defineRoute({
  method: 'POST',
  path: '/auth/email/verify',
  summary:
    'Verify an email address with the token of a mailed link (single-use, valid 24 hours); a link for a new address (POST /me/email) makes it the account’s. An unknown, used or expired token is 400 `email_verification_invalid` (audited); 429 past 10 bad tokens per IP in 15 minutes',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }),
    response: Exact({ email: Type.String(), email_verified: Type.Literal(true) }),
  },
  deps: {
    database: kernelRefs.database,
    identity: kernelRefs.identity,
    logger: kernelRefs.logger,
    mailer: kernelRefs.mailer,
    publicUrl: kernelRefs.publicUrl,
    rateLimiter: kernelRefs.rateLimiter,
  },
  errors: [coreErrors.email_verification_invalid, commonErrors.rate_limited],
  async handler(input) {
    const { body, db, deps, actor, ctx } = input;
    const attempt = await beginAttempt(input, [`email-verify:ip:${ctx.ip}`]);
    try {
      const outcome = await useVerification(db, body.token);
      if (!outcome.ok) {
        // Audited in its own transaction (the request's rolls back with the error), counted against the IP.
        await attempt.failed(outcome.userId, 'auth.email.verify_refused', { reason: outcome.reason });
        throw coreErrors.email_verification_invalid(refusalMessages[outcome.reason]);
      }
      const who = { ...actor, userId: outcome.userId };
      if (outcome.previous) {
        // The address changed: the old one is told, and every cached view of the user is dropped.
        db.afterCommit(() => deps.identity.forget(outcome.userId));
        notifyEmailChanged(db, deps, { id: outcome.userId, name: outcome.name, from: outcome.previous, to: outcome.email }, errorLanguage(ctx));
        const change = { from: outcome.previous, to: outcome.email };
        await recordHostAudit(db, who, { action: 'auth.email.changed', targetType: 'user', targetId: outcome.userId, data: change });
      } else {
        await markEmailVerified(db, outcome.userId, deps.identity);
        await recordHostAudit(db, who, { action: 'auth.email.verified', targetType: 'user', targetId: outcome.userId, data: { email: outcome.email } });
      }
      return { email: outcome.email, email_verified: true as const };
    } finally {
      await attempt.end();
    }
  },
});

export const resendVerification = defineRoute({
  method: 'POST',
  path: '/me/email/verification',
  summary:
    'Mail a new link verifying your email address (valid 24 hours). 409 when it is verified already; 429 `rate_limited` (with Retry-After) past 5 mails per hour to the account or the address',
  tag: 'auth',
  user: true,
  schema: { body: Type.Object({}, { additionalProperties: false }), response: withStatus(Exact({ email: Type.String() }), 202) },
  deps: {
    database: kernelRefs.database,
    logger: kernelRefs.logger,
    mailer: kernelRefs.mailer,
    publicUrl: kernelRefs.publicUrl,
    rateLimiter: kernelRefs.rateLimiter,
  },
  errors: [commonErrors.not_found, commonErrors.conflict, commonErrors.rate_limited],
  async handler({ db, deps, principal, ctx, audit }) {
    const user = await db.one<{ id: string; email: string; name: string; verified: boolean }>(
      'select id, email, name, email_verified_at is not null as verified from users where id = $1',
      [principal.userId],
    );
    if (!user) throw new NotFoundError('User not found');
    if (user.verified) throw new ConflictError('Your email address is already verified');
    const limit = await deps.rateLimiter.take(verificationMailKeys(user.id, user.email), verificationMailLimit.perHour, verificationMailLimit.windowMs);
    if (!limit.allowed) {
      await runAsSystem(deps.database, (system) =>
        recordHostAudit(
          system,
          { userId: user.id, ip: ctx.ip, userAgent: ctx.get('user-agent') || null, requestId: ctx.state.requestId },
          {
            action: 'auth.email.resend_limited',
            targetType: 'user',
            targetId: user.id,
          },
        ),
      );
      throw new RateLimitedError(limit.retryAfterSeconds, `Too many verification emails; try again in ${limit.retryAfterSeconds} s`);
    }
    await sendVerification(db, deps, user, errorLanguage(ctx));
    await audit({ action: 'auth.email.verification_sent', targetType: 'user', targetId: user.id });
    return new Reply(202, { email: user.email });
  },
});

export const changeEmail = defineRoute({
  method: 'POST',
  path: '/me/email',
  summary:
    'Ask to change your email address (with your password): a link is mailed to the new address, which replaces the old one once the link is used (the old address is told). 409 when another account uses it; 429 past 5 mails an hour',
  tag: 'auth',
  user: true,
  schema: {
    body: Type.Object(
      { email: Type.String({ format: 'email', maxLength: 254 }), current_password: Type.String({ minLength: 1, maxLength: 1024 }) },
      { additionalProperties: false },
    ),
    response: withStatus(Exact({ pending_email: Type.String({ description: 'Becomes your address once the mailed link is used' }) }), 202),
  },
  deps: {
    database: kernelRefs.database,
    logger: kernelRefs.logger,
    mailer: kernelRefs.mailer,
    publicUrl: kernelRefs.publicUrl,
    rateLimiter: kernelRefs.rateLimiter,
  },
  errors: [commonErrors.not_found, commonErrors.conflict, commonErrors.rate_limited],
  async handler(input) {
    const { body, db, deps, principal, ctx, audit } = input;
    const user = await db.one<{ id: string; email: string; name: string; password_hash: string | null }>(
      'select id, email, name, password_hash from users where id = $1',
      [principal.userId],
    );
    if (!user) throw new NotFoundError('User not found');
    const attempt = await beginAttempt(input, [`email-change:user:${user.id}`]);
    try {
      if (!(await verifyPassword(user.password_hash, body.current_password))) {
        await attempt.failed(user.id, 'auth.email.change_failed', {});
        throw new ValidationError({ current_password: ['is not your password'] });
      }
    } finally {
      await attempt.end();
    }
    const email = body.email.trim();
    if (email.toLowerCase() === user.email.toLowerCase()) throw new ValidationError({ email: ['is already your address'] });
    if (await db.one('select 1 from users where lower(email) = lower($1)', [email])) {
      throw new ConflictError('An account with this email exists', { errors: { email: ['is already registered'] } });
    }
    const limit = await deps.rateLimiter.take(verificationMailKeys(user.id, email), verificationMailLimit.perHour, verificationMailLimit.windowMs);
    if (!limit.allowed) throw new RateLimitedError(limit.retryAfterSeconds, `Too many verification emails; try again in ${limit.retryAfterSeconds} s`);
    await sendVerification(db, deps, user, errorLanguage(ctx), { to: email });
    await audit({ action: 'auth.email.change_requested', targetType: 'user', targetId: user.id, data: { from: user.email, to: email } });
    return new Reply(202, { pending_email: email });
  },
});

/** Email verification: using a link, asking for another, changing the address. */
export const emailVerificationRoutes: CoreRoute[] = [verifyEmail, resendVerification, changeEmail];
