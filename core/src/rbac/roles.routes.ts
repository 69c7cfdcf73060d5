import { listPage, commonErrors, ConflictError, isUniqueViolation, NotFoundError, PageQuery, paginate } from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { revokeTokensBeyondGrants } from '../auth/api-token-revocation.js';
import type { AuditEntry } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { corePermissions } from './permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { assertMayGrant, checkPermissionList, PermissionList } from './grants.js';
import { holdersOf, lockRole, roleColumns, roleOrder, roleSelect, roleView, type RoleRecord } from './role-queries.js';
import { Exact, NoContent, Nullable, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';

const RoleName = Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' });
const Description = Type.String({ maxLength: 500 });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A role as the API shows it: `permissions` are the effective ones (built-in roles follow the live catalogue). */
const Role = Exact({
  id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  builtin: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  member_count: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const nameTaken = () => new ConflictError('A role with this name exists', { errors: { name: ['is taken'] } });

/** The role, or 404; 409 for a built-in role, which cannot be changed. */
async function customRole(db: ScopedDb, id: string): Promise<RoleRecord> {
  const role = await lockRole(db, id);
  if (!role) throw new NotFoundError('Role not found');
  if (role.builtin) throw new ConflictError(`The built-in role "${role.name}" cannot be changed or deleted`);
  return role;
}

/** After a role's permissions change: its holders' API tokens stay within their grants, and their cached access is dropped. */
async function afterGrantsChanged(
  {
    db,
    deps,
    tenant,
    audit,
  }: { db: ScopedDb; deps: Pick<KernelServices, 'apiTokenAuth' | 'tenantAccess'>; tenant: Tenant; audit(entry: AuditEntry): Promise<void> },
  holders: string[],
): Promise<void> {
  await revokeTokensBeyondGrants({ db, deps, tenantId: tenant.id, audit }, holders);
  db.afterCommit(() => deps.tenantAccess.forget(tenant.id, holders));
}

export const listRoles = defineRoute({
  method: 'GET',
  path: '/roles',
  summary: 'Built-in and custom roles with their effective permissions',
  tag: 'roles',
  permission: corePermissions['roles.view'],
  schema: { query: PageQuery, response: Type.Array(Role) },
  deps: { tenantAccess: kernelRefs.tenantAccess },
  errors: [],
  async handler({ query, db, deps, tenant }) {
    const { items, total } = await listPage<RoleRecord>(db, { select: roleColumns, from: 'roles r', orderBy: roleOrder }, query);
    const grantsOf = await deps.tenantAccess.grantsIn(tenant.id);
    return Reply.list(
      items.map((row) => roleView(grantsOf, row)),
      paginate(query, total),
    );
  },
});

export const getRole = defineRoute({
  method: 'GET',
  path: '/roles/:id',
  summary: 'One role with its effective permissions',
  tag: 'roles',
  permission: corePermissions['roles.view'],
  schema: { params: IdParams, response: Role },
  deps: { tenantAccess: kernelRefs.tenantAccess },
  errors: [],
  async handler({ params, db, deps, tenant }) {
    const role = await db.one<RoleRecord>(`${roleSelect} where r.id = $1`, [params.id]);
    if (!role) throw new NotFoundError('Role not found');
    return roleView(await deps.tenantAccess.grantsIn(tenant.id), role);
  },
});

export const createRole = defineRoute({
  method: 'POST',
  path: '/roles',
  summary: 'Create a custom role',
  tag: 'roles',
  permission: corePermissions['roles.manage'],
  schema: {
    body: Type.Object(
      { name: RoleName, permissions: PermissionList({ minItems: 0 }), description: Type.Optional(Description) },
      { additionalProperties: false },
    ),
    response: withStatus(Role, 201),
  },
  deps: { permissionCatalogue: kernelRefs.permissionCatalogue, tenantAccess: kernelRefs.tenantAccess },
  errors: [commonErrors.conflict],
  async handler({ body, db, deps, tenant, permissions, audit }) {
    checkPermissionList(body.permissions, deps.permissionCatalogue());
    assertMayGrant(permissions, body.permissions);
    const created = await db.one<{ id: string }>(
      'insert into roles (tenant_id, name, permissions, description) values ($1, $2, $3, $4) on conflict do nothing returning id',
      [tenant.id, body.name.trim(), body.permissions, body.description ?? null],
    );
    if (!created) throw nameTaken();
    await audit({ action: 'role.created', targetType: 'role', targetId: created.id, data: { name: body.name.trim(), permissions: body.permissions } });
    const role = await returnedRow<RoleRecord>(db, `${roleSelect} where r.id = $1`, [created.id]);
    return Reply.created(roleView(await deps.tenantAccess.grantsIn(tenant.id), role));
  },
});

export const updateRole = defineRoute({
  method: 'PATCH',
  path: '/roles/:id',
  summary: 'Rename a custom role or change its permissions',
  tag: 'roles',
  permission: corePermissions['roles.manage'],
  schema: {
    params: IdParams,
    body: Type.Object(
      {
        name: Type.Optional(RoleName),
        permissions: Type.Optional(PermissionList({ minItems: 0 })),
        description: Type.Optional(Type.Union([Description, Type.Null()])),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: Role,
  },
  deps: { apiTokenAuth: kernelRefs.apiTokenAuth, permissionCatalogue: kernelRefs.permissionCatalogue, tenantAccess: kernelRefs.tenantAccess },
  errors: [commonErrors.conflict],
  async handler(input) {
    const { params, body, db, deps, permissions, audit, tenant } = input;
    const role = await customRole(db, params.id);
    if (body.permissions) checkPermissionList(body.permissions, deps.permissionCatalogue());
    // Editing a role changes what its holders may do: the actor must hold what it grants now and what it would grant.
    assertMayGrant(permissions, [...role.permissions, ...(body.permissions ?? [])], 'grant or take away');
    const name = body.name?.trim();
    if (name && (await db.one('select 1 from roles where lower(name) = lower($1) and id <> $2', [name, role.id]))) throw nameTaken();
    await db
      .query(
        `update roles set name = coalesce($2, name), permissions = coalesce($3, permissions),
                description = case when $4::boolean then $5 else description end, updated_at = now()
          where id = $1`,
        [role.id, name ?? null, body.permissions ?? null, body.description !== undefined, body.description ?? null],
      )
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? nameTaken() : error;
      });
    await audit({
      action: 'role.updated',
      targetType: 'role',
      targetId: role.id,
      data: { name: name ?? role.name, changes: Object.keys(body), permissions: body.permissions },
    });
    if (body.permissions) await afterGrantsChanged(input, await holdersOf(db, role.id));
    const updated = await returnedRow<RoleRecord>(db, `${roleSelect} where r.id = $1`, [role.id]);
    return roleView(await deps.tenantAccess.grantsIn(tenant.id), updated);
  },
});

export const deleteRole = defineRoute({
  method: 'DELETE',
  path: '/roles/:id',
  summary: 'Delete a custom role; members holding it lose it',
  tag: 'roles',
  permission: corePermissions['roles.manage'],
  schema: { params: IdParams, response: NoContent },
  deps: { apiTokenAuth: kernelRefs.apiTokenAuth, tenantAccess: kernelRefs.tenantAccess },
  errors: [commonErrors.conflict],
  async handler(input) {
    const { params, db, permissions, audit } = input;
    const role = await customRole(db, params.id);
    assertMayGrant(permissions, role.permissions, 'take away');
    const holders = await holdersOf(db, role.id);
    await db.query('delete from roles where id = $1', [role.id]);
    await db.query('update invitations set role_ids = array_remove(role_ids, $1::uuid), updated_at = now() where $1::uuid = any(role_ids)', [role.id]);
    await audit({ action: 'role.deleted', targetType: 'role', targetId: role.id, data: { name: role.name, members: holders.length } });
    await afterGrantsChanged(input, holders);
    return Reply.noContent();
  },
});

export const listPermissions = defineRoute({
  method: 'GET',
  path: '/permissions',
  summary: "The permission catalogue: core's and every plugin's permissions",
  tag: 'roles',
  permission: corePermissions['roles.view'],
  deps: { tenantAccess: kernelRefs.tenantAccess },
  schema: {
    response: Type.Array(
      Exact({
        name: Type.String(),
        description: Type.String(),
        grant_to: Type.Array(Type.String(), { description: 'Built-in roles that hold it by default' }),
        units: Type.Boolean({ description: 'Whether a role held in an organisation unit grants it (in that unit and below)' }),
      }),
    ),
  },
  errors: [],
  async handler({ deps, tenant }) {
    return (await deps.tenantAccess.catalogueFor(tenant.id)).map((permission) => ({
      name: permission.name,
      description: permission.description,
      grant_to: [...permission.grantTo],
      units: permission.units === true,
    }));
  },
});

/** Routes for roles and the permission catalogue. */
export const roleRoutes: CoreRoute[] = [listRoles, getRole, createRole, updateRole, deleteRole, listPermissions];
