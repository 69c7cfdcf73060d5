import type { Plugin } from '@plinth/sdk';
import semver from 'semver';
import { hostLanguages } from '../http/error-language.js';
import { compileSchema } from '../http/validation.js';
import { checkReports } from '../reports/report-registry.js';
import { checkNotificationDeclarations } from '../notifications/declarations.js';

/** A plugin that cannot be installed: the message names the plugin and what is wrong. */
export class PluginError extends Error {
  override name = 'PluginError';
}

const namePattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const reservedNames = new Set([
  'core',
  'admin',
  'auth',
  'me',
  'tenant',
  'tenants',
  'members',
  'invitations',
  'roles',
  'permissions',
  'api-tokens',
  'audit-log',
  'marketplace',
  'plugins',
  'openapi.json',
  'jobs',
  'customers',
]);

/**
 * The newest plugin definition format (`formatVersion`, stamped by the SDK's definePlugin) this core reads. Its own
 * constant, not the SDK's: a plugin built with a newer SDK than this core knows must be refused, not misread.
 */
export const pluginFormatVersion = 1;

/** `bio-sites` → `bio_sites`: the prefix of a plugin's tables. */
export function tablePrefix(pluginName: string): string {
  return `${pluginName.replaceAll('-', '_')}_`;
}

/** Checks one definition's data; throws {@link PluginError} naming the plugin and the field. */
const reservedRootPaths = /^\/($|api(\/|$)|health(\/|$)|metrics(\/|$))/;

export function validatePlugin(plugin: Plugin): void {
  const fail = (field: string, problem: string): never => {
    throw new PluginError(`plugin \`${plugin?.name ?? '?'}\`: ${field} ${problem}`);
  };
  if (plugin?.kind !== 'plinth-plugin') throw new PluginError('a plugin package must default-export definePlugin({...}) from @plinth/sdk');
  checkFormatVersion(plugin);
  if (!namePattern.test(plugin.name)) fail('name', 'must be kebab-case (lower-case letters, digits, hyphens)');
  if (reservedNames.has(plugin.name)) fail('name', 'is reserved by core');
  if (!semver.valid(plugin.version)) fail('version', `must be a semver version (got "${plugin.version}")`);
  for (const field of ['title', 'description', 'category'] as const) if (!plugin[field]?.trim()) fail(field, 'is required');
  if (!plugin.requires?.core || !semver.validRange(plugin.requires.core)) fail('requires.core', 'must be a semver range of @plinth/core');
  for (const [dependency, range] of Object.entries({ ...plugin.requires.plugins, ...plugin.requires.optionalPlugins })) {
    if (!semver.validRange(range)) fail(`requires: ${dependency}`, `must be a semver range (got "${range}")`);
  }
  for (const permission of Object.values(plugin.permissions)) {
    if (!permission.name.startsWith(`${plugin.name}.`) || permission.name.split('.').length !== 3)
      fail(`permission ${permission.name}`, `must be ${plugin.name}.<resource>.<action>`);
  }
  const seen = new Set<string>();
  for (const route of plugin.routes) {
    const key = `${route.method} ${route.path}`;
    if (!route.path.startsWith('/')) fail(`route ${key}`, 'path must start with /');
    if (seen.has(key)) fail(`route ${key}`, 'is declared twice');
    seen.add(key);
    const access = route as unknown as { permission?: { name?: string }; public?: boolean };
    const permission: string | undefined = access.permission?.name;
    if (!access.public && !permission) fail(`route ${key}`, 'declares neither a permission nor public: true');
    if (permission && !permission.startsWith(`${plugin.name}.`) && !permission.startsWith('core.'))
      fail(`route ${key}`, `permission ${permission} belongs to another plugin`);
    if (route.public && route.tenantParam && !route.path.split('/').includes(`:${route.tenantParam}`))
      fail(`route ${key}`, `tenantParam ${route.tenantParam} is not a parameter of its path`);
    if (route.public && route.root) {
      if (typeof route.root.resolveTenant !== 'function') fail(`route ${key}`, 'root routes need root.resolveTenant');
      if (reservedRootPaths.test(route.path)) fail(`route ${key}`, 'root paths may not start with /api, /health or /metrics, nor be /');
    }
  }
  for (const { name } of plugin.jobs as readonly { name: string }[])
    if (!name.startsWith(`${plugin.name}.`)) fail(`job ${name}`, `must be named ${plugin.name}.<job>`);
  // A handler is recorded as done under its id: a second handler with the same id would look done already and never run.
  const handlerIds = new Set<string>();
  for (const handler of plugin.eventHandlers) {
    const id = handler.id ?? handler.event;
    if (handlerIds.has(id)) fail(`event handler ${id}`, 'is declared twice; give each handler of the same event its own id');
    handlerIds.add(id);
  }
  if (plugin.scope === 'host') {
    const owned = {
      routes: plugin.routes,
      migrations: plugin.migrations,
      jobs: plugin.jobs,
      'event handlers': plugin.eventHandlers,
      taps: plugin.taps,
      services: plugin.services,
    };
    for (const [kind, list] of Object.entries(owned)) if (list.length > 0) fail('scope', `a host-level plugin has no ${kind}`);
  }
  if (plugin.settingsPermission && !Object.values(plugin.permissions).some((permission) => permission.name === plugin.settingsPermission))
    fail('settingsPermission', `${plugin.settingsPermission} is not one of the plugin's permissions`);
  // Compiled now, like route schemas: a settings schema ajv refuses (a misspelt form widget) stops the boot, not a save.
  if (plugin.settings) {
    try {
      compileSchema(plugin.settings);
    } catch (error) {
      fail('settings', `cannot be compiled: ${(error as Error).message}`);
    }
  }
  if (plugin.hosts) {
    if (typeof plugin.hosts.route !== 'function') fail('hosts', 'hosts.route must be a function');
    if (!plugin.routes.some((route) => route.public && route.root)) fail('hosts', 'a plugin routing host names needs root routes to route them to');
  }
  if (plugin.web?.root && plugin.scope !== 'host') fail('web.root', 'only a host-level plugin (scope: "host") may serve the site root');
  for (const entry of plugin.navigation)
    if (!entry.path.startsWith('/') && !entry.path.startsWith('web:')) fail(`navigation ${entry.label}`, 'path must start with / or web:');
  const primary = new Set<string>();
  for (const screen of plugin.web?.screens ?? []) {
    if (!/^[a-z][a-z0-9]*-[a-z0-9-]*$/.test(screen.element))
      fail(`screen ${screen.element}`, 'element must be a custom element name: lower case with a hyphen');
    if (screen.on !== undefined && !plugin.routes.some((route) => route.path === screen.on && !route.public))
      fail(`screen ${screen.element}`, `on must be the path of one of the plugin's member routes (${screen.on} is none)`);
    if (screen.primary && (screen.on === undefined || primary.has(screen.on))) fail(`screen ${screen.element}`, 'a primary screen needs on, and one per route');
    if (screen.primary && screen.on) primary.add(screen.on);
  }
  checkTranslations(plugin, fail);
  checkLimits(plugin, fail);
  checkNotificationDeclarations(plugin, fail);
  checkReports(plugin, fail);
  for (const hook of Object.keys(plugin.hooks)) if (!hook.startsWith(`${plugin.name}.`)) fail(`hook ${hook}`, `must be named ${plugin.name}.<hook>`);
  for (const service of plugin.services)
    if (!service.ref.id.startsWith(`${plugin.name}.`)) fail(`service ${service.ref.id}`, `must be named ${plugin.name}.<service>`);
  for (const [index, migration] of plugin.migrations.entries()) {
    const previous = plugin.migrations[index - 1];
    if (previous && previous.name >= migration.name) fail(`migration ${migration.name}`, `must come after ${previous.name} in name order`);
  }
}

/**
 * `translations`: language tags in canonical BCP 47 form (`ar`, `ar-EG`) whose language the host speaks, each a
 * catalogue of non-empty English text → non-empty translation.
 */
function checkTranslations(plugin: Plugin, fail: (field: string, problem: string) => never): void {
  const translations: unknown = plugin.translations ?? {};
  if (typeof translations !== 'object' || translations === null || Array.isArray(translations))
    fail('translations', 'must be an object of language tag → { English text: translation }');
  for (const [tag, catalogue] of Object.entries(translations as Record<string, unknown>)) {
    let canonical: string | undefined;
    try {
      [canonical] = Intl.getCanonicalLocales(tag);
    } catch {
      canonical = undefined;
    }
    if (!canonical) fail(`translations ${JSON.stringify(tag)}`, "is not a BCP 47 language tag (such as 'ar' or 'ar-EG')");
    if (canonical !== tag) fail(`translations ${JSON.stringify(tag)}`, `must be written ${JSON.stringify(canonical)}`);
    const language = new Intl.Locale(canonical).language;
    if (!(hostLanguages as readonly string[]).includes(language))
      fail(`translations ${JSON.stringify(tag)}`, `is in a language this host does not speak (it speaks ${hostLanguages.join(', ')})`);
    if (typeof catalogue !== 'object' || catalogue === null || Array.isArray(catalogue))
      fail(`translations ${JSON.stringify(tag)}`, 'must be an object of English text → translation');
    for (const [english, translated] of Object.entries(catalogue as Record<string, unknown>)) {
      if (!english.trim()) fail(`translations ${tag}`, 'has an empty English key');
      if (typeof translated !== 'string' || !translated.trim()) fail(`translations ${tag} ${JSON.stringify(english)}`, 'must be a non-empty string');
    }
  }
}

const limitKeyPattern = /^[a-z][a-z0-9_-]{0,40}$/;

/** `limits`: keys a plan can name as `<plugin>.<key>`, each with a label and a `usage` counter (docs/billing.md). */
function checkLimits(plugin: Plugin, fail: (field: string, problem: string) => never): void {
  const limits: unknown = plugin.limits ?? {};
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) fail('limits', 'must be an object of key → { label, usage }');
  for (const [key, definition] of Object.entries(limits as Record<string, unknown>)) {
    if (!limitKeyPattern.test(key)) fail(`limit ${JSON.stringify(key)}`, 'must be lower case letters, digits, - or _ (starting with a letter, at most 41)');
    const { label, usage } = (definition ?? {}) as { label?: unknown; usage?: unknown };
    if (typeof label !== 'string' || !label.trim()) fail(`limit ${key}`, 'needs a label');
    if (typeof usage !== 'function') fail(`limit ${key}`, 'needs a usage({ db }) function counting what the tenant uses');
  }
}

/** Definitions built before the format was stamped carry none: they are format 1. */
function checkFormatVersion(plugin: Plugin): void {
  const format = plugin.formatVersion ?? 1;
  if (!Number.isInteger(format) || format < 1)
    throw new PluginError(`plugin \`${plugin.name}\`: formatVersion must be a positive whole number (got ${JSON.stringify(format)})`);
  if (format > pluginFormatVersion)
    throw new PluginError(
      `plugin \`${plugin.name}\` was built with definition format ${format}; this Plinth understands ${pluginFormatVersion} — upgrade @plinth/core`,
    );
}

/**
 * Validates every plugin, checks `requires` against the core version and the
 * installed plugins, and returns them in dependency order (dependencies
 * first). Missing dependencies, version mismatches and cycles are refused
 * with one line naming the plugins.
 */
export function orderPlugins(plugins: readonly Plugin[], coreVersion: string): Plugin[] {
  const byName = new Map<string, Plugin>();
  for (const plugin of plugins) {
    validatePlugin(plugin);
    if (byName.has(plugin.name)) throw new PluginError(`plugin \`${plugin.name}\` is listed twice`);
    byName.set(plugin.name, plugin);
  }
  const rootSites = plugins.filter((plugin) => plugin.web?.root);
  if (rootSites.length > 1)
    throw new PluginError(`plugins ${rootSites.map((plugin) => `\`${plugin.name}\``).join(' and ')} both serve web files at the site root`);
  const rootRoutes = new Map<string, string>();
  for (const plugin of plugins) {
    for (const route of plugin.routes) {
      if (!route.public || !route.root) continue;
      const key = `${route.method} ${route.path.replace(/:[A-Za-z_]+/g, ':')}`;
      const owner = rootRoutes.get(key);
      if (owner) throw new PluginError(`plugins \`${owner}\` and \`${plugin.name}\` both serve ${route.method} ${route.path} at the site root`);
      rootRoutes.set(key, plugin.name);
    }
  }
  for (const plugin of plugins) {
    if (!semver.satisfies(coreVersion, plugin.requires.core, { includePrerelease: true })) {
      throw new PluginError(`plugin \`${plugin.name}\` requires @plinth/core ${plugin.requires.core}, but ${coreVersion} is installed`);
    }
    for (const [name, range] of Object.entries(plugin.requires.plugins ?? {})) {
      const dependency = byName.get(name);
      if (!dependency) throw new PluginError(`plugin \`${plugin.name}\` requires \`${name}\` ${range}, which is not installed`);
      if (!semver.satisfies(dependency.version, range, { includePrerelease: true })) {
        throw new PluginError(`plugin \`${plugin.name}\` requires \`${name}\` ${range}, but ${dependency.version} is installed`);
      }
    }
    for (const [name, range] of Object.entries(plugin.requires.optionalPlugins ?? {})) {
      const dependency = byName.get(name);
      if (dependency && !semver.satisfies(dependency.version, range, { includePrerelease: true })) {
        throw new PluginError(`plugin \`${plugin.name}\` works with \`${name}\` ${range}, but ${dependency.version} is installed`);
      }
    }
  }
  const ordered: Plugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: Plugin, path: string[]) => {
    if (state.get(plugin.name) === 'done') return;
    if (state.get(plugin.name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(plugin.name)), plugin.name].join(' → ');
      throw new PluginError(`plugins depend on each other in a cycle: ${cycle}`);
    }
    state.set(plugin.name, 'visiting');
    const dependencies = [...Object.keys(plugin.requires.plugins ?? {}), ...Object.keys(plugin.requires.optionalPlugins ?? {})];
    for (const name of dependencies) {
      const dependency = byName.get(name);
      if (dependency) visit(dependency, [...path, plugin.name]);
    }
    state.set(plugin.name, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}
