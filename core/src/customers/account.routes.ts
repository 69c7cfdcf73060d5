import { commonErrors, Reply, toJson, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { userFields, type UserRow } from '../auth/auth.routes.js';
import { beginAttempt } from '../auth/login-limits.js';
import { markEmailVerified } from '../auth/email-verification.js';
import { startSession } from '../auth/sessions.js';
import { sha256 } from '../crypto/secrets.js';
import { runAsSystem } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { Exact, TokenPair, User, withStatus } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { activeUser, requestSignInLink, secondFactorOk } from './sign-in.js';

const answer = { message: 'If this email has an account here, a sign-in link is on its way' };

export const requestSignInLinkRoute = defineRoute({
  method: 'POST',
  path: '/customers/auth/magic-link',
  summary:
    "Email a single-use sign-in link onto the tenant's pages (valid one hour; `next`: a page path of the tenant). Always 202 with the same body, known email or not",
  tag: 'account',
  public: true,
  tenant: true,
  rateLimit: { per: 'ip', max: 30, windowSeconds: 900 },
  schema: {
    body: Type.Object(
      { email: Type.String({ format: 'email', maxLength: 254 }), next: Type.Optional(Type.String({ maxLength: 2000 })) },
      { additionalProperties: false },
    ),
    response: withStatus(Exact({ message: Type.String() }), 202),
  },
  deps: {
    accessTokens: kernelRefs.accessTokens,
    database: kernelRefs.database,
    identity: kernelRefs.identity,
    logger: kernelRefs.logger,
    mailer: kernelRefs.mailer,
    publicUrl: kernelRefs.publicUrl,
    rateLimiter: kernelRefs.rateLimiter,
    secretBox: kernelRefs.secretBox,
  },
  errors: [],
  async handler({ body, db, deps, tenant }) {
    await requestSignInLink(deps, db, tenant, body);
    return new Reply(202, answer);
  },
});

export const redeemSignInLinkRoute = defineRoute({
  method: 'POST',
  path: '/customers/auth/verify',
  summary:
    'Use a sign-in link of the tenant for a token pair (as /auth/login; `otp` when the user has two-step sign-in). A used, expired or unknown link is 422 on `token`',
  tag: 'account',
  public: true,
  tenant: true,
  schema: {
    body: Type.Object(
      { token: Type.String({ minLength: 1, maxLength: 200 }), otp: Type.Optional(Type.String({ maxLength: 64 })) },
      { additionalProperties: false },
    ),
    response: Exact({ user: User, tokens: TokenPair }),
  },
  deps: {
    accessTokens: kernelRefs.accessTokens,
    database: kernelRefs.database,
    identity: kernelRefs.identity,
    rateLimiter: kernelRefs.rateLimiter,
    secretBox: kernelRefs.secretBox,
  },
  errors: [commonErrors.rate_limited, coreErrors.otp_required, coreErrors.otp_invalid],
  async handler(input) {
    const { body, db, deps, actor, ctx } = input;
    const attempt = await beginAttempt(input, [`sign-in-link:redeem:ip:${ctx.ip}`]);
    try {
      const link = await db.one<{ id: string; user_id: string }>(
        'select id, user_id from sign_in_links where token_hash = $1 and used_at is null and expires_at > now() for update',
        [sha256(body.token)],
      );
      const user = link ? await activeUser(deps, link.user_id) : undefined;
      if (!link || !user) {
        await attempt.failed(null, 'auth.sign_in_link.failed', {});
        throw new ValidationError({ token: ['is invalid, expired or already used; ask for a new link'] });
      }
      if (user.totp_enabled) {
        if (!body.otp) throw coreErrors.otp_required('Enter the code from your authenticator app');
        if (!(await secondFactorOk(deps, user.id, body.otp))) {
          await attempt.failed(user.id, 'auth.sign_in_link.failed', { reason: 'otp' });
          throw coreErrors.otp_invalid('Invalid one-time code');
        }
      }
      await db.query('update sign_in_links set used_at = now(), updated_at = now() where id = $1', [link.id]);
      // Sessions are host rows (refresh tokens): started on the system path, once the link is known good.
      const signedIn = await runAsSystem(deps.database, async (system) => {
        // The link was mailed to the address: using it proves the address.
        await markEmailVerified(system, user.id);
        const row = await system.one<UserRow>(`select ${userFields} from users where id = $1`, [user.id]);
        const tokens = await startSession(system, deps, user, { ...actor, userId: user.id }, 'magic-link');
        const entry = { action: 'auth.login.succeeded', targetType: 'user', targetId: user.id, data: { via: 'sign-in-link' } };
        await recordHostAudit(system, { ...actor, userId: user.id }, entry);
        return { user: toJson(row!), tokens };
      });
      return signedIn;
    } finally {
      await attempt.end();
    }
  },
});

/** Sign-in links for headless front ends (the pages use `account.pages.ts`). */
export const accountRoutes: CoreRoute[] = [requestSignInLinkRoute, redeemSignInLinkRoute];
