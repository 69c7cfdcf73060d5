import semver from 'semver';
import type { PlinthConfig } from '../config/variables.js';
import { migrate, migrationStatus, type MigrationStatus } from '../db/migrator.js';
import { coreMigrations } from '../db/migrations/index.js';
import { installPlugins, pluginMigrationStatus } from '../plugins/plugin-installer.js';
import { configuredPlugins, installedVersions, withDatabase, type Print } from './plugin.js';

export interface MigrateOptions {
  /** List every migration and whether it is applied. */
  statusOnly?: boolean;
  /** Print what would run (core's and the configured plugins'), change nothing. */
  plan?: boolean;
  /** Resolves plugin paths (default: the current directory). */
  cwd?: string;
}

/**
 * `plinth migrate [--status | --plan]`: applies core's pending migrations,
 * then installs or upgrades the configured plugins in dependency order.
 * Returns the exit code (1 when the plan shows the install would be refused).
 */
export async function runMigrate(config: PlinthConfig, options: MigrateOptions = {}, print: Print = console.log): Promise<number> {
  const plugins = await configuredPlugins(config, options.cwd);
  return withDatabase(config, async (knex) => {
    if (options.statusOnly || options.plan) {
      const rows = [...(await migrationStatus(knex, 'core', coreMigrations)), ...(await pluginMigrationStatus(knex, plugins))];
      if (options.statusOnly) {
        for (const row of rows)
          print(`${row.appliedAt ? 'applied' : 'pending'}  ${row.scope}/${row.name}${row.appliedAt ? `  ${row.appliedAt.toISOString()}` : ''}`);
        const pending = rows.filter((row) => !row.appliedAt).length;
        print(pending === 0 ? 'Everything is applied.' : `${pending} pending: run "plinth migrate" to apply.`);
        return 0;
      }
      return printPlan(rows, plugins, await installedVersions(knex), print);
    }
    const applied = (await migrate(knex, 'core', coreMigrations)).map((name) => `core/${name}`);
    for (const result of await installPlugins(knex, plugins, config.pluginBootTimeoutMs))
      applied.push(...result.applied.map((name) => `${result.plugin}/${name}`));
    for (const name of applied) print(`applied  ${name}`);
    print(applied.length === 0 ? 'Nothing to apply.' : `Applied ${applied.length} migration(s).`);
    return 0;
  });
}

function printPlan(rows: MigrationStatus[], plugins: readonly { name: string; version: string }[], installed: Map<string, string>, print: Print): number {
  let refused = 0;
  const pending = (scope: string) => rows.filter((row) => row.scope === scope && !row.appliedAt);
  for (const row of pending('core')) print(`would apply  core/${row.name}`);
  for (const plugin of plugins) {
    const at = installed.get(plugin.name);
    if (at !== undefined && semver.lt(plugin.version, at)) {
      print(`refused      ${plugin.name} ${plugin.version} is older than the installed ${at} (downgrades are refused)`);
      refused++;
      continue;
    }
    if (at === undefined) print(`would install  ${plugin.name} ${plugin.version}`);
    else if (at !== plugin.version) print(`would upgrade  ${plugin.name} ${at} → ${plugin.version}`);
    for (const row of pending(plugin.name)) print(`would apply  ${plugin.name}/${row.name}`);
  }
  const count = rows.filter((row) => !row.appliedAt).length;
  if (refused > 0) print(`"plinth migrate" would stop at the refusal above.`);
  else print(count === 0 ? 'Nothing would run.' : `${count} migration(s) would run: run "plinth migrate" to apply them.`);
  return refused > 0 ? 1 : 0;
}
