import type { Plugin } from '@plinth/sdk';
import type { Knex } from 'knex';
import type { PlinthConfig } from '../config/variables.js';
import { resolveDatabase } from '../db/connect.js';
import { createDatabase } from '../db/database.js';
import { createLogger } from '../logger.js';
import { hostPlugins } from '../plugins/load-plugins.js';
import { pluginMigrationStatus, uninstallPlugin } from '../plugins/plugin-installer.js';
import { orderPlugins, PluginError } from '../plugins/plugin-registry.js';
import { version } from '../version.js';

/** Where a command prints its lines (console.log unless a test collects them). */
export type Print = (line: string) => void;

/** The host's plugins (`plugins` in plinth.config.json, or PLINTH_PLUGINS, and the console), loaded, validated and in dependency order. */
export async function configuredPlugins(config: PlinthConfig, cwd = process.cwd()): Promise<Plugin[]> {
  return orderPlugins(await hostPlugins(config, cwd), version);
}

/** Runs `fn` with a knex on the configured database (the embedded one when DATABASE_URL is unset). */
export async function withDatabase<T>(config: PlinthConfig, fn: (knex: Knex) => Promise<T>): Promise<T> {
  const target = await resolveDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  const database = createDatabase({ url: target.url, poolMax: 2 });
  try {
    return await fn(database.knex);
  } finally {
    await database.destroy();
    await target.release();
  }
}

/** Installed plugin versions by name (none before core's migrations created the table). */
export async function installedVersions(knex: Knex): Promise<Map<string, string>> {
  const exists = (await knex.raw("select to_regclass('plinth_plugins') as found")).rows[0].found !== null;
  const rows: { name: string; version: string }[] = exists ? await knex('plinth_plugins').select('name', 'version').orderBy('name') : [];
  return new Map(rows.map((row) => [row.name, row.version]));
}

/** `plinth plugin list`: each configured plugin with its version, the installed version and its migrations. */
export async function runPluginList(config: PlinthConfig, options: { cwd?: string } = {}, print: Print = console.log): Promise<void> {
  const plugins = await configuredPlugins(config, options.cwd);
  await withDatabase(config, async (knex) => {
    const installed = await installedVersions(knex);
    if (plugins.length === 0) print('No plugins are configured (list them in "plugins" of plinth.config.json, or in PLINTH_PLUGINS).');
    for (const plugin of plugins) {
      const statuses = await pluginMigrationStatus(knex, [plugin]);
      const applied = statuses.filter((status) => status.appliedAt).length;
      const at = installed.get(plugin.name);
      const state = at === undefined ? 'not installed' : at === plugin.version ? 'installed' : `installed ${at}`;
      print(`${plugin.name}  ${plugin.version}  ${state}  migrations: ${applied} applied, ${statuses.length - applied} pending`);
    }
    for (const [name, at] of installed) {
      if (!plugins.some((plugin) => plugin.name === name)) print(`${name}  -  installed ${at}, no longer configured (its tables stay until it is uninstalled)`);
    }
  });
}

/**
 * `plinth plugin uninstall <name> [--yes]`: runs the plugin's `down`
 * migrations, newest first, deleting its tables with every tenant's rows.
 * Without `--yes` it only says what would happen, and returns exit code 1.
 */
export async function runPluginUninstall(
  config: PlinthConfig,
  name: string,
  options: { yes: boolean; cwd?: string },
  print: Print = console.log,
): Promise<number> {
  const plugins = await configuredPlugins(config, options.cwd);
  const plugin = plugins.find((candidate) => candidate.name === name);
  if (!plugin)
    throw new PluginError(
      `plugin \`${name}\` is not in this host's plugins; its package must stay configured until it is uninstalled (its down migrations live there)`,
    );
  const dependents = plugins.filter((other) => name in (other.requires.plugins ?? {})).map((other) => `\`${other.name}\``);
  if (dependents.length > 0) throw new PluginError(`plugin \`${name}\` is required by ${dependents.join(', ')}; uninstall and unconfigure those first`);
  return withDatabase(config, async (knex) => {
    const applied = (await pluginMigrationStatus(knex, [plugin])).filter((status) => status.appliedAt).reverse();
    if (!(await installedVersions(knex)).has(name) && applied.length === 0) {
      print(`Plugin ${name} is not installed; nothing to do.`);
      return 0;
    }
    if (!options.yes) {
      print(`Uninstalling ${name} deletes its tables and every tenant's data in them, reverting:`);
      for (const status of applied) print(`  ${name}/${status.name}`);
      print('Nothing was changed. Run again with --yes to proceed.');
      return 1;
    }
    for (const reverted of await uninstallPlugin(knex, plugin)) print(`reverted  ${name}/${reverted}`);
    print(`Uninstalled ${name}. Remove it from "plugins" in plinth.config.json (or PLINTH_PLUGINS), or the next start installs it again.`);
    return 0;
  });
}
