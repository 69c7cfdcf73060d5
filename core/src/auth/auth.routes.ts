import { commonErrors, ConflictError, toJson, UnauthenticatedError, ValidationError, type Static, type Stored } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { kernelRefs } from '../kernel-refs.js';
import { coreErrors } from '../http/core-errors.js';
import { defineRoute, Reply } from '../http/route.js';
import { emitEvent } from '../events/outbox.js';
import { refuseUnlessPasswordAllowed } from '../identity/tenant-sso.js';
import { createTenantWithOwner, NewTenant } from '../tenancy/tenant-setup.js';
import { sendVerification, verificationMailKeys, verificationMailLimit } from './email-verification.js';
import { beginAttempt } from './login-limits.js';
import { confirmWithPasskey } from './passkeys.js';
import { PasskeySecondFactor } from './passkeys-schemas.js';
import { errorLanguage } from '../http/error-language.js';
import { hashPassword, passwordProblems, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { endSession, rotateSession, startSession } from './sessions.js';
import { verifySecondFactor } from './two-factor.js';
import { Exact, NoContent, Quotas, Tenant, TokenPair, User, withStatus } from '../http/response-schemas.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
/** A plan chosen at sign-up, for the tenant created with the account (ignored without one). */
const SignupPlan = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$' }),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    interval: Type.Optional(Type.Union([Type.Literal('month'), Type.Literal('year')])),
  },
  { additionalProperties: false },
);

/** The public shape of a user. */
export const userFields = 'id, email, name, status, is_super_admin, totp_enabled, email_verified_at is not null as email_verified, created_at, updated_at';

/** A user as {@link userFields} selects it, timestamps as the database returns them. */
export type UserRow = Stored<Static<typeof User>, 'created_at' | 'updated_at'>;

export const register = defineRoute({
  method: 'POST',
  path: '/auth/register',
  summary: 'Create an account (and optionally a tenant it owns); a link verifying the email address is mailed to it',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object(
      {
        email: Email,
        password: Password,
        name: Type.String({ minLength: 1, maxLength: 120 }),
        tenant: Type.Optional(NewTenant),
        plan: Type.Optional(SignupPlan),
      },
      { additionalProperties: false },
    ),
    response: withStatus(
      Exact({
        user: User,
        tenant: Type.Optional(Exact({ ...Tenant.properties, quotas: Type.Partial(Quotas) })),
        tokens: TokenPair,
        checkout_url: Type.Optional(Type.String({ description: 'The plan chosen needs a card now: pay here (the tenant stays on the free plan until then)' })),
      }),
      201,
    ),
  },
  deps: {
    accessTokens: kernelRefs.accessTokens,
    database: kernelRefs.database,
    identity: kernelRefs.identity,
    jobs: kernelRefs.jobs,
    logger: kernelRefs.logger,
    mailer: kernelRefs.mailer,
    publicUrl: kernelRefs.publicUrl,
    rateLimiter: kernelRefs.rateLimiter,
    billing: kernelRefs.billing,
  },
  errors: [commonErrors.conflict, commonErrors.not_found, coreErrors.currency_not_offered, coreErrors.billing_not_configured],
  async handler({ body, db, deps, actor, audit, ctx }) {
    const problems = passwordProblems(body.password, { email: body.email });
    if (problems.length > 0) throw new ValidationError({ password: problems });
    const passwordHash = await hashPassword(body.password);
    const [user] = await db.query<UserRow & { token_version: number }>(
      `insert into users (email, name, password_hash) values ($1, $2, $3) on conflict do nothing returning ${userFields}, token_version`,
      [body.email, body.name.trim(), passwordHash],
    );
    if (!user) throw new ConflictError('An account with this email exists; sign in instead', { errors: { email: ['is already registered'] } });
    const tenant = body.tenant ? await createTenantWithOwner(db, deps, body.tenant, user.id) : undefined;
    if (tenant) await emitEvent(db, deps, tenant.id, 'core.user.registered', { userId: user.id, email: body.email, name: body.name.trim() }, 'core');
    // A plan chosen at sign-up: a trial starts now, or the answer carries where to pay (docs/billing.md §Subscriptions).
    const billing = tenant && body.plan ? await deps.billing.subscribeNew(db, tenant.id, { ...body.plan, plan: body.plan.key }) : {};
    await audit({ action: 'auth.registered', targetType: 'user', targetId: user.id, ...(tenant ? { tenantId: tenant.id } : {}) });
    // The first link counts against the account's and the address's hourly allowance of verification mails.
    await deps.rateLimiter.take(verificationMailKeys(user.id, user.email), verificationMailLimit.perHour, verificationMailLimit.windowMs);
    await sendVerification(db, deps, user, errorLanguage(ctx));
    const tokens = await startSession(db, deps, user, { ...actor, userId: user.id }, 'registration');
    const { token_version: _version, ...publicUser } = user;
    return Reply.created(toJson({ user: publicUser, ...(tenant ? { tenant } : {}), tokens, ...billing }));
  },
});

export const login = defineRoute({
  method: 'POST',
  path: '/auth/login',
  summary: 'Sign in with email and password (and a one-time code when 2FA is on)',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object(
      { email: Email, password: Password, otp: Type.Optional(Type.String({ maxLength: 64 })), passkey: Type.Optional(PasskeySecondFactor) },
      { additionalProperties: false },
    ),
    response: Exact({ user: User, tokens: TokenPair }),
  },
  deps: {
    accessTokens: kernelRefs.accessTokens,
    database: kernelRefs.database,
    publicUrl: kernelRefs.publicUrl,
    rateLimiter: kernelRefs.rateLimiter,
    secretBox: kernelRefs.secretBox,
  },
  errors: [
    commonErrors.unauthenticated,
    coreErrors.otp_required,
    coreErrors.otp_invalid,
    coreErrors.passkey_invalid,
    coreErrors.sso_required,
    commonErrors.rate_limited,
  ],
  async handler(input) {
    const { body, db, deps, actor, ctx } = input;
    const email = body.email.toLowerCase();
    const attempt = await beginAttempt(input, [`login:ip:${ctx.ip}`, `login:email:${email}`]);
    try {
      const user = await db.one<UserRow & { password_hash: string | null; token_version: number }>(
        `select ${userFields}, password_hash, token_version from users where lower(email) = $1`,
        [email],
      );
      const passwordOk = user ? await verifyPassword(user.password_hash, body.password) : await verifyAgainstNothing(body.password);
      if (!user || !passwordOk || user.status !== 'active') {
        await attempt.failed(user?.id ?? null, 'auth.login.failed', { email });
        throw new UnauthenticatedError('Invalid email or password');
      }
      await refuseUnlessPasswordAllowed(db, deps, user, actor, 'login');
      if (user.totp_enabled && body.passkey) {
        // A passkey of the account, answering a second-factor challenge, stands in for the one-time code.
        await confirmWithPasskey(input, user.id, body.passkey, attempt);
      } else if (user.totp_enabled) {
        if (!body.otp) throw coreErrors.otp_required('Enter the code from your authenticator app');
        if (!(await verifySecondFactor(db, deps, user.id, body.otp))) {
          await attempt.failed(user.id, 'auth.login.failed', { email, reason: 'otp' });
          throw coreErrors.otp_invalid('Invalid one-time code');
        }
      }
      await recordHostAudit(db, { ...actor, userId: user.id }, { action: 'auth.login.succeeded', targetType: 'user', targetId: user.id });
      const tokens = await startSession(db, deps, user, { ...actor, userId: user.id });
      const { password_hash: _hash, token_version: _version, ...publicUser } = user;
      return { user: toJson(publicUser), tokens };
    } finally {
      await attempt.end();
    }
  },
});

export const refresh = defineRoute({
  method: 'POST',
  path: '/auth/refresh',
  summary: 'Trade a refresh token for a new token pair',
  tag: 'auth',
  public: true,
  schema: { body: Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }), response: TokenPair },
  deps: { accessTokens: kernelRefs.accessTokens, database: kernelRefs.database, identity: kernelRefs.identity },
  errors: [commonErrors.unauthenticated],
  async handler({ body, db, deps, actor }) {
    return rotateSession(db, deps, body.refresh_token, actor);
  },
});

export const logout = defineRoute({
  method: 'POST',
  path: '/auth/logout',
  summary: 'End the session of a refresh token',
  tag: 'auth',
  public: true,
  schema: { body: Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }), response: NoContent },
  deps: { identity: kernelRefs.identity },
  errors: [],
  async handler({ body, db, deps, actor }) {
    const ended = await endSession(db, deps, body.refresh_token);
    if (ended) await recordHostAudit(db, { ...actor, userId: ended.userId }, { action: 'auth.logout', targetType: 'session', targetId: ended.sessionId });
    return Reply.noContent();
  },
});

export const authRoutes = [register, login, refresh, logout];
