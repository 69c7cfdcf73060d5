import { commonErrors, NotFoundError, toJson } from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../http/route.js';
import { userFields, type UserRow } from './auth.routes.js';
import { Exact, User, Uuid } from '../http/response-schemas.js';

/** The signed-in user and their memberships. */
export const getMe = defineRoute({
  method: 'GET',
  path: '/me',
  summary: 'The signed-in user and the tenants they belong to',
  tag: 'auth',
  user: true,
  schema: {
    response: Exact({
      ...User.properties,
      memberships: Type.Array(
        Exact({ tenant: Exact({ id: Uuid, slug: Type.String(), name: Type.String(), status: Type.String() }), roles: Type.Array(Type.String()) }),
      ),
    }),
  },
  errors: [commonErrors.not_found],
  async handler({ db, principal }) {
    const user = await db.one<UserRow>(`select ${userFields} from users where id = $1`, [principal.userId]);
    if (!user) throw new NotFoundError('User not found');
    const rows = await db.query<{ id: string; slug: string; name: string; status: string; roles: string[] }>(
      `select t.id, t.slug, t.name, t.status, coalesce(array_agg(r.name order by r.name) filter (where r.name is not null), '{}') as roles
         from memberships m
         join tenants t on t.id = m.tenant_id
         left join membership_roles mr on mr.membership_id = m.id
         left join roles r on r.id = mr.role_id
        where m.user_id = $1
        group by t.id order by t.name`,
      [principal.userId],
    );
    return { ...toJson(user), memberships: rows.map(({ roles, ...tenant }) => ({ tenant, roles })) };
  },
});

/** Profile changes a user may make; anything else (roles, permissions, tenant_id, is_super_admin) is refused with 422. */
export const patchMe = defineRoute({
  method: 'PATCH',
  path: '/me',
  summary: 'Change your name',
  tag: 'auth',
  user: true,
  schema: { body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })) }, { additionalProperties: false }), response: User },
  errors: [],
  async handler({ db, principal, body }) {
    const user = await returnedRow<UserRow>(db, `update users set name = coalesce($2, name), updated_at = now() where id = $1 returning ${userFields}`, [
      principal.userId,
      body.name?.trim() ?? null,
    ]);
    return toJson(user);
  },
});

/** What the caller may do in the request's tenant: front ends hide what the API would refuse. */
export const getMyPermissions = defineRoute({
  method: 'GET',
  path: '/me/permissions',
  summary: "The caller's effective permissions in the tenant (roles' grants, wildcards as granted)",
  tag: 'auth',
  member: true,
  schema: { response: Exact({ roles: Type.Array(Type.String()), permissions: Type.Array(Type.String()) }) },
  errors: [],
  async handler({ access, permissions }) {
    return { roles: access?.roles ?? [], permissions: [...permissions] };
  },
});

export const meRoutes = [getMe, patchMe, getMyPermissions];
