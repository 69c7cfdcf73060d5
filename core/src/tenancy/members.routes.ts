import { emitEvent } from '../events/outbox.js';
import { commonErrors, ConflictError, ForbiddenError, NotFoundError, PageQuery, paginate, toJson, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { revokeTokensBeyondGrants, revokeTokensOfMember } from '../auth/api-token-revocation.js';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { assertMayGrant } from '../rbac/grants.js';
import {
  assertOwnerRemains,
  assertStaffRoles,
  findMember,
  listMembers,
  rolesByIds,
  rolesOfMembership,
  setMembershipRoles,
  type RoleRow,
} from './member-queries.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import { permissionsAt, type Reach, type UnitTree } from '../units/unit-tree.js';
import { Exact, NoContent, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';

/** A member as the API shows it. */
export const Member = Exact({
  user_id: Uuid,
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Exact({ id: Uuid, name: Type.String() }), { description: 'Roles held for the whole tenant' }),
  unit_roles: Type.Array(Exact({ id: Uuid, role: Exact({ id: Uuid, name: Type.String() }), unit: Exact({ id: Uuid, name: Type.String() }) }), {
    description: 'Roles held in one organisation unit each (that unit and every unit below it)',
  }),
  joined_at: Timestamp,
});

const UserIdParams = Type.Object({ userId: Type.String({ format: 'uuid' }) });

/**
 * Role ids to give a member (or an invitee) for the whole tenant: the full set, replacing what they had. It may be
 * empty for someone who will hold roles in organisation units only (`POST /members/:userId/unit-roles`).
 */
export const RoleIds = Type.Array(Type.String({ format: 'uuid' }), { minItems: 0, maxItems: 20, uniqueItems: true });

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
    const roles = await rolesOfMembership(db, membership.id, true);
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

const UnitRoleParams = Type.Object({ userId: Type.String({ format: 'uuid' }), id: Type.String({ format: 'uuid' }) });

/**
 * What the actor may do about a role in `unitId`: reach the unit for `units.manage`, and hold everything the role
 * grants there (tenant-wide or in a unit above): nobody gives a scope wider than their own.
 */
async function assertMayAssignInUnit(
  input: { units: Reach; access: TenantAccess | undefined; permissions: readonly string[]; unitTree: UnitTree | undefined },
  grants: readonly string[],
  unitId: string,
  verb: string,
): Promise<void> {
  if (!input.units.whole && !input.units.set.has(unitId)) throw new ForbiddenError('You may only give roles in units you manage');
  assertMayGrant(permissionsAt(input.access, input.permissions, input.unitTree, unitId), grants, verb);
}

export const addUnitRole = defineRoute({
  method: 'POST',
  path: '/members/:userId/unit-roles',
  summary: 'Give a member a role in one organisation unit (it applies to that unit and every unit below it)',
  tag: 'members',
  permission: corePermissions['units.manage'],
  schema: {
    params: UserIdParams,
    body: Type.Object(
      {
        role_id: Type.String({ format: 'uuid', title: 'Role', 'x-plinth-ref': { resource: '/roles' } }),
        unit_id: Type.String({ format: 'uuid', title: 'Unit', 'x-plinth-ref': { resource: '/units', label: 'label' } }),
      },
      { additionalProperties: false },
    ),
    response: withStatus(Member, 201),
  },
  deps: { tenantAccess: kernelRefs.tenantAccess, orgUnits: kernelRefs.orgUnits },
  errors: [commonErrors.conflict],
  async handler(input) {
    const { params, body, db, deps, tenant, audit } = input;
    const membership = await db.one<{ id: string; kind: string }>('select id, kind from memberships where user_id = $1 for update', [params.userId]);
    if (!membership) throw new NotFoundError('Member not found');
    if (membership.kind === 'customer') throw new ConflictError('This user is a customer of the tenant; invite them to make them staff first');
    const [role] = await rolesByIds(db, [body.role_id], 'role_id');
    assertStaffRoles([role!], 'role_id');
    if (role!.builtin === 'owner') throw new ValidationError({ role_id: ['the owner role applies to the whole tenant; it cannot be given in a unit'] });
    const unit = (await deps.orgUnits.treeOf(tenant.id)).byId.get(body.unit_id);
    if (!unit) throw new ValidationError({ unit_id: ['refers to a unit that does not exist'] });
    await assertMayAssignInUnit(input, (await deps.tenantAccess.unitGrantsIn(tenant.id))(role!), body.unit_id, 'grant');
    const added = await db.one<{ id: string }>(
      `insert into membership_roles (tenant_id, membership_id, role_id, unit_id) values ($1, $2, $3, $4)
       on conflict (tenant_id, membership_id, role_id, unit_id) do nothing returning id`,
      [tenant.id, membership.id, role!.id, body.unit_id],
    );
    if (!added) throw new ConflictError('The member already holds this role in this unit');
    await audit({
      action: 'member.unit_role_added',
      targetType: 'user',
      targetId: params.userId,
      data: { role: role!.name, unit_id: body.unit_id, unit: unit.name },
    });
    db.afterCommit(() => deps.tenantAccess.forget(tenant.id, [params.userId]));
    const member = await findMember(db, params.userId);
    return Reply.created(toJson(member!));
  },
});

export const removeUnitRole = defineRoute({
  method: 'DELETE',
  path: '/members/:userId/unit-roles/:id',
  summary: 'Take a role in a unit away from a member',
  tag: 'members',
  permission: corePermissions['units.manage'],
  schema: { params: UnitRoleParams, response: NoContent },
  deps: { tenantAccess: kernelRefs.tenantAccess },
  errors: [],
  async handler(input) {
    const { params, db, deps, tenant, audit } = input;
    const assignment = await db.one<RoleRow & { unit_id: string; assignment_id: string }>(
      `select mr.id as assignment_id, mr.unit_id, r.id, r.name, r.builtin, r.permissions
         from membership_roles mr join memberships m on m.id = mr.membership_id join roles r on r.id = mr.role_id
        where mr.id = $1 and m.user_id = $2 and mr.unit_id is not null for update of mr`,
      [params.id, params.userId],
    );
    if (!assignment) throw new NotFoundError('This member holds no such role in a unit');
    await assertMayAssignInUnit(input, (await deps.tenantAccess.unitGrantsIn(tenant.id))(assignment), assignment.unit_id, 'take away');
    await db.query('delete from membership_roles where id = $1', [params.id]);
    await audit({
      action: 'member.unit_role_removed',
      targetType: 'user',
      targetId: params.userId,
      data: { role: assignment.name, unit_id: assignment.unit_id },
    });
    db.afterCommit(() => deps.tenantAccess.forget(tenant.id, [params.userId]));
    return Reply.noContent();
  },
});

/** Routes for members and their roles. */
export const memberRoutes: CoreRoute[] = [listMembersRoute, getMember, updateMember, removeMember, addUnitRole, removeUnitRole];
