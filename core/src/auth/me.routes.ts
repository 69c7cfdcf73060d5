import { commonErrors, FileRef, ForbiddenError, NotFoundError, toJson } from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import type { FileService } from '../files/file-service.js';
import type { Logger } from '../logger.js';
import { defineRoute, Reply } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { userFields, type UserRow } from './auth.routes.js';
import { attachProfileImage, avatarOwner, profileImageMaxBytes, profileImageTypes, publicFileUrl } from './profile-images.js';
import { Exact, NoContent, Nullable, User, Uuid } from '../http/response-schemas.js';
import { checkUserLocale, UserLocaleField } from './user-locale.js';

/** Where a user's avatar is stored: a file of the tenant it was uploaded in (none, or its tenant gone: no avatar). */
interface AvatarColumns {
  avatar_file_id: string | null;
  avatar_tenant_id: string | null;
}

/** The avatar's public URL, if the user has one. */
function avatarUrl(row: AvatarColumns): string | null {
  return row.avatar_file_id && row.avatar_tenant_id ? publicFileUrl(row.avatar_tenant_id, row.avatar_file_id) : null;
}

/**
 * Deletes a replaced or removed avatar's file: in the request's transaction when it is a file of the request's
 * tenant, otherwise once the request's transaction (`db`) commits, in a transaction of the file's own tenant (the
 * user may have uploaded it while working in another). A failure there is logged: the change stands.
 */
async function dropAvatarFile(files: FileService, logger: Logger, previous: AvatarColumns, request: { tenantId?: string; db: ScopedDb }): Promise<void> {
  const { avatar_file_id: fileId, avatar_tenant_id: tenantId } = previous;
  if (!fileId || !tenantId) return;
  if (request.tenantId === tenantId) {
    await files.delete({ tenantId, db: request.db, ownerPlugin: 'core' }, fileId);
    return;
  }
  request.db.afterCommit(() =>
    files
      .delete({ tenantId, ownerPlugin: 'core' }, fileId)
      .catch((error: unknown) => logger.warn({ err: error, tenantId, fileId }, 'could not delete a replaced avatar')),
  );
}

/** A user with their chosen language, as `/me` shows them. */
const MeUser = Exact({ ...User.properties, locale: UserLocaleField });

/** The signed-in user and their memberships. */
export const getMe = defineRoute({
  method: 'GET',
  path: '/me',
  summary: 'The signed-in user and the tenants they belong to',
  tag: 'auth',
  user: true,
  schema: {
    response: Exact({
      ...MeUser.properties,
      avatar_file_id: Nullable(Uuid),
      avatar_url: Nullable(Type.String({ description: 'The public URL of your avatar (`?variant=thumb` for a thumbnail once made)' })),
      memberships: Type.Array(
        Exact({
          tenant: Exact({ id: Uuid, slug: Type.String(), name: Type.String(), status: Type.String() }),
          roles: Type.Array(Type.String()),
          kind: Type.Union([Type.Literal('staff'), Type.Literal('customer')], { description: 'customer: a buyer or learner, not staff (no console)' }),
        }),
      ),
    }),
  },
  errors: [commonErrors.not_found],
  async handler({ db, principal }) {
    const row = await db.one<UserRow & AvatarColumns & { locale: string | null }>(
      `select ${userFields}, locale, avatar_file_id, avatar_tenant_id from users where id = $1`,
      [principal.userId],
    );
    if (!row) throw new NotFoundError('User not found');
    const { avatar_file_id, avatar_tenant_id, ...user } = row;
    const avatar = { avatar_file_id: avatar_tenant_id ? avatar_file_id : null, avatar_url: avatarUrl(row) };
    const rows = await db.query<{ id: string; slug: string; name: string; status: string; roles: string[]; kind: 'staff' | 'customer' }>(
      `select t.id, t.slug, t.name, t.status, m.kind, coalesce(array_agg(r.name order by r.name) filter (where r.name is not null), '{}') as roles
         from memberships m
         join tenants t on t.id = m.tenant_id
         left join membership_roles mr on mr.membership_id = m.id and mr.unit_id is null
         left join roles r on r.id = mr.role_id
        where m.user_id = $1
        group by t.id, m.kind order by t.name`,
      [principal.userId],
    );
    return { ...toJson(user), ...avatar, memberships: rows.map(({ roles, kind, ...tenant }) => ({ tenant, roles, kind })) };
  },
});

/** Profile changes a user may make; anything else (roles, permissions, tenant_id, is_super_admin) is refused with 422. */
export const patchMe = defineRoute({
  method: 'PATCH',
  path: '/me',
  summary: 'Change your name or your console language (locale; null follows the tenant and the browser)',
  tag: 'auth',
  user: true,
  schema: {
    body: Type.Object(
      { name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })), locale: Type.Optional(UserLocaleField) },
      { additionalProperties: false },
    ),
    response: MeUser,
  },
  errors: [],
  async handler({ db, principal, body }) {
    const locale = body.locale === undefined ? undefined : checkUserLocale(body.locale);
    const user = await returnedRow<UserRow & { locale: string | null }>(
      db,
      `update users set name = coalesce($2, name), locale = case when $3::boolean then $4 else locale end, updated_at = now()
        where id = $1 returning ${userFields}, locale`,
      [principal.userId, body.name?.trim() ?? null, locale !== undefined, locale ?? null],
    );
    return toJson(user);
  },
});

/** What the caller may do in the request's tenant: front ends hide what the API would refuse. */
export const getMyPermissions = defineRoute({
  method: 'GET',
  path: '/me/permissions',
  summary: "The caller's effective permissions in the tenant (roles' grants, wildcards as granted); customers too",
  tag: 'auth',
  member: 'any',
  // Read by the console before anything else: a tenant suspended by dunning still needs it to reach its billing page.
  billingExempt: true,
  schema: {
    response: Exact({
      roles: Type.Array(Type.String()),
      permissions: Type.Array(Type.String(), {
        description: 'Held for the whole tenant (in a read-only support session: the `view` permissions, the only ones it may use)',
      }),
      units: Type.Array(Exact({ unit_id: Uuid, permissions: Type.Array(Type.String()) }), {
        description: 'Held in one organisation unit each, and every unit below it',
      }),
    }),
  },
  deps: { tenantAccess: kernelRefs.tenantAccess },
  errors: [],
  async handler({ access, permissions, deps, tenant }) {
    if (access?.readOnly) {
      const viewing = (await deps.tenantAccess.catalogueFor(tenant.id)).filter((permission) => permission.name.endsWith('.view'));
      return { roles: access.roles, permissions: viewing.map((permission) => permission.name), units: [] };
    }
    const byUnit = new Map<string, Set<string>>();
    for (const grant of access?.unitGrants ?? []) {
      const held = byUnit.get(grant.unitId) ?? new Set<string>();
      for (const permission of grant.permissions) held.add(permission);
      byUnit.set(grant.unitId, held);
    }
    return {
      roles: access?.roles ?? [],
      permissions: [...permissions],
      units: [...byUnit].map(([unitId, held]) => ({ unit_id: unitId, permissions: [...held] })),
    };
  },
});

const Avatar = Exact({ file_id: Uuid, tenant_id: Uuid, url: Type.String({ description: 'Public: usable as <img src>' }) });

/**
 * Sets the caller's avatar: an image they uploaded through `POST /api/v1/files` (with `visibility=public`) in the
 * request's tenant. The file is attached to the user (it is no longer swept) and the previous avatar's deleted.
 */
export const putAvatar = defineRoute({
  method: 'PUT',
  path: '/me/avatar',
  summary: 'Set your avatar: a public image you uploaded through POST /api/v1/files in this tenant',
  tag: 'auth',
  member: true,
  schema: {
    body: Exact({ file_id: FileRef({ accept: profileImageTypes, maxBytes: profileImageMaxBytes, public: true }) }),
    response: Avatar,
  },
  deps: { files: kernelRefs.files, database: kernelRefs.database, logger: kernelRefs.logger },
  errors: [commonErrors.forbidden],
  async handler({ principal, tenant, db, deps, body, audit }) {
    if (principal.kind !== 'user') throw new ForbiddenError('API tokens have no avatar: sign in as the user');
    const { userId } = principal;
    const file = await attachProfileImage(
      deps.files,
      { tenantId: tenant.id, db },
      { field: 'file_id', fileId: body.file_id, ownerId: avatarOwner(userId), uploadedBy: userId },
    );
    // `users` is a host table the tenant role cannot write: the change commits on the system path.
    const previous = await runAsSystem(deps.database, async (system) => {
      const row = await system.one<AvatarColumns>('select avatar_file_id, avatar_tenant_id from users where id = $1 for update', [userId]);
      await system.query('update users set avatar_file_id = $2, avatar_tenant_id = $3, updated_at = now() where id = $1', [userId, file.id, tenant.id]);
      return row;
    });
    if (previous && previous.avatar_file_id !== file.id) await dropAvatarFile(deps.files, deps.logger, previous, { tenantId: tenant.id, db });
    await audit({ action: 'user.avatar_set', targetType: 'file', targetId: file.id, data: { user_id: userId } });
    return { file_id: file.id, tenant_id: tenant.id, url: publicFileUrl(tenant.id, file.id) };
  },
});

/** Removes the caller's avatar and deletes its file. */
export const deleteAvatar = defineRoute({
  method: 'DELETE',
  path: '/me/avatar',
  summary: 'Remove your avatar (its file is deleted)',
  tag: 'auth',
  user: true,
  schema: { response: NoContent },
  deps: { files: kernelRefs.files, logger: kernelRefs.logger },
  errors: [],
  async handler({ principal, db, deps }) {
    const previous = await db.one<AvatarColumns>('select avatar_file_id, avatar_tenant_id from users where id = $1 for update', [principal.userId]);
    await db.query('update users set avatar_file_id = null, avatar_tenant_id = null, updated_at = now() where id = $1', [principal.userId]);
    if (previous) await dropAvatarFile(deps.files, deps.logger, previous, { db });
    return Reply.noContent();
  },
});

export const meRoutes = [getMe, patchMe, getMyPermissions, putAvatar, deleteAvatar];
