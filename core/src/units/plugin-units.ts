import type { OrgUnit, PluginUnits } from '@plinth/sdk';
import type { KernelServices } from '../kernel.js';
import type { UnitTree, UnitRow } from './unit-tree.js';

/** A unit as plugins see it. */
function unitOf(tree: UnitTree, row: UnitRow): OrgUnit {
  return { id: row.id, parentId: row.parent_id, name: row.name, kind: row.kind, path: tree.path(row.id) };
}

/** `deps.units`: the tenant's unit tree, read from the kernel's cache (all units: names are not what units protect). */
export function pluginUnits(services: Pick<KernelServices, 'orgUnits'>, tenantId: string): PluginUnits {
  const tree = async () => services.orgUnits.treeOf(tenantId);
  return {
    async list() {
      const known = await tree();
      return known.ordered().map((row) => unitOf(known, row));
    },
    async get(id) {
      const known = await tree();
      const row = known.byId.get(id);
      return row ? unitOf(known, row) : undefined;
    },
    async subtree(id) {
      return (await tree()).subtree(id);
    },
  };
}
