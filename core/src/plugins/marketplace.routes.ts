import { commonErrors, ConflictError, ForbiddenError, Reply, Type, ValidationError, type Plugin } from '@plinth/sdk';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { coreErrors } from '../http/core-errors.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { holds } from '../rbac/permissions.js';
import type { TenantPlugins } from './tenant-plugins.js';
import { emitEvent } from '../events/outbox.js';
import {
  enabledDependents,
  enablePlugin,
  installedPlugin,
  lockEnabledPlugins,
  pluginsWithData,
  presentPlugin,
  requiredChain,
  tenantTablesOf,
} from './marketplace.js';
import { Exact, NoContent, Nullable, Timestamp } from '../http/response-schemas.js';
import { MarketplacePlugin, PluginParams, Settings } from './marketplace-schemas.js';
import { ExportedFile, exportFiles } from '../files/file-export.js';
import { addonsToStart, pluginEntitlements, startAddons } from '../billing/plugin-entitlement.js';

const list = defineRoute({
  method: 'GET',
  path: '/marketplace',
  summary: 'Every installed plugin, with whether this tenant has enabled it and what its plan allows of it (`entitlement`)',
  tag: 'marketplace',
  permission: corePermissions['plugins.view'],
  deps: { plugins: kernelRefs.plugins, entitlements: kernelRefs.entitlements },
  schema: { response: Type.Array(MarketplacePlugin) },
  errors: [],
  async handler({ deps, tenant, db }) {
    const state = await deps.plugins.tenantPlugins.state(tenant.id);
    const plugins = deps.plugins.plugins.filter((plugin) => plugin.scope === 'tenant');
    const withData = await pluginsWithData(db, plugins, deps.plugins.plugins);
    const entitlements = await pluginEntitlements(deps, tenant.id, plugins);
    return plugins.map((plugin) =>
      presentPlugin(deps, plugin, { enabled: plugin.name in state.settings, hasData: withData.has(plugin.name), entitlement: entitlements.get(plugin.name)! }),
    );
  },
});

const show = defineRoute({
  method: 'GET',
  path: '/marketplace/:plugin',
  summary: 'One plugin with its settings schema and the permissions it adds',
  tag: 'marketplace',
  permission: corePermissions['plugins.view'],
  schema: {
    params: PluginParams,
    response: Exact({
      ...MarketplacePlugin.properties,
      settings_schema: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the settings' })),
      settings: Nullable(Settings),
    }),
  },
  deps: { plugins: kernelRefs.plugins, entitlements: kernelRefs.entitlements },
  errors: [],
  async handler({ deps, tenant, params, db }) {
    const plugin = installedPlugin(deps, params.plugin);
    const state = await deps.plugins.tenantPlugins.state(tenant.id);
    const enabled = plugin.name in state.settings;
    const hasData = (await pluginsWithData(db, [plugin], deps.plugins.plugins)).has(plugin.name);
    const entitlement = await deps.entitlements.pluginAccess(tenant.id, plugin.name);
    return {
      ...presentPlugin(deps, plugin, { enabled, hasData, entitlement }),
      settings_schema: plugin.settings ? JSON.parse(JSON.stringify(plugin.settings)) : null,
      settings: state.settings[plugin.name] ?? null,
    };
  },
});

const enable = defineRoute({
  method: 'POST',
  path: '/marketplace/:plugin/enable',
  summary:
    'Enable a plugin (`?with_dependencies=true` enables what it requires too); 409 dependency_not_enabled names what is missing; a paid add-on starts with it, a plugin the plan excludes is refused (402)',
  tag: 'marketplace',
  permission: corePermissions['plugins.manage'],
  schema: {
    params: PluginParams,
    query: Type.Object({ with_dependencies: Type.Boolean({ default: false }) }, { additionalProperties: false }),
    body: Type.Object({ settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: false }),
    response: Exact({ ...MarketplacePlugin.properties, settings: Settings, enabled_dependencies: Type.Array(Type.String()) }),
  },
  deps: { jobs: kernelRefs.jobs, logger: kernelRefs.logger, plugins: kernelRefs.plugins, entitlements: kernelRefs.entitlements, billing: kernelRefs.billing },
  errors: [
    coreErrors.dependency_not_enabled,
    coreErrors.plan_excludes_plugin,
    coreErrors.payment_method_required,
    coreErrors.currency_not_offered,
    coreErrors.billing_provider_unavailable,
  ],
  async handler({ deps, tenant, params, query, body, db, audit }) {
    const plugin = installedPlugin(deps, params.plugin);
    const tenantPlugins = deps.plugins.tenantPlugins;
    const enabled = await lockEnabledPlugins(db, tenant.id);
    // Re-enabling keeps what the tenant saved before, unless new settings are sent.
    const stored = await db.one<{ settings: Record<string, unknown> }>('select settings from tenant_plugins where plugin = $1', [plugin.name]);
    const settings = settingsForEnable(tenantPlugins, plugin, body.settings ?? stored?.settings ?? {});
    const missing = requiredChain(deps, plugin).filter((dependency) => !enabled.has(dependency.name));
    // The plan must include what is enabled now, or sell it as an add-on (started last, below); an enabled plugin stays as it is.
    const turningOn = [...(query.with_dependencies ? missing : []), ...(enabled.has(plugin.name) ? [] : [plugin])];
    const addons = await addonsToStart(deps, tenant.id, turningOn);
    if (missing.length > 0 && !query.with_dependencies) {
      throw coreErrors.dependency_not_enabled(`Enable ${missing.map((dependency) => dependency.name).join(', ')} first (or pass with_dependencies=true)`, {
        errors: { dependencies: missing.map((dependency) => dependency.name) },
      });
    }
    // Registered before the events' delivery is queued: their handlers must see the plugins enabled.
    db.afterCommit(() => tenantPlugins.forget(tenant.id));
    for (const dependency of missing) {
      let defaults: Record<string, unknown>;
      try {
        defaults = tenantPlugins.validateSettings(dependency, {});
      } catch (error) {
        throw new ValidationError({ [`dependencies.${dependency.name}`]: ['needs settings: enable it on its own first'] }, 'A dependency needs settings', {
          cause: error,
        });
      }
      await enablePlugin(db, deps, tenant.id, dependency, defaults);
      await audit({ action: 'plugin.enabled', targetType: 'plugin', targetId: dependency.name, data: { as_dependency_of: plugin.name } });
    }
    await enablePlugin(db, deps, tenant.id, plugin, settings);
    await audit({ action: 'plugin.enabled', targetType: 'plugin', targetId: plugin.name });
    const hasData = (await pluginsWithData(db, [plugin], deps.plugins.plugins)).has(plugin.name);
    const entitlement = await deps.entitlements.pluginAccess(tenant.id, plugin.name);
    // Last: a refused add-on rolls the enabling back (billing/plugin-entitlement.ts).
    await startAddons(deps, tenant.id, addons);
    return {
      ...presentPlugin(deps, plugin, { enabled: true, hasData, entitlement }),
      settings,
      enabled_dependencies: missing.map((dependency) => dependency.name),
    };
  },
});

const disable = defineRoute({
  method: 'POST',
  path: '/marketplace/:plugin/disable',
  summary: 'Disable a plugin for this tenant (its data stays; its paid add-on ends); 409 while an enabled plugin depends on it',
  tag: 'marketplace',
  permission: corePermissions['plugins.manage'],
  schema: { params: PluginParams, response: MarketplacePlugin },
  deps: { jobs: kernelRefs.jobs, logger: kernelRefs.logger, plugins: kernelRefs.plugins, entitlements: kernelRefs.entitlements, billing: kernelRefs.billing },
  errors: [commonErrors.conflict, coreErrors.billing_provider_unavailable],
  async handler({ deps, tenant, params, db, audit }) {
    const plugin = installedPlugin(deps, params.plugin);
    const tenantPlugins = deps.plugins.tenantPlugins;
    const dependents = enabledDependents(deps, plugin, await lockEnabledPlugins(db, tenant.id));
    if (dependents.length > 0)
      throw new ConflictError(`${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on ${plugin.name}; disable them first`, {
        errors: { dependents },
      });
    const [row] = await db.query(
      'update tenant_plugins set enabled = false, disabled_at = now(), updated_at = now() where plugin = $1 and enabled returning id',
      [plugin.name],
    );
    if (row) {
      db.afterCommit(() => tenantPlugins.forget(tenant.id));
      await emitEvent(db, deps, tenant.id, 'core.plugin.disabled', { plugin: plugin.name }, 'core');
      await audit({ action: 'plugin.disabled', targetType: 'plugin', targetId: plugin.name });
    }
    const hasData = (await pluginsWithData(db, [plugin], deps.plugins.plugins)).has(plugin.name);
    const entitlement = await deps.entitlements.pluginAccess(tenant.id, plugin.name);
    // Last, as on enable: should ending the add-on fail, the plugin stays enabled (nothing runs when no add-on does).
    await deps.billing.endAddon(tenant.id, plugin.name);
    return presentPlugin(deps, plugin, { enabled: false, hasData, entitlement });
  },
});

const getSettings = defineRoute({
  method: 'GET',
  path: '/plugins/:plugin/settings',
  summary: "The tenant's settings of an enabled plugin, with defaults applied",
  tag: 'marketplace',
  permission: corePermissions['plugins.view'],
  schema: { params: PluginParams, response: Settings },
  deps: { plugins: kernelRefs.plugins },
  errors: [coreErrors.plugin_not_enabled],
  async handler({ deps, tenant, params }) {
    const plugin = installedPlugin(deps, params.plugin);
    const state = await deps.plugins.tenantPlugins.state(tenant.id);
    const settings = state.settings[plugin.name];
    if (!settings) throw coreErrors.plugin_not_enabled(`The ${plugin.name} plugin is not enabled for this tenant`);
    return settings;
  },
});

const putSettings = defineRoute({
  method: 'PUT',
  path: '/plugins/:plugin/settings',
  summary: "Replace the tenant's settings of an enabled plugin (validated against its schema); core.plugins.manage or the plugin's settings permission",
  tag: 'marketplace',
  member: true,
  schema: { params: PluginParams, body: Type.Record(Type.String(), Type.Unknown()), response: Settings },
  deps: { plugins: kernelRefs.plugins },
  errors: [coreErrors.plugin_not_enabled],
  async handler({ deps, tenant, params, body, db, audit, permissions }) {
    const plugin = installedPlugin(deps, params.plugin);
    const allowed = [corePermissions['plugins.manage'].name, ...(plugin.settingsPermission ? [plugin.settingsPermission] : [])];
    if (!allowed.some((permission) => holds(permissions, permission))) throw new ForbiddenError(`Missing permission ${allowed.join(' or ')}`);
    const tenantPlugins = deps.plugins.tenantPlugins;
    const settings = tenantPlugins.validateSettings(plugin, body);
    const [row] = await db.query('update tenant_plugins set settings = $2, updated_at = now() where plugin = $1 and enabled returning id', [
      plugin.name,
      JSON.stringify(settings),
    ]);
    if (!row) throw coreErrors.plugin_not_enabled(`The ${plugin.name} plugin is not enabled for this tenant`);
    await audit({ action: 'plugin.settings_changed', targetType: 'plugin', targetId: plugin.name, data: { keys: Object.keys(body) } });
    db.afterCommit(() => tenantPlugins.forget(tenant.id));
    return settings;
  },
});

const exportData = defineRoute({
  method: 'GET',
  path: '/marketplace/:plugin/data',
  summary: "Export this tenant's rows of a plugin's tables (offered before a purge)",
  tag: 'marketplace',
  permission: corePermissions['plugins.manage'],
  schema: {
    params: PluginParams,
    response: Exact({
      plugin: Type.String(),
      version: Type.String(),
      exported_at: Timestamp,
      tables: Type.Record(Type.String(), Type.Array(Type.Record(Type.String(), Type.Unknown())), { description: "Each table's rows of this tenant" }),
      files: Type.Array(ExportedFile, { description: "The plugin's stored files of this tenant, each with a signed download URL" }),
    }),
  },
  deps: { plugins: kernelRefs.plugins, files: kernelRefs.files },
  errors: [commonErrors.conflict],
  async handler({ deps, params, db, tenant }) {
    const plugin = installedPlugin(deps, params.plugin);
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const table of (await tenantTablesOf(db, plugin, deps.plugins.plugins)).reverse())
      tables[table] = await db.query(`select * from "${table}" order by created_at`);
    const files = await exportFiles(deps.files, { tenantId: tenant.id, db }, plugin.name);
    return { plugin: plugin.name, version: plugin.version, exported_at: new Date().toISOString(), tables, files };
  },
});

const purge = defineRoute({
  method: 'DELETE',
  path: '/marketplace/:plugin/data',
  summary: "Delete this tenant's rows of a disabled plugin; `?confirm=<plugin name>` is required",
  tag: 'marketplace',
  permission: corePermissions['plugins.manage'],
  schema: { params: PluginParams, query: Type.Object({ confirm: Type.String() }, { additionalProperties: false }), response: NoContent },
  deps: { plugins: kernelRefs.plugins, files: kernelRefs.files },
  errors: [commonErrors.conflict],
  async handler({ deps, tenant, params, query, db, audit }) {
    const plugin = installedPlugin(deps, params.plugin);
    if (query.confirm !== plugin.name) throw new ValidationError({ confirm: [`must be "${plugin.name}"`] });
    if ((await lockEnabledPlugins(db, tenant.id)).has(plugin.name)) throw new ConflictError(`Disable ${plugin.name} before purging its data`);
    const deleted: Record<string, number> = {};
    for (const table of await tenantTablesOf(db, plugin, deps.plugins.plugins)) deleted[table] = (await db.query(`delete from "${table}" returning 1`)).length;
    // The plugin's stored files too: rows now, their objects once this commits.
    const files = await deps.files.purgePlugin({ tenantId: tenant.id, db }, plugin.name);
    if (files > 0) deleted.files = files;
    await db.query('delete from tenant_plugins where plugin = $1', [plugin.name]);
    await audit({ action: 'plugin.purged', targetType: 'plugin', targetId: plugin.name, data: { deleted } });
    db.afterCommit(() => deps.plugins.tenantPlugins.forget(tenant.id));
    return Reply.noContent();
  },
});

/** Validated settings, with field errors named as in the request body (`settings.<field>`). */
function settingsForEnable(tenantPlugins: TenantPlugins, plugin: Plugin, settings: unknown): Record<string, unknown> {
  try {
    return tenantPlugins.validateSettings(plugin, settings);
  } catch (error) {
    if (!(error instanceof ValidationError) || !error.errors) throw error;
    const errors = Object.fromEntries(Object.entries(error.errors).map(([field, messages]) => [field === 'settings' ? field : `settings.${field}`, messages]));
    throw new ValidationError(errors, error.message);
  }
}

/** The marketplace and per-tenant plugin settings. */
export const marketplaceRoutes: CoreRoute[] = [list, show, enable, disable, getSettings, putSettings, exportData, purge];
