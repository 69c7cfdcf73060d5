import { ConflictError, likePattern, listPage, type ListPage, type PageQuery, ValidationError } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';

/** A member as the API shows it, `joined_at` as the database returns it (a Date: `toJson` before answering). */
export interface MemberView {
  user_id: string;
  email: string;
  name: string;
  roles: { id: string; name: string }[];
  unit_roles: { id: string; role: { id: string; name: string }; unit: { id: string; name: string } }[];
  joined_at: Date;
}

/** A role row as the grant checks need it. */
export interface RoleRow {
  id: string;
  name: string;
  builtin: string | null;
  permissions: string[];
}

const memberColumns = `tu.user_id, tu.email, tu.name, tu.joined_at,
  coalesce((select json_agg(json_build_object('id', r.id, 'name', r.name) order by r.name)
              from membership_roles mr join roles r on r.id = mr.role_id
             where mr.membership_id = tu.membership_id and mr.unit_id is null), '[]'::json) as roles,
  coalesce((select json_agg(json_build_object('id', mr.id, 'role', json_build_object('id', r.id, 'name', r.name),
                                              'unit', json_build_object('id', u.id, 'name', u.name)) order by u.name, r.name)
              from membership_roles mr join roles r on r.id = mr.role_id join org_units u on u.id = mr.unit_id
             where mr.membership_id = tu.membership_id), '[]'::json) as unit_roles`;

/** A page of the tenant's members, oldest first, optionally filtered by a name or email fragment. */
export async function listMembers(db: ScopedDb, query: PageQuery & { q?: string | undefined }): Promise<ListPage<MemberView>> {
  return listPage<MemberView>(
    db,
    {
      select: memberColumns,
      from: 'tenant_users tu',
      where: '$1::text is null or tu.name ilike $1 or tu.email ilike $1',
      orderBy: 'tu.joined_at, tu.user_id',
      values: [query.q ? likePattern(query.q) : null],
    },
    query,
  );
}

/** One member of the tenant, or undefined (another tenant's users are invisible here). */
export async function findMember(db: ScopedDb, userId: string): Promise<MemberView | undefined> {
  return db.one<MemberView>(`select ${memberColumns} from tenant_users tu where tu.user_id = $1`, [userId]);
}

/** The roles a membership holds for the whole tenant; with `inUnits`, its roles in units too. */
export async function rolesOfMembership(db: ScopedDb, membershipId: string, inUnits = false): Promise<RoleRow[]> {
  return db.query<RoleRow>(
    `select r.id, r.name, r.builtin, r.permissions from membership_roles mr join roles r on r.id = mr.role_id
      where mr.membership_id = $1 and ($2 or mr.unit_id is null)`,
    [membershipId, inUnits],
  );
}

/** The tenant's roles with these ids; 422 on `field` when any is unknown (another tenant's roles are unknown here). */
export async function rolesByIds(db: ScopedDb, ids: readonly string[], field = 'roles'): Promise<RoleRow[]> {
  const roles = await db.query<RoleRow>('select id, name, builtin, permissions from roles where id = any($1::uuid[])', [ids]);
  if (roles.length !== new Set(ids).size) throw new ValidationError({ [field]: ['names a role that does not exist'] });
  return roles;
}

/**
 * 422 on `field` when staff would be given the built-in `customer` role: it belongs to customer memberships
 * only (ADR 0007), and customers come from `coreServices.customers.ensure`, never from roles or invitations.
 */
export function assertStaffRoles(roles: readonly RoleRow[], field = 'roles'): void {
  if (roles.some((role) => role.builtin === 'customer')) {
    throw new ValidationError({ [field]: ['the customer role is held by customers only; staff cannot be given it'] });
  }
}

/** Replaces the roles a membership holds for the whole tenant (its roles in units stay). */
export async function setMembershipRoles(db: ScopedDb, tenantId: string, membershipId: string, roleIds: readonly string[]): Promise<void> {
  await db.query('delete from membership_roles where membership_id = $1 and unit_id is null and role_id <> all($2::uuid[])', [membershipId, roleIds]);
  await db.query(
    `insert into membership_roles (tenant_id, membership_id, role_id) select $1, $2, id from unnest($3::uuid[]) as id
     on conflict (tenant_id, membership_id, role_id, unit_id) do nothing`,
    [tenantId, membershipId, roleIds],
  );
}

/**
 * 409 when a change would leave the tenant without an owner: `userId` loses
 * (or gives up) the owner role and nobody else holds it. Locks the owner role
 * first, so two owners demoting each other at once cannot both succeed.
 */
export async function assertOwnerRemains(db: ScopedDb, userId: string): Promise<void> {
  const owner = await db.one<{ id: string }>("select id from roles where builtin = 'owner' for update");
  if (!owner) return;
  const others = await db.one<{ count: number }>(
    `select count(*)::int as count from membership_roles mr join memberships m on m.id = mr.membership_id
      where mr.role_id = $1 and m.user_id <> $2`,
    [owner.id, userId],
  );
  if (others!.count === 0) throw new ConflictError('The last owner cannot be removed or demoted; make someone else an owner first');
}
