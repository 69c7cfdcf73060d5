import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { runInTenant } from '../db/scoped-db.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';
import { builtinGrants, builtinRoles, holds, type BuiltinRole, type PermissionDefinition } from './permissions.js';

/** A user's standing in one tenant. */
export interface TenantAccess {
  membershipId: string;
  /**
   * `staff`, or `customer` (holds only the `customer` role; refused on staff-only `member` routes), or `support`: a
   * host operator in an approved support session (core/src/support), no membership.
   */
  kind: 'staff' | 'customer' | 'support';
  /** The roles held for the whole tenant. */
  roles: string[];
  /** Effective permission patterns for the whole tenant: the union of the roles held tenant-wide. */
  permissions: string[];
  /**
   * Roles held in one organisation unit each: their permissions apply to that unit and every unit below it
   * (`core/src/units/unit-tree.ts` turns them into the units a request reaches).
   */
  unitGrants: UnitGrant[];
  /** A read-only support session: any permission, for reading (GET, HEAD) only. */
  readOnly?: true;
}

/** A role held in one organisation unit. */
export interface UnitGrant {
  /** The assignment (`membership_roles.id`). */
  id: string;
  unitId: string;
  roleId: string;
  roleName: string;
  permissions: string[];
}

export interface TenantAccessService {
  /**
   * The member's access, or undefined when the user is not a member. Cached (a hit comes without a promise); see
   * {@link forget}. `plugins`: the tenant's plugin state when the caller already holds it (a request reads it once).
   */
  of(tenantId: string, userId: string, plugins?: TenantPluginsSeen): MaybePromise<TenantAccess | undefined>;
  /** Drop cached access after a membership or role change. */
  forget(tenantId: string, userIds: readonly string[]): Promise<void>;
  /**
   * What a role row grants: built-in roles follow the live catalogue (core's
   * permissions, plus those of the plugins in `enabledPlugins` when given),
   * custom roles their stored list.
   */
  grantsOf(role: { builtin: string | null; permissions: string[] }, enabledPlugins?: ReadonlySet<string>): string[];
  /** {@link grantsOf} for the plugins `tenantId` has enabled: what a role grants there right now. */
  grantsIn(tenantId: string): Promise<(role: { builtin: string | null; permissions: string[] }) => string[]>;
  /** What a role grants when held in an organisation unit of `tenantId`: the permissions declared `units: true` it covers. */
  unitGrantsIn(tenantId: string): Promise<(role: { builtin: string | null; permissions: string[] }) => string[]>;
  /** Core's permissions and those of the plugins `tenantId` has enabled. */
  catalogueFor(tenantId: string): Promise<PermissionDefinition[]>;
}

/** What access depends on of a tenant's plugin state (`TenantPluginState`): which are enabled, and its version. */
export interface TenantPluginsSeen {
  version: number;
  settings: Record<string, unknown>;
}

export function createTenantAccess(
  database: Database,
  cache: Cache,
  catalogue: () => readonly PermissionDefinition[],
  pluginsOf: (tenantId: string) => MaybePromise<TenantPluginsSeen>,
): TenantAccessService {
  const grantsOf = (role: { builtin: string | null; permissions: string[] }, enabledPlugins?: ReadonlySet<string>) => {
    if (!role.builtin || !(builtinRoles as readonly string[]).includes(role.builtin)) return role.permissions;
    const permissions = enabledPlugins
      ? catalogue().filter((permission) => permission.name.startsWith('core.') || enabledPlugins.has(permission.name.split('.')[0]!))
      : catalogue();
    return builtinGrants(role.builtin as BuiltinRole, permissions);
  };
  /** What a role held in a unit grants: the permissions it covers that may be held in units (`units: true`), by name. */
  const inUnits = (granted: readonly string[], enabledPlugins: ReadonlySet<string>) =>
    catalogue()
      .filter((permission) => permission.units && (permission.name.startsWith('core.') || enabledPlugins.has(permission.name.split('.')[0]!)))
      .filter((permission) => holds(granted, permission.name))
      .map((permission) => permission.name);
  const enabledIn = async (tenantId: string) => new Set(Object.keys((await pluginsOf(tenantId)).settings));
  return {
    grantsOf,
    async grantsIn(tenantId) {
      const enabled = await enabledIn(tenantId);
      return (role) => grantsOf(role, enabled);
    },
    async unitGrantsIn(tenantId) {
      const enabled = await enabledIn(tenantId);
      return (role) => inUnits(grantsOf(role, enabled), enabled);
    },
    async catalogueFor(tenantId) {
      const enabled = await enabledIn(tenantId);
      return catalogue().filter((permission) => permission.name.startsWith('core.') || enabled.has(permission.name.split('.')[0]!));
    },
    // Keyed by the tenant's plugin state: enabling a plugin changes what built-in roles hold, on the next request.
    of: (tenantId, userId, known) => {
      if (known) return accessOf(tenantId, userId, known);
      const plugins = pluginsOf(tenantId);
      return andThen(plugins, (state) => accessOf(tenantId, userId, state));
    },
    forget: async (tenantId, userIds) => {
      const { version } = await pluginsOf(tenantId);
      await Promise.all(userIds.map((userId) => cache.delete(`access:${tenantId}:${userId}:${version}`)));
    },
  };

  function accessOf(tenantId: string, userId: string, plugins: TenantPluginsSeen): MaybePromise<TenantAccess | undefined> {
    const key = `access:${tenantId}:${userId}:${plugins.version}`;
    return (
      cache.peek<TenantAccess>(key) ??
      cache.getOrLoad(key, 60_000, () =>
        runInTenant(database, tenantId, async (db) => {
          const enabled = new Set(Object.keys(plugins.settings));
          const rows = await db.query<{
            membership_id: string;
            kind: TenantAccess['kind'];
            assignment_id: string | null;
            unit_id: string | null;
            role_id: string | null;
            name: string | null;
            builtin: string | null;
            permissions: string[] | null;
          }>(
            `select m.id as membership_id, m.kind, mr.id as assignment_id, mr.unit_id, r.id as role_id, r.name, r.builtin, r.permissions
               from memberships m
               left join membership_roles mr on mr.membership_id = m.id
               left join roles r on r.id = mr.role_id
              where m.user_id = $1`,
            [userId],
          );
          if (rows.length === 0) return undefined;
          const permissions = new Set<string>();
          const roles: string[] = [];
          const unitGrants: UnitGrant[] = [];
          for (const row of rows) {
            if (row.name === null) continue;
            const granted = grantsOf({ builtin: row.builtin, permissions: row.permissions ?? [] }, enabled);
            if (row.unit_id !== null) {
              unitGrants.push({
                id: row.assignment_id!,
                unitId: row.unit_id,
                roleId: row.role_id!,
                roleName: row.name,
                permissions: inUnits(granted, enabled),
              });
              continue;
            }
            roles.push(row.name);
            for (const permission of granted) permissions.add(permission);
          }
          return { membershipId: rows[0]!.membership_id, kind: rows[0]!.kind, roles, permissions: [...permissions], unitGrants };
        }),
      )
    );
  }
}
