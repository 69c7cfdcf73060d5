import { ConflictError, NotFoundError, type Plugin } from '@plinth/sdk';
import type { Knex } from 'knex';
import type { ScopedDb } from '../db/scoped-db.js';
import type { PluginAccess } from '../billing/entitlements.js';
import type { KernelServices } from '../kernel.js';
import { tablePrefix } from './plugin-registry.js';
import { emitEvent, type OutboxServices } from '../events/outbox.js';

/**
 * What a tenant sees of a plugin beside its definition: whether it is on, whether it keeps data of the tenant, and
 * what its plan allows of it (billing/plugin-entitlement.ts).
 */
export interface PluginState {
  enabled: boolean;
  hasData: boolean;
  entitlement: PluginAccess;
}

/** A plugin as the marketplace lists it. */
export function presentPlugin(services: Pick<KernelServices, 'plugins'>, plugin: Plugin, state: PluginState) {
  return {
    name: plugin.name,
    title: plugin.title,
    description: plugin.description,
    version: plugin.version,
    category: plugin.category,
    icon: plugin.icon ?? null,
    author: plugin.author ?? null,
    permissions: Object.values(plugin.permissions).map((permission) => ({
      name: permission.name,
      description: permission.description,
      grant_to: [...permission.grantTo],
    })),
    requires: { core: plugin.requires.core, plugins: plugin.requires.plugins ?? {}, optional_plugins: plugin.requires.optionalPlugins ?? {} },
    navigation: plugin.navigation.map((entry) => ({
      label: entry.label,
      icon: entry.icon ?? null,
      path: entry.path,
      permission: entry.permission?.name ?? null,
    })),
    web: plugin.web ? `/web/${plugin.name}/` : null,
    screens: (plugin.web?.screens ?? []).map((screen) => ({
      element: screen.element,
      label: screen.label,
      on: screen.on ?? null,
      primary: screen.primary === true,
      icon: screen.icon ?? null,
      permission: screen.permission?.name ?? null,
    })),
    settings_permission: plugin.settingsPermission ?? null,
    uses: dataUses(services, plugin),
    unit_tables: [...(services.plugins.unitTables.get(plugin.name) ?? [])],
    enabled: state.enabled,
    has_data: state.hasData,
    entitlement: state.entitlement,
  };
}

/** Other plugins' data a plugin reads or writes: the services of other plugins in its `deps`, described by its `uses`. */
export function dataUses(services: Pick<KernelServices, 'plugins'>, plugin: Plugin) {
  const seen = new Set<string>();
  const uses: { plugin: string; title: string; service: string; access: 'read' | 'write'; what: string; optional: boolean }[] = [];
  for (const ref of Object.values(plugin.deps)) {
    // A service id is `<plugin>.<service>`; plugin names hold no dot.
    const owner = ref.id.slice(0, ref.id.indexOf('.'));
    if (owner === 'core' || owner === plugin.name || owner === '' || seen.has(ref.id)) continue;
    seen.add(ref.id);
    const declared = plugin.uses?.[ref.id];
    const service = ref.id.slice(owner.length + 1);
    const title = services.plugins.byName.get(owner)?.title ?? owner;
    uses.push({
      plugin: owner,
      title,
      service: ref.id,
      // Undescribed: assume the worst a tenant should agree to.
      access: declared?.access ?? 'write',
      what: declared?.what ?? `${title} ${service.replaceAll(/[-_]/g, ' ')}`,
      optional: ref.optional === true,
    });
  }
  return uses;
}

/** Which installed plugin a table belongs to: the one with the longest matching prefix (`notes_pins_…` is `notes-pins`'). */
function tableOwner(installed: readonly Plugin[]): (table: string) => string | undefined {
  const prefixes = installed.map((plugin) => ({ name: plugin.name, prefix: tablePrefix(plugin.name) })).sort((a, b) => b.prefix.length - a.prefix.length);
  return (table) => prefixes.find(({ prefix }) => table.startsWith(prefix))?.name;
}

/**
 * Each plugin's tables whose records belong to organisation units (a foreign key to `org_units`, as
 * `createTenantTable(…, { units: true })` and `addUnitScope` add), sorted, by plugin name. Read from the catalogue
 * once the migrations have run, so it is what the database enforces, not what a plugin says of itself.
 */
export async function findUnitTables(knex: Knex, installed: readonly Plugin[]): Promise<Map<string, string[]>> {
  const { rows } = await knex.raw<{ rows: { relname: string }[] }>(
    `select distinct c.relname from pg_constraint k join pg_class c on c.oid = k.conrelid
      where k.contype = 'f' and k.confrelid = to_regclass('public.org_units') and c.relname <> 'org_units'
      order by c.relname`,
  );
  const ownerOf = tableOwner(installed);
  const tables = new Map<string, string[]>();
  for (const { relname } of rows) {
    const owner = ownerOf(relname);
    if (owner) tables.set(owner, [...(tables.get(owner) ?? []), relname]);
  }
  return tables;
}

/**
 * The plugins among `plugins` that keep rows (or stored files) of the db's tenant: one catalogue query for
 * their tables, then one `exists` per table, all under the tenant's row-level security.
 */
export async function pluginsWithData(db: ScopedDb, plugins: readonly Plugin[], installed: readonly Plugin[]): Promise<Set<string>> {
  if (plugins.length === 0) return new Set();
  const tables = await db.query<{ relname: string }>(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      where c.relkind = 'r' and c.relforcerowsecurity`,
  );
  const ownerOf = tableOwner(installed);
  const wanted = new Set(plugins.map((plugin) => plugin.name));
  const checks: string[] = [];
  const owners: string[] = [];
  for (const { relname } of tables) {
    const owner = ownerOf(relname);
    if (!owner || !wanted.has(owner)) continue;
    owners.push(owner);
    checks.push(`exists (select 1 from "${relname.replaceAll('"', '""')}")`);
  }
  owners.push('');
  checks.push('false');
  const names = [...wanted];
  const [row] = await db.query<{ tables: boolean[]; files: string[] }>(
    `select array[${checks.join(', ')}] as tables,
            array(select wanted.plugin from unnest($1::text[]) as wanted(plugin) where exists (select 1 from files f where f.owner_plugin = wanted.plugin)) as files`,
    [names],
  );
  const withData = new Set<string>(row?.files ?? []);
  row?.tables.forEach((hasRows, index) => {
    if (hasRows && owners[index]) withData.add(owners[index]);
  });
  return withData;
}

export function installedPlugin(services: Pick<KernelServices, 'plugins'>, name: string): Plugin {
  const plugin = services.plugins.byName.get(name);
  if (!plugin || plugin.scope === 'host') throw new NotFoundError(`No plugin named ${name} is installed`);
  return plugin;
}

/** The plugins (transitively) required by `plugin`, dependencies first. */
export function requiredChain(services: Pick<KernelServices, 'plugins'>, plugin: Plugin): Plugin[] {
  const chain: Plugin[] = [];
  const visit = (current: Plugin) => {
    for (const name of Object.keys(current.requires.plugins ?? {})) {
      const dependency = services.plugins.byName.get(name)!;
      if (!chain.includes(dependency)) {
        visit(dependency);
        chain.push(dependency);
      }
    }
  };
  visit(plugin);
  return chain;
}

/** Turns a plugin on for the request's tenant with validated settings; emits `core.plugin.enabled` when it was off. */
export async function enablePlugin(db: ScopedDb, services: OutboxServices, tenantId: string, plugin: Plugin, settings: Record<string, unknown>): Promise<void> {
  // Enabling an enabled plugin only replaces its settings: no new enabled_at, no second event.
  const [row] = await db.query<{ was_enabled: boolean | null }>(
    `with previous as (select enabled from tenant_plugins where tenant_id = $1 and plugin = $2)
     insert into tenant_plugins (tenant_id, plugin, enabled, settings, enabled_at, disabled_at) values ($1, $2, true, $3, now(), null)
     on conflict (tenant_id, plugin) do update set enabled = true, settings = excluded.settings, disabled_at = null, updated_at = now(),
       enabled_at = case when tenant_plugins.enabled then tenant_plugins.enabled_at else now() end
     returning (select enabled from previous) as was_enabled`,
    [tenantId, plugin.name, JSON.stringify(settings)],
  );
  if (!row?.was_enabled) await emitEvent(db, services, tenantId, 'core.plugin.enabled', { plugin: plugin.name }, 'core');
}

/** Enabled plugins that require `plugin`: it cannot be disabled while they are on. */
export function enabledDependents(services: Pick<KernelServices, 'plugins'>, plugin: Plugin, enabled: ReadonlySet<string>): string[] {
  return services.plugins.plugins.filter((other) => enabled.has(other.name) && plugin.name in (other.requires.plugins ?? {})).map((other) => other.name);
}

/**
 * Serialises the tenant's plugin changes (enable, disable, purge) and returns the plugins it has enabled, read in
 * the request's transaction rather than from the cache: two concurrent requests (enabling `tags` while disabling
 * the `notes` it requires) must each see the other's outcome, not the same stale state.
 */
export async function lockEnabledPlugins(db: ScopedDb, tenantId: string): Promise<Set<string>> {
  await db.query("select pg_advisory_xact_lock(hashtext('plinth.tenant_plugins'), hashtext($1))", [tenantId]);
  const rows = await db.query<{ plugin: string }>('select plugin from tenant_plugins where enabled');
  return new Set(rows.map((row) => row.plugin));
}

/**
 * The plugin's tenant tables, children before parents (so deleting in this order satisfies foreign keys).
 * Tables under the longer prefix of another installed plugin are that plugin's (`notes_pins_…` is `notes-pins`', not `notes`').
 */
export async function tenantTablesOf(db: ScopedDb, plugin: Plugin, installed: readonly Plugin[]): Promise<string[]> {
  const prefix = tablePrefix(plugin.name);
  const longerPrefixes = installed.map((other) => tablePrefix(other.name)).filter((other) => other !== prefix && other.startsWith(prefix));
  const tables = await db.query<{ relname: string; parents: string[] }>(
    `select c.relname,
            coalesce(array_agg(p.relname) filter (where p.relname is not null and p.relname <> c.relname), '{}') as parents
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
       left join pg_constraint fk on fk.conrelid = c.oid and fk.contype = 'f'
       left join pg_class p on p.oid = fk.confrelid
      where c.relkind = 'r' and c.relname like $1 and c.relforcerowsecurity
      group by c.relname`,
    [`${prefix.replaceAll('_', '\\_')}%`],
  );
  const own = tables.filter((table) => !longerPrefixes.some((other) => table.relname.startsWith(other)));
  const ordered: string[] = [];
  const pending = new Map(own.map((table) => [table.relname, table.parents]));
  while (pending.size > 0) {
    // A table goes once no other pending table lists it as a parent (its children are already out).
    const ready = [...pending.keys()].filter((name) => ![...pending.entries()].some(([other, parents]) => other !== name && parents.includes(name)));
    if (ready.length === 0) throw new ConflictError(`The tables of ${plugin.name} reference each other in a cycle; purge needs the plugin's help`);
    for (const name of ready.sort()) {
      ordered.push(name);
      pending.delete(name);
    }
  }
  return ordered;
}
