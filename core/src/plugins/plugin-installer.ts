import type { MigrationContext, Plugin, PluginMigration } from '@plinth/sdk';
import type { Knex } from 'knex';
import semver from 'semver';
import { checksumOf, migrate, migrationStatus, rollback, type Migration, type MigrationStatus } from '../db/migrator.js';
import { makeShardReady, revertShardReady } from '../db/shard-keys.js';
import { createTenantTable, enableUnitScope } from '../db/tenant-tables.js';
import { withTimeout } from '../util/timeout.js';
import { PluginError, tablePrefix } from './plugin-registry.js';

/** Core's migration wrapper around a plugin's migration; the checksum is the plugin code's own. */
function toCoreMigration(plugin: Plugin, migration: PluginMigration): Migration {
  return {
    name: migration.name,
    checksum: checksumOf({ up: migration.up, down: migration.down }),
    up: (trx) => migration.up(migrationContext(plugin, trx)),
    down: (trx) => migration.down(migrationContext(plugin, trx)),
  };
}

function migrationContext(plugin: Plugin, trx: Knex.Transaction): MigrationContext {
  const prefix = tablePrefix(plugin.name);
  const checkName = (name: string) => {
    if (!name.startsWith(prefix)) throw new PluginError(`plugin \`${plugin.name}\`: table ${name} must be named ${prefix}…`);
  };
  return {
    db: trx,
    async createTenantTable(name, columns, options) {
      checkName(name);
      await createTenantTable(trx, name, columns, options);
    },
    async addUnitScope(name) {
      checkName(name);
      await enableUnitScope(trx, name);
    },
    async declareGlobalTable(name, reason) {
      checkName(name);
      await trx.raw(
        'insert into plinth_global_tables (table_name, plugin, reason) values (?, ?, ?) on conflict (table_name) do update set reason = excluded.reason',
        [name, plugin.name, reason],
      );
      await trx.raw(`grant select, insert, update, delete on "${name}" to plinth_app, plinth_system`);
    },
    async makeShardReady(spec) {
      for (const name of [...(spec.tables ?? []), ...(spec.uniques ?? []).map((unique) => unique.table)]) checkName(name);
      await makeShardReady(trx, spec);
    },
    async revertShardReady(spec) {
      for (const name of [...(spec.tables ?? []), ...(spec.uniques ?? []).map((unique) => unique.table)]) checkName(name);
      await revertShardReady(trx, spec);
    },
  };
}

/** Tables this transaction created or altered (their catalog row carries its transaction id): another process's concurrent DDL is not counted. */
async function tablesTouchedHere(trx: Knex.Transaction): Promise<string[]> {
  const rows: { relname: string }[] = (
    await trx.raw(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text`,
    )
  ).rows;
  return rows.map((row) => row.relname);
}

/**
 * Every table a plugin's migrations created or altered must be named with its
 * prefix, and every table with its prefix must be either a tenant table
 * (forced RLS with the tenant policy) or declared global.
 */
async function verifyTables(trx: Knex.Transaction, plugin: Plugin): Promise<void> {
  const prefix = tablePrefix(plugin.name);
  const foreign = (await tablesTouchedHere(trx)).find(
    (table) => !table.startsWith(prefix) && table !== 'plinth_migrations' && table !== 'plinth_global_tables',
  );
  if (foreign) throw new PluginError(`plugin \`${plugin.name}\`: created or altered table ${foreign}, outside its prefix ${prefix}`);
  const rows: { relname: string; protected: boolean; global: boolean }[] = (
    await trx.raw(
      `select c.relname,
              c.relrowsecurity and c.relforcerowsecurity and exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'tenant_isolation') as protected,
              exists (select 1 from plinth_global_tables g where g.table_name = c.relname) as global
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname like ?`,
      [`${prefix.replaceAll('_', '\\_')}%`],
    )
  ).rows;
  for (const row of rows) {
    if (!row.protected && !row.global) {
      throw new PluginError(
        `plugin \`${plugin.name}\`: table ${row.relname} has no forced Row Level Security with a tenant policy and is not declared global; create it with createTenantTable() or declareGlobalTable()`,
      );
    }
  }
}

/**
 * Installs or upgrades plugins in dependency order: refuses a version lower
 * than the installed one, runs pending migrations (one transaction per
 * plugin), verifies the tables, and records the version. Returns what ran.
 */
export async function installPlugins(knex: Knex, plugins: readonly Plugin[], timeoutMs = 60_000): Promise<{ plugin: string; applied: string[] }[]> {
  const results = [];
  for (const plugin of plugins) {
    const installed = (await knex('plinth_plugins').where({ name: plugin.name }).first('version')) as { version: string } | undefined;
    if (installed && semver.lt(plugin.version, installed.version)) {
      throw new PluginError(`plugin \`${plugin.name}\` ${plugin.version} is older than the installed ${installed.version}; downgrades are refused`);
    }
    let refused = false;
    const migrating = migrate(
      knex,
      plugin.name,
      plugin.migrations.map((migration) => toCoreMigration(plugin, migration)),
      {
        check: async (trx) => async () => {
          // Setup that finishes after the boot was refused (timed out) must not commit behind the refusal.
          if (refused) throw new PluginError(`plugin \`${plugin.name}\`: setup finished after the boot was refused; rolled back`);
          await verifyTables(trx, plugin);
        },
      },
    );
    const applied = await withTimeout(migrating, timeoutMs, `plugin \`${plugin.name}\` setup`).catch((error: unknown) => {
      refused = true;
      throw error instanceof PluginError ? error : new PluginError(`plugin \`${plugin.name}\`: ${(error as Error).message}`, { cause: error });
    });
    await knex.raw(
      `insert into plinth_plugins (name, version) values (?, ?) on conflict (name) do update set version = excluded.version, updated_at = case when plinth_plugins.version = excluded.version then plinth_plugins.updated_at else now() end`,
      [plugin.name, plugin.version],
    );
    results.push({ plugin: plugin.name, applied });
  }
  return results;
}

/** What `plinth migrate --plan` prints: each plugin's migrations and whether they are applied. */
export async function pluginMigrationStatus(knex: Knex, plugins: readonly Plugin[]): Promise<MigrationStatus[]> {
  const statuses: MigrationStatus[] = [];
  for (const plugin of plugins)
    statuses.push(
      ...(await migrationStatus(
        knex,
        plugin.name,
        plugin.migrations.map((migration) => toCoreMigration(plugin, migration)),
      )),
    );
  return statuses;
}

/** Reverts every migration of a plugin (newest first) and forgets it was installed; tenants' enablement rows go too. */
export async function uninstallPlugin(knex: Knex, plugin: Plugin): Promise<string[]> {
  const reverted = await rollback(
    knex,
    plugin.name,
    plugin.migrations.map((migration) => toCoreMigration(plugin, migration)),
  );
  await knex.transaction(async (trx) => {
    await trx.raw('set local role plinth_system');
    await trx('tenant_plugins').where({ plugin: plugin.name }).delete();
  });
  await knex('plinth_global_tables').where({ plugin: plugin.name }).delete();
  await knex('plinth_plugins').where({ name: plugin.name }).delete();
  return reverted;
}
