import {
  BadRequestError,
  commonErrors,
  ConflictError,
  ForbiddenError,
  limitErrors,
  NotFoundError,
  toJson,
  UnauthenticatedError,
  ValidationError,
} from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { recordHostAudit, recordTenantAudit } from '../audit/audit.js';
import { userFields, type UserRow } from '../auth/auth.routes.js';
import { hashPassword, passwordProblems } from '../auth/passwords.js';
import { startSession } from '../auth/sessions.js';
import { sha256 } from '../crypto/secrets.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { emitEvent } from '../events/outbox.js';
import { coreErrors } from '../http/core-errors.js';
import { authenticate } from '../http/route-pipeline.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply } from '../http/route.js';
import { Exact, TokenPair, User, Uuid, withStatus } from '../http/response-schemas.js';

interface InvitationRow {
  id: string;
  tenant_id: string;
  email: string;
  role_ids: string[];
  expired: boolean;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

/**
 * The pending invitation a token names (`lock`: locked until the request's transaction ends); a clear 404/400 when it
 * is unknown, revoked, used or expired.
 */
async function pendingInvitation(db: ScopedDb, token: string, lock: boolean): Promise<InvitationRow> {
  // The system path sees every tenant's invitations: the token hash is the only filter. It is unique per tenant, and a
  // hash of 256 random bits never repeats across tenants (when sharded, this lookup asks every shard: ADR 0014).
  const invitation = await db.one<InvitationRow>(
    `select id, tenant_id, email, role_ids, expires_at <= now() as expired, accepted_at, revoked_at
       from invitations where token_hash = $1${lock ? ' for update' : ''}`,
    [sha256(token)],
  );
  if (!invitation || invitation.revoked_at) throw new NotFoundError('This invitation does not exist or was revoked');
  if (invitation.accepted_at) throw new BadRequestError('This invitation has already been used');
  if (invitation.expired) throw new BadRequestError('This invitation has expired; ask for a new one');
  return invitation;
}

/**
 * A new account's name and password hash, for the invitation `token` names: 422 naming a missing name or password, or
 * a weak one. Run first, before the request's transaction opens: hashes wait their turn (passwords.ts), and a
 * transaction open meanwhile would hold a connection and the invitation's lock, so a burst of acceptances would starve
 * the pool.
 */
async function newAccount(db: ScopedDb, token: string, { name, password }: { name?: string | undefined; password?: string | undefined }) {
  if (name === undefined || password === undefined)
    throw new ValidationError({ [name === undefined ? 'name' : 'password']: ['is required to create an account'] });
  const { email } = await pendingInvitation(db, token, false);
  const problems = passwordProblems(password, { email });
  if (problems.length > 0) throw new ValidationError({ password: problems });
  return { name, passwordHash: await hashPassword(password) };
}

/** Creates the account of an invitee who has none, for the invited email. */
async function registerInvitee(db: ScopedDb, email: string, name: string, passwordHash: string) {
  const user = await db.one<UserRow & { token_version: number }>(
    // The invitation was mailed to this address: accepting it proves the address.
    `insert into users (email, name, password_hash, email_verified_at) values ($1, $2, $3, now()) on conflict do nothing returning ${userFields}, token_version`,
    [email, name.trim(), passwordHash],
  );
  if (!user) throw new ConflictError('An account with this email exists; sign in to accept the invitation', { errors: { email: ['is already registered'] } });
  return user;
}

export const acceptInvitation = defineRoute({
  method: 'POST',
  path: '/invitations/accept',
  summary:
    'Accept an invitation: signed in (Bearer token; your email verified, else 403 `email_unverified`) with { token }, or as a new user with { token, name, password } (the address counts as verified)',
  tag: 'members',
  public: true,
  schema: {
    body: Type.Object(
      {
        token: Type.String({ minLength: 1, maxLength: 256 }),
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' })),
        password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      },
      { additionalProperties: false },
    ),
    response: withStatus(
      Exact({
        user: User,
        tenant: Exact({ id: Uuid, slug: Type.String(), name: Type.String() }),
        roles: Type.Array(Exact({ id: Uuid, name: Type.String() })),
        tokens: Type.Optional(TokenPair),
      }),
      201,
    ),
  },
  deps: {
    accessTokens: kernelRefs.accessTokens,
    apiTokenAuth: kernelRefs.apiTokenAuth,
    identity: kernelRefs.identity,
    jobs: kernelRefs.jobs,
    logger: kernelRefs.logger,
    tenantAccess: kernelRefs.tenantAccess,
    entitlements: kernelRefs.entitlements,
  },
  errors: [
    commonErrors.unauthenticated,
    commonErrors.forbidden,
    commonErrors.not_found,
    commonErrors.conflict,
    limitErrors.limit_reached,
    coreErrors.tenant_suspended,
    coreErrors.email_unverified,
  ],
  async handler({ ctx, body, db, deps, actor }) {
    const principal = ctx.get('authorization') ? await authenticate(ctx, deps, undefined) : undefined;
    if (principal && principal.kind !== 'user') throw new UnauthenticatedError('Sign in as a user to accept an invitation');
    const registering = body.name !== undefined || body.password !== undefined;
    if (principal && registering) throw new ValidationError({ [body.name !== undefined ? 'name' : 'password']: ['is not allowed when signed in'] });
    if (!principal && !registering) throw new UnauthenticatedError('Sign in to accept this invitation, or send name and password to create an account');
    // Signed in, the account must have proved its address first (as every route with `verifiedEmail`).
    if (principal && !(await deps.identity.stateOf(principal.userId))?.emailVerified) throw coreErrors.email_unverified('Verify your email address first');
    const caller = principal ? { principal } : { account: await newAccount(db, body.token, body) };

    const invitation = await pendingInvitation(db, body.token, true);
    let user: UserRow & { token_version: number };
    if (caller.principal) {
      const found = await db.one<typeof user>(`select ${userFields}, token_version from users where id = $1`, [caller.principal.userId]);
      if (!found) throw new UnauthenticatedError('This account no longer exists');
      if (found.email.toLowerCase() !== invitation.email.toLowerCase()) throw new ForbiddenError('This invitation is for another email address');
      user = found;
    } else {
      user = await registerInvitee(db, invitation.email, caller.account.name, caller.account.passwordHash);
    }

    // Locking the tenant row serialises acceptances, so concurrent ones cannot overshoot the members quota.
    const tenant = await db.one<{ id: string; slug: string; name: string; status: string }>(
      'select id, slug, name, status from tenants where id = $1 for update',
      [invitation.tenant_id],
    );
    if (!tenant) throw new NotFoundError('This invitation does not exist or was revoked');
    if (tenant.status === 'suspended') throw coreErrors.tenant_suspended('This tenant is suspended');
    const existing = await db.one<{ id: string; kind: string }>('select id, kind from memberships where tenant_id = $1 and user_id = $2 for update', [
      tenant.id,
      user.id,
    ]);
    if (existing?.kind === 'staff') throw new ConflictError('You are already a member of this tenant');
    await deps.entitlements.ensure(
      db,
      tenant.id,
      'members',
      1,
      async () =>
        (await returnedRow<{ count: number }>(db, "select count(*)::int as count from memberships where tenant_id = $1 and kind = 'staff'", [tenant.id])).count,
    );

    let membership: { id: string } | undefined;
    if (existing) {
      // A customer joins the staff: the customer role goes, the invited roles come (ADR 0007).
      await db.query("update memberships set kind = 'staff', updated_at = now() where id = $1", [existing.id]);
      await db.query('delete from membership_roles where membership_id = $1', [existing.id]);
      membership = existing;
    } else {
      membership = await db.one<{ id: string }>(
        'insert into memberships (tenant_id, user_id) values ($1, $2) on conflict (tenant_id, user_id) do nothing returning id',
        [tenant.id, user.id],
      );
    }
    if (!membership) throw new ConflictError('You are already a member of this tenant');
    // Roles deleted since the invitation simply drop out.
    const roles = await db.query<{ id: string; name: string }>(
      `with granted as (
         insert into membership_roles (tenant_id, membership_id, role_id)
         select $1, $2, r.id from roles r where r.tenant_id = $1 and r.id = any($3::uuid[]) and r.builtin is distinct from 'customer'
         returning role_id)
       select r.id, r.name from granted g join roles r on r.id = g.role_id order by r.name`,
      [tenant.id, membership.id, invitation.role_ids],
    );
    await db.query('update invitations set accepted_at = now(), updated_at = now() where id = $1', [invitation.id]);
    const accepter = { ...actor, userId: user.id };
    await recordTenantAudit(
      db,
      accepter,
      {
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: invitation.id,
        data: { user_id: user.id, email: invitation.email, roles: roles.map((role) => role.name), new_account: !principal },
      },
      tenant.id,
    );
    const { name } = user;
    if (!principal) await emitEvent(db, deps, tenant.id, 'core.user.registered', { userId: user.id, email: user.email, name }, 'core');
    const joined = { userId: user.id, email: user.email, name, roles: roles.map((role) => role.name) };
    await emitEvent(db, deps, tenant.id, 'core.member.joined', joined, 'core');
    const tokens = principal ? undefined : await startSession(db, deps, user, accepter, 'invitation');
    if (!principal) await recordHostAudit(db, accepter, { action: 'auth.registered', targetType: 'user', targetId: user.id, tenantId: tenant.id });
    db.afterCommit(() => deps.tenantAccess.forget(tenant.id, [user.id]));

    const { token_version: _version, ...publicUser } = user;
    return Reply.created({ user: toJson(publicUser), tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, roles, ...(tokens ? { tokens } : {}) });
  },
});
