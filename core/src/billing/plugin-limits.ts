import type { LimitDefinition, Plugin, PluginLimits } from '@plinth/sdk';
import { namespacedDb, type ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { PluginMisuseError, type UnitOfWork } from '../plugins/plugin-scope.js';
import { inTenantScope } from './entitlements.js';

/**
 * `coreServices.limits` for one plugin and unit of work: the plugin's own keys (`contacts`) bound to the plan's
 * names (`crm.contacts`), the unit's tenant and transaction, counted with the plugin's declared `usage`.
 */
export function pluginLimits(plugin: Plugin, unit: UnitOfWork, services: KernelServices): PluginLimits {
  const declared = (key: string) => {
    const definition = plugin.limits?.[key];
    if (!definition || !Object.hasOwn(plugin.limits ?? {}, key))
      throw new PluginMisuseError(`plugin \`${plugin.name}\` has no limit \`${key}\`: declare it in definePlugin({ limits })`);
    return definition;
  };
  /** The limit's usage over the whole tenant (not the member's units alone), in the plugin's namespace. */
  const usage = (definition: LimitDefinition) => (db: ScopedDb) => definition.usage({ db: namespacedDb(db, plugin.name) });
  return {
    async ensure(key, adding = 1) {
      const definition = declared(key);
      if (!Number.isSafeInteger(adding) || adding < 0)
        throw new PluginMisuseError(`plugin \`${plugin.name}\`: limits.ensure('${key}', ${adding}) needs a whole number of items, 0 or more`);
      await services.entitlements.ensure(unit.db, unit.tenant.id, `${plugin.name}.${key}`, adding, usage(definition));
    },
    async state(key) {
      const definition = declared(key);
      const limit = `${plugin.name}.${key}`;
      const max = (await services.entitlements.limitsOf(unit.tenant.id))[limit] ?? null;
      return { limit, max, used: await inTenantScope(services.database, unit.db, unit.tenant.id, usage(definition)) };
    },
  };
}
