import { emitEvent } from '../events/outbox.js';
import { commonErrors, ConflictError, NotFoundError, PageQuery, paginate, toJson } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { revokeTokensBeyondGrants, revokeTokensOfMember } from '../auth/api-token-revocation.js';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { assertMayGrant } from '../rbac/grants.js';
import { assertOwnerRemains, assertStaffRoles, findMember, listMembers, rolesByIds, rolesOfMembership, setMembershipRoles } from './member-queries.js';
import { Exact, NoContent, Timestamp, Uuid } from '../http/response-schemas.js';

/** A member as the API shows it. */
export const Member = Exact({
  user_id: Uuid,
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Exact({ id: Uuid, name: Type.String() })),
  joined_at: Timestamp,
});

const UserIdParams = Type.Object({ userId: Type.String({ format: 'uuid' }) });

/** Role ids to give a member (or an invitee): the full set, replacing what they had. */
export const RoleIds = Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 20, uniqueItems: true });

export const listMembersRoute = defineRoute({
  method: 'GET',
  path: '/members',
  summary: 'Members of the tenant with their roles; `q` filters by name or email',
  tag: 'members',
  permission: corePermissions['members.view'],
  schema: { query: Type.Object({ ...PageQuery.properties, q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }), response: Type.Array(Member) },
  errors: [],
  async handler({ query, db }) {
    const { items, total } = await listMembers(db, query);
    return Reply.list(toJson(items), paginate(query, total));
  },
});

export const getMember = defineRoute({
  method: 'GET',
  path: '/members/:userId',
  summary: 'One member with their roles',
  tag: 'members',
  permission: corePermissions['members.view'],
  schema: { params: UserIdParams, response: Member },
  errors: [],
  async handler({ params, db }) {
    const member = await findMember(db, params.userId);
    if (!member) throw new NotFoundError('Member not found');
    return toJson(member);
  },
});

export const updateMember = defineRoute({
  method: 'PATCH',
  path: '/members/:userId',
  summary: "Replace a member's roles",
  tag: 'members',
  permission: corePermissions['members.manage'],
  schema: { params: UserIdParams, body: Type.Object({ roles: RoleIds }, { additionalProperties: false }), response: Member },
  deps: { apiTokenAuth: kernelRefs.apiTokenAuth, tenantAccess: kernelRefs.tenantAccess },
  errors: [commonErrors.conflict],
  async handler({ params, body, db, deps, tenant, permissions, audit }) {
    const membership = await db.one<{ id: string; kind: string }>('select id, kind from memberships where user_id = $1 for update', [params.userId]);
    if (!membership) throw new NotFoundError('Member not found');
    if (membership.kind === 'customer') {
      throw new ConflictError('This user is a customer of the tenant; customers hold only the customer role. Invite them to make them staff');
    }
    const current = await rolesOfMembership(db, membership.id);
    const wanted = await rolesByIds(db, body.roles);
    assertStaffRoles(wanted);
    const added = wanted.filter((role) => !current.some((held) => held.id === role.id));
    const removed = current.filter((role) => !wanted.some((kept) => kept.id === role.id));
    // Changing a role assignment either way is granting (or taking) its permissions: the actor must hold them.
    assertMayGrant(permissions, [...added, ...removed].flatMap(await deps.tenantAccess.grantsIn(tenant.id)), 'grant or take away');
    if (removed.some((role) => role.builtin === 'owner')) await assertOwnerRemains(db, params.userId);
    if (added.length > 0 || removed.length > 0) {
      await setMembershipRoles(db, tenant.id, membership.id, body.roles);
      await audit({
        action: 'member.roles_changed',
        targetType: 'user',
        targetId: params.userId,
        data: { added: added.map((role) => role.name), removed: removed.map((role) => role.name) },
      });
      await revokeTokensBeyondGrants({ db, deps, tenantId: tenant.id, audit }, [params.userId]);
      db.afterCommit(() => deps.tenantAccess.forget(tenant.id, [params.userId]));
    }
    const member = await findMember(db, params.userId);
    if (!member) throw new NotFoundError('Member not found');
    return toJson(member);
  },
});

export const removeMember = defineRoute({
  method: 'DELETE',
  path: '/members/:userId',
  summary: 'Remove a member from the tenant (their API tokens here are revoked)',
  tag: 'members',
  permission: corePermissions['members.manage'],
  schema: { params: UserIdParams, response: NoContent },
  deps: { apiTokenAuth: kernelRefs.apiTokenAuth, jobs: kernelRefs.jobs, logger: kernelRefs.logger, tenantAccess: kernelRefs.tenantAccess },
  errors: [commonErrors.conflict],
  async handler({ params, db, deps, tenant, permissions, audit }) {
    const membership = await db.one<{ id: string }>("select id from memberships where user_id = $1 and kind = 'staff' for update", [params.userId]);
    if (!membership) throw new NotFoundError('Member not found');
    const roles = await rolesOfMembership(db, membership.id);
    // Removing someone takes away all they hold: only an actor who holds as much may do it (an admin cannot remove an owner).
    assertMayGrant(permissions, roles.flatMap(await deps.tenantAccess.grantsIn(tenant.id)), 'take away');
    if (roles.some((role) => role.builtin === 'owner')) await assertOwnerRemains(db, params.userId);
    await revokeTokensOfMember({ db, deps, tenantId: tenant.id, audit }, params.userId);
    await db.query('delete from memberships where id = $1', [membership.id]);
    await audit({ action: 'member.removed', targetType: 'user', targetId: params.userId, data: { roles: roles.map((role) => role.name) } });
    await emitEvent(db, deps, tenant.id, 'core.member.removed', { userId: params.userId }, 'core');
    db.afterCommit(() => deps.tenantAccess.forget(tenant.id, [params.userId]));
    return Reply.noContent();
  },
});

/** Routes for members and their roles. */
export const memberRoutes: CoreRoute[] = [listMembersRoute, getMember, updateMember, removeMember];
