import type { Plugin } from '@plinth/sdk';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { runInTenant } from '../db/scoped-db.js';
import { validate } from '../http/validation.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';

/** Which plugins a tenant has enabled, with their settings (defaults applied). */
export interface TenantPluginState {
  /** Changes whenever the tenant enables, disables or reconfigures a plugin: part of cache keys derived from it. */
  version: number;
  settings: Record<string, Record<string, unknown>>;
}

export interface TenantPlugins {
  /** The tenant's state; a cached one comes without a promise (so does {@link isEnabled}'s answer then). */
  state(tenantId: string): MaybePromise<TenantPluginState>;
  isEnabled(tenantId: string, plugin: string): MaybePromise<boolean>;
  settingsOf(tenantId: string, plugin: string): Promise<Record<string, unknown>>;
  /** Drop the cached state after a change; every process sees it on its next request. */
  forget(tenantId: string): Promise<void>;
  /** Validates settings against the plugin's schema (422 naming the fields), returning them with defaults applied. */
  validateSettings(plugin: Plugin, settings: unknown): Record<string, unknown>;
}

export function createTenantPlugins(database: Database, cache: Cache, installed: ReadonlyMap<string, Plugin>): TenantPlugins {
  const validateSettings = (plugin: Plugin, settings: unknown) =>
    plugin.settings ? validate<Record<string, unknown>>(plugin.settings, structuredClone(settings ?? {}), { location: 'settings' }) : {};
  const state = (tenantId: string): MaybePromise<TenantPluginState> =>
    cache.peek<TenantPluginState>(`plugins:${tenantId}`) ??
    (cache.getOrLoad(`plugins:${tenantId}`, 60_000, () =>
      runInTenant(database, tenantId, async (db) => {
        const rows = await db.query<{ plugin: string; settings: Record<string, unknown>; changed: Date }>(
          'select plugin, settings, greatest(enabled_at, updated_at) as changed from tenant_plugins where enabled',
        );
        const settings: Record<string, Record<string, unknown>> = {};
        let version = 0;
        for (const row of rows) {
          const plugin = installed.get(row.plugin);
          if (!plugin) continue;
          settings[row.plugin] = withDefaults(plugin, row.settings);
          version = Math.max(version, new Date(row.changed).getTime());
        }
        return { version: version + rows.length, settings };
      }),
    ) as Promise<TenantPluginState>);
  const withDefaults = (plugin: Plugin, stored: Record<string, unknown>) => {
    try {
      return validateSettings(plugin, stored);
    } catch {
      return stored; // saved under an older schema: the plugin sees what was saved until it is updated
    }
  };
  return {
    state,
    isEnabled: (tenantId, plugin) => {
      const current = state(tenantId);
      return andThen(current, (known) => plugin in known.settings);
    },
    settingsOf: async (tenantId, plugin) => (await state(tenantId)).settings[plugin] ?? {},
    forget: (tenantId) => cache.delete(`plugins:${tenantId}`),
    validateSettings,
  };
}
