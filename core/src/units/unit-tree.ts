import type { UnitReach } from '@plinth/sdk';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { runAsSystem, runInTenant, unitScopeOf, type UnitScope } from '../db/scoped-db.js';
import { holds } from '../rbac/permissions.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import type { MaybePromise } from '../util/maybe-promise.js';

/** A unit as the tree keeps it. */
export interface UnitRow {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
}

/** The units a request reaches ({@link UnitReach}), with the session scope that gives them to Row Level Security. */
export interface Reach extends UnitReach {
  /** Absent when `whole`. */
  scope?: UnitScope;
  /** `ids` as a set, for membership tests. */
  set: ReadonlySet<string>;
}

/** The whole tenant: every unit, and the rows of none. */
export const wholeTenant: Reach = Object.freeze({ whole: true, ids: Object.freeze([]) as readonly string[], set: new Set<string>() });

/** A tenant's units as a tree, built once per loaded list of rows. */
export class UnitTree {
  readonly byId = new Map<string, UnitRow>();
  private readonly childrenOf = new Map<string | null, string[]>();
  /** Reaches computed on this tree, per access object and permission (both are replaced when they change). */
  readonly reaches = new WeakMap<TenantAccess, Map<string, Reach>>();

  constructor(readonly rows: readonly UnitRow[]) {
    for (const row of rows) {
      this.byId.set(row.id, row);
      const siblings = this.childrenOf.get(row.parent_id) ?? [];
      siblings.push(row.id);
      this.childrenOf.set(row.parent_id, siblings);
    }
  }

  children(id: string | null): readonly string[] {
    return this.childrenOf.get(id) ?? [];
  }

  /** The unit and every unit below it; empty for an unknown id. */
  subtree(id: string): string[] {
    if (!this.byId.has(id)) return [];
    const out: string[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const next = stack.pop()!;
      out.push(next);
      stack.push(...this.children(next));
    }
    return out;
  }

  /** The unit and the units above it, nearest first. */
  ancestorsOrSelf(id: string): string[] {
    const out: string[] = [];
    for (let unit = this.byId.get(id); unit && !out.includes(unit.id); unit = unit.parent_id ? this.byId.get(unit.parent_id) : undefined) {
      out.push(unit.id);
    }
    return out;
  }

  /** Names from the top down to the unit. */
  path(id: string): string[] {
    return this.ancestorsOrSelf(id)
      .reverse()
      .map((unit) => this.byId.get(unit)!.name);
  }

  /** Parents before children, siblings by name. */
  ordered(): UnitRow[] {
    const out: UnitRow[] = [];
    const visit = (parent: string | null) => {
      const ids = [...this.children(parent)].sort((a, b) => this.byId.get(a)!.name.localeCompare(this.byId.get(b)!.name));
      for (const id of ids) {
        out.push(this.byId.get(id)!);
        visit(id);
      }
    };
    visit(null);
    return out;
  }
}

/** What a member holds in `unitId`: tenant-wide grants and those of roles in that unit or a unit above it. */
export function permissionsAt(access: TenantAccess | undefined, tenantWide: readonly string[], tree: UnitTree | undefined, unitId: string): string[] {
  const grants = access?.unitGrants ?? [];
  if (grants.length === 0 || !tree) return [...tenantWide];
  const above = new Set(tree.ancestorsOrSelf(unitId));
  return [...tenantWide, ...grants.filter((grant) => above.has(grant.unitId)).flatMap((grant) => grant.permissions)];
}

/** Whether a permission is held in `unitId` (see {@link permissionsAt}). */
export function holdsAt(access: TenantAccess | undefined, tenantWide: readonly string[], tree: UnitTree | undefined, unitId: string, permission: string) {
  return holds(permissionsAt(access, tenantWide, tree, unitId), permission);
}

/** Whether `access` holds `permission` in at least one unit. */
export function holdsInSomeUnit(access: TenantAccess | undefined, permission: string): boolean {
  return (access?.unitGrants ?? []).some((grant) => holds(grant.permissions, permission));
}

/**
 * The units `access` reaches for `permission` through its unit roles: each unit it holds the permission in, and
 * everything below. Computed once per tree, access and permission.
 */
export function unitReach(tree: UnitTree, access: TenantAccess, permission: string): Reach {
  let byPermission = tree.reaches.get(access);
  if (!byPermission) tree.reaches.set(access, (byPermission = new Map()));
  const known = byPermission.get(permission);
  if (known) return known;
  const set = new Set<string>();
  for (const grant of access.unitGrants) if (holds(grant.permissions, permission)) for (const id of tree.subtree(grant.unitId)) set.add(id);
  const ids = [...set].sort();
  const reach: Reach = { whole: false, ids, set, scope: unitScopeOf(ids) };
  byPermission.set(permission, reach);
  return reach;
}

/** The tenant's unit trees, cached and dropped when a unit changes. */
export interface OrgUnitsService {
  /** The tenant's tree (a hit comes without a promise). */
  treeOf(tenantId: string): MaybePromise<UnitTree>;
  /** Drops the cached tree (call after the change commits). */
  forget(tenantId: string): Promise<void>;
  /**
   * Makes sure `org_unit_scopes` holds the scope's units before a transaction uses it: written once per process and
   * scope every few minutes (which keeps it from being swept), on the system path; without a promise when done
   * recently. Scopes nobody used for a day are deleted when the tenant's next new scope is written.
   */
  ensure(tenantId: string, scope: UnitScope): MaybePromise<void>;
}

/** How long a process trusts a scope it wrote; the sweep removes scopes unseen for far longer. */
const scopeRefreshMs = 10 * 60_000;

export function createOrgUnits(database: Database, cache: Cache): OrgUnitsService {
  // One tree per loaded list: the in-memory cache and the near cache hand back the same array while it lives.
  const trees = new WeakMap<readonly UnitRow[], UnitTree>();
  const treeFor = (rows: readonly UnitRow[]) => {
    let tree = trees.get(rows);
    if (!tree) trees.set(rows, (tree = new UnitTree(rows)));
    return tree;
  };
  const key = (tenantId: string) => `units:${tenantId}`;
  const written = new Map<string, number>();
  return {
    ensure(tenantId, scope) {
      const key = `${tenantId}:${scope.key}`;
      const at = written.get(key);
      if (at !== undefined && Date.now() - at < scopeRefreshMs) return undefined;
      return runAsSystem(database, async (db) => {
        await db.query(
          `insert into org_unit_scopes (tenant_id, scope, unit_id) select $1, $2, unnest($3::uuid[])
           on conflict (tenant_id, scope, unit_id) do update set seen_at = now()`,
          [tenantId, scope.key, scope.ids],
        );
        if (at === undefined) await db.query("delete from org_unit_scopes where tenant_id = $1 and seen_at < now() - interval '1 day'", [tenantId]);
      }).then(() => {
        if (written.size > 10_000) written.clear();
        written.set(key, Date.now());
      });
    },
    treeOf(tenantId) {
      const hit = cache.peek<UnitRow[]>(key(tenantId));
      if (hit) return treeFor(hit);
      return cache
        .getOrLoad(key(tenantId), 60_000, () => runInTenant(database, tenantId, (db) => db.query<UnitRow>('select id, parent_id, name, kind from org_units')))
        .then((rows) => treeFor(rows ?? []));
    },
    forget: (tenantId) => cache.delete(key(tenantId)),
  };
}
