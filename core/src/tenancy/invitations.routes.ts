import { listPage, commonErrors, ConflictError, limitErrors, NotFoundError, PageQuery, paginate, toJson, type Static, type Stored } from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { assertMayGrant } from '../rbac/grants.js';
import { acceptInvitation } from './invitation-accept.js';
import { assertStaffRoles, rolesByIds } from './member-queries.js';
import { RoleIds } from './members.routes.js';
import { Exact, NoContent, Nullable, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';
import { coreMailMessages, mailLocale, userLocale } from '../mail/mail-messages.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** How long an invitation link works. */
export const invitationTtlMs = 7 * 24 * 3600 * 1000;

/** Pending = neither accepted nor revoked, and not expired. */
const pending = 'i.accepted_at is null and i.revoked_at is null and i.expires_at > now()';

const invitationColumns = `i.id, i.email, i.invited_by, i.expires_at, i.created_at,
  case when i.revoked_at is not null then 'revoked' when i.accepted_at is not null then 'accepted'
       when i.expires_at <= now() then 'expired' else 'pending' end as status,
  coalesce((select json_agg(json_build_object('id', r.id, 'name', r.name) order by r.name) from roles r where r.id = any(i.role_ids)), '[]'::json) as roles`;

/** An invitation as the API shows it: never its token. */
const Invitation = Exact({
  id: Uuid,
  email: Type.String(),
  invited_by: Nullable(Uuid),
  expires_at: Timestamp,
  created_at: Timestamp,
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]),
  roles: Type.Array(Exact({ id: Uuid, name: Type.String() })),
});

/** An invitation as {@link invitationColumns} selects it, timestamps as the database returns them. */
type InvitationRow = Stored<Static<typeof Invitation>, 'expires_at' | 'created_at'>;

function findInvitation(db: ScopedDb, id: string) {
  return db.one<InvitationRow>(`select ${invitationColumns} from invitations i where i.id = $1`, [id]);
}

export const createInvitation = defineRoute({
  method: 'POST',
  path: '/invitations',
  summary: 'Invite someone by email; answers with the accept_url to share (also mailed). Your own email must be verified',
  tag: 'members',
  permission: corePermissions['members.manage'],
  // It mails someone on the tenant's behalf.
  verifiedEmail: true,
  schema: {
    body: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), roles: RoleIds }, { additionalProperties: false }),
    response: withStatus(Exact({ ...Invitation.properties, accept_url: Type.String({ description: 'The link to share (also mailed)' }) }), 201),
  },
  deps: {
    database: kernelRefs.database,
    logger: kernelRefs.logger,
    mailer: kernelRefs.mailer,
    publicUrl: kernelRefs.publicUrl,
    tenantAccess: kernelRefs.tenantAccess,
    entitlements: kernelRefs.entitlements,
  },
  errors: [commonErrors.conflict, limitErrors.limit_reached],
  async handler({ body, db, deps, tenant, permissions, actor, audit }) {
    const roles = await rolesByIds(db, body.roles);
    assertStaffRoles(roles);
    assertMayGrant(permissions, roles.flatMap(await deps.tenantAccess.grantsIn(tenant.id)));
    if (await db.one('select 1 from tenant_users where email_key = lower($1)', [body.email])) {
      throw new ConflictError('This person is already a member', { errors: { email: ['is already a member'] } });
    }
    if (await db.one(`select 1 from invitations i where lower(i.email) = lower($1) and ${pending}`, [body.email])) {
      throw new ConflictError('This email has a pending invitation; revoke it to invite again', { errors: { email: ['has a pending invitation'] } });
    }
    await deps.entitlements.ensure(
      db,
      tenant.id,
      'members',
      1,
      async () => (await returnedRow<{ count: number }>(db, "select count(*)::int as count from memberships where kind = 'staff'")).count,
    );

    const token = randomToken(32);
    const created = await returnedRow<{ id: string }>(
      db,
      `insert into invitations (tenant_id, email, role_ids, token_hash, invited_by, expires_at)
       values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) returning id`,
      [tenant.id, body.email, body.roles, sha256(token), actor.userId ?? null, invitationTtlMs / 1000],
    );
    await audit({
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: created.id,
      data: { email: body.email, roles: roles.map((r) => r.name) },
    });
    const acceptUrl = `${deps.publicUrl()}/accept-invitation?token=${token}`;
    const mail = async () => {
      // An invitee who already has an account gets their own language; anyone else the tenant's.
      const t = coreMailMessages.translator(mailLocale(await userLocale(deps.database, { email: body.email }), tenant.locale));
      await deps.mailer.send({
        to: body.email,
        subject: t('invitationSubject', { tenant: tenant.name }),
        text: t('invitationBody', { tenant: tenant.name, days: invitationTtlMs / (24 * 3600 * 1000), link: acceptUrl }),
      });
    };
    db.afterCommit(() =>
      mail()
        // The invitation stands without the mail: the inviter has the link to share.
        .catch((error: unknown) => deps.logger.warn({ err: error, invitationId: created.id }, 'could not mail an invitation')),
    );
    const invitation = await returnedRow<InvitationRow>(db, `select ${invitationColumns} from invitations i where i.id = $1`, [created.id]);
    return Reply.created({ ...toJson(invitation), accept_url: acceptUrl });
  },
});

export const listInvitations = defineRoute({
  method: 'GET',
  path: '/invitations',
  summary: 'Pending invitations, newest first',
  tag: 'members',
  permission: corePermissions['members.view'],
  schema: { query: PageQuery, response: Type.Array(Invitation) },
  errors: [],
  async handler({ query, db }) {
    const { items, total } = await listPage<InvitationRow>(
      db,
      { select: invitationColumns, from: 'invitations i', where: pending, orderBy: 'i.created_at desc, i.id' },
      query,
    );
    return Reply.list(toJson(items), paginate(query, total));
  },
});

export const getInvitation = defineRoute({
  method: 'GET',
  path: '/invitations/:id',
  summary: 'One invitation and its status (pending, accepted, revoked or expired), never its token',
  tag: 'members',
  permission: corePermissions['members.view'],
  schema: { params: IdParams, response: Invitation },
  errors: [],
  async handler({ params, db }) {
    const invitation = await findInvitation(db, params.id);
    if (!invitation) throw new NotFoundError('Invitation not found');
    return toJson(invitation);
  },
});

export const revokeInvitation = defineRoute({
  method: 'DELETE',
  path: '/invitations/:id',
  summary: 'Revoke an invitation; its link stops working',
  tag: 'members',
  permission: corePermissions['members.manage'],
  schema: { params: IdParams, response: NoContent },
  errors: [commonErrors.conflict],
  async handler({ params, db, audit }) {
    const row = await db.one<{ accepted_at: Date | null; revoked_at: Date | null }>(
      'select accepted_at, revoked_at from invitations where id = $1 for update',
      [params.id],
    );
    if (!row || row.revoked_at) throw new NotFoundError('Invitation not found');
    if (row.accepted_at) throw new ConflictError('This invitation was already accepted; remove the member instead');
    await db.query('update invitations set revoked_at = now(), updated_at = now() where id = $1', [params.id]);
    await audit({ action: 'invitation.revoked', targetType: 'invitation', targetId: params.id });
    return Reply.noContent();
  },
});

/** Routes for invitations. */
export const invitationRoutes: CoreRoute[] = [createInvitation, listInvitations, getInvitation, revokeInvitation, acceptInvitation];
