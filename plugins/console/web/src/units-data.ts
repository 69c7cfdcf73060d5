/** Organisation units as the console reads them: the whole list, and the tree it forms. */
import { call, get } from './api';
import { permits, type TenantSession } from './session';

/** A unit as `GET /units` lists it. */
export interface Unit {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  /** The names from the top unit down to this one. */
  path: string[];
  /** The path as one line: `College of Science › Physics`. */
  label: string;
  depth: number;
  children: number;
}

/** Every unit of the tenant: the list is paginated, and the tree needs all of it (the pages after the first at once). */
export async function loadUnits(tenant: string): Promise<Unit[]> {
  const perPage = 100;
  const first = await call<Unit[]>('GET', '/units', { tenant, query: { per_page: perPage } });
  const pages = first.pagination?.total_pages ?? 1;
  const rest = await Promise.all(
    Array.from({ length: Math.max(pages - 1, 0) }, (_, index) => get<Unit[]>('/units', { tenant, query: { per_page: perPage, page: index + 2 } })),
  );
  return [first.data, ...rest].flat();
}

/**
 * The units under each parent, siblings by name. `''` holds the top of what the caller sees: units without a parent,
 * and those whose parent they do not reach (a college admin's college).
 */
export function unitTree(units: readonly Unit[]): Map<string, Unit[]> {
  const ids = new Set(units.map((unit) => unit.id));
  const tree = new Map<string, Unit[]>();
  for (const unit of units) {
    const parent = unit.parent_id && ids.has(unit.parent_id) ? unit.parent_id : '';
    tree.set(parent, [...(tree.get(parent) ?? []), unit]);
  }
  for (const siblings of tree.values()) siblings.sort((a, b) => a.name.localeCompare(b.name));
  return tree;
}

/** The unit `id` and every unit below it. */
export function subtreeOf(tree: Map<string, Unit[]>, id: string): Set<string> {
  const ids = new Set<string>([id]);
  const visit = (parent: string) => {
    for (const child of tree.get(parent) ?? []) {
      ids.add(child.id);
      visit(child.id);
    }
  };
  visit(id);
  return ids;
}

/**
 * The units where the user holds `permission`: `undefined` when they hold it for the whole tenant, else the units of
 * their roles that grant it and every unit below them (what the API lets them change).
 */
export function unitsWhere(
  held: Pick<TenantSession, 'permissions' | 'unitPermissions'>,
  tree: Map<string, Unit[]>,
  permission: string,
): Set<string> | undefined {
  if (permits(held.permissions, permission)) return undefined;
  const ids = new Set<string>();
  for (const grant of held.unitPermissions) if (permits(grant.permissions, permission)) for (const id of subtreeOf(tree, grant.unit_id)) ids.add(id);
  return ids;
}
