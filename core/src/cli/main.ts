import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { PlinthConfig, ProcessRole } from '../config/variables.js';
import { EmbeddedPostgresError } from '../db/embedded-postgres.js';
import { MigrationError } from '../db/migrator.js';
import { PluginError } from '../plugins/plugin-registry.js';
import { CreatePluginError, runCreatePlugin } from './create-plugin.js';
import { runDoctor } from './doctor.js';
import { runKeysList, runKeysRotate } from './keys.js';
import { runMigrate } from './migrate.js';
import { runPluginList, runPluginUninstall } from './plugin.js';
import { runShardCheck } from './shard-check.js';
import { runStart } from './start.js';
import { runUserCreate, UserCommandError } from './user.js';
import { runTenantExport, runTenantImport } from './tenant.js';
import { TransferError } from '../tenancy/tenant-transfer-archive.js';
import { version } from '../version.js';

/** Errors whose message alone tells the user what is wrong; anything else is summarised the same way. */
const expected = [ConfigError, EmbeddedPostgresError, MigrationError, UserCommandError, PluginError, CreatePluginError, TransferError];

export function buildCli(): Command {
  const program = new Command('plinth')
    .description('Plinth: a self-hostable, multi-tenant platform core')
    .version(version, '-v, --version', 'print the version')
    .showHelpAfterError('(run "plinth --help" for usage)');

  program
    .command('start')
    .description('migrate the database, then serve the API and/or run the job worker')
    .addOption(new Option('-r, --role <role>', 'what this process runs').choices(['api', 'worker', 'all']))
    .option('-p, --port <port>', 'HTTP port (overrides PORT)')
    .action(async (options: { role?: ProcessRole; port?: string }) => {
      const overrides: Partial<PlinthConfig> = {};
      if (options.role) overrides.role = options.role;
      if (options.port !== undefined) overrides.port = Number(options.port);
      await runStart(await loadConfig({ overrides }));
    });

  program
    .command('migrate')
    .description("apply pending database migrations: core's, then the configured plugins' (installing or upgrading them)")
    .addOption(new Option('-s, --status', 'list migrations and whether each is applied, without changing anything').conflicts('plan'))
    .option('--plan', 'print what would run (core and plugins) without running it')
    .action(async (options: { status?: boolean; plan?: boolean }) => {
      process.exitCode = await runMigrate(await loadConfig(), { statusOnly: options.status === true, plan: options.plan === true });
    });

  const plugin = program.command('plugin').description('the plugins this host installs (listed in "plugins" of plinth.config.json or PLINTH_PLUGINS)');
  plugin
    .command('list')
    .description('each configured plugin: version, installed version, migrations applied and pending')
    .action(async () => {
      await runPluginList(await loadConfig());
    });
  plugin
    .command('uninstall <name>')
    .description("run a plugin's down migrations, newest first (deletes its tables and every tenant's data in them)")
    .option('-y, --yes', 'proceed; without it, only print what would be reverted')
    .action(async (name: string, options: { yes?: boolean }) => {
      process.exitCode = await runPluginUninstall(await loadConfig(), name, { yes: options.yes === true });
    });

  program
    .command('create-plugin <name>')
    .description('scaffold a plugin package in the house layout (contract, errors, route, job, tests) that passes its typecheck, lint and tests')
    .option('-d, --dir <path>', 'folder to create (default: ./<name>)')
    .option('--scope <scope>', 'npm scope: the package becomes @scope/plugin-<name> (default: plinth-plugin-<name>)')
    .action((name: string, options: { dir?: string; scope?: string }) => {
      runCreatePlugin(name, options);
    });

  program
    .command('user')
    .description('manage host users')
    .command('create')
    .description('create a user (a host operator with --super-admin); prints a generated password when none is given')
    .requiredOption('--email <email>', 'their email address, used to sign in')
    .requiredOption('--name <name>', 'their display name')
    .option('--password <password>', 'their password (8-128 characters); generated when absent')
    .option('--super-admin', 'may use /api/v1/admin/…')
    .action(async (options: { email: string; name: string; password?: string; superAdmin?: boolean }) => {
      await runUserCreate(await loadConfig(), options);
    });

  const keys = program.command('keys').description('the keys that sign access tokens (published at /.well-known/jwks.json)');
  keys
    .command('rotate')
    .description('make a new signing key active; the old one verifies until its tokens expire, so nobody is signed out')
    .action(async () => {
      await runKeysRotate(await loadConfig());
    });
  keys
    .command('list')
    .description('every signing key: state (active, retired, expired), algorithm and dates')
    .action(async () => {
      await runKeysList(await loadConfig());
    });

  const tenant = program.command('tenant').description('move one tenant between hosts, with its accounts and files (docs/operations/backups.md)');
  tenant
    .command('export <tenant>')
    .description('write a tenant (by slug or id) to one .tar.gz archive: its rows, accounts, files and schedules; changes nothing')
    .requiredOption('-o, --out <file>', 'the archive to write (must not exist)')
    .action(async (name: string, options: { out: string }) => {
      await runTenantExport(await loadConfig(), { tenant: name, out: options.out });
    });
  tenant
    .command('import <file>')
    .description('import a tenant archive into this host, all or nothing (same schema; refused if the tenant or slug exists)')
    .option('--slug <slug>', "import under this slug instead of the archive's")
    .action(async (file: string, options: { slug?: string }) => {
      await runTenantImport(await loadConfig(), { file, ...(options.slug ? { slug: options.slug } : {}) });
    });

  program
    .command('doctor')
    .description('check the configuration, database and Redis, and say how to fix what is wrong')
    .action(async () => {
      process.exitCode = await runDoctor();
    });

  program
    .command('shard-check')
    .description('can every table be sharded by tenant (Citus)? each table distributed or reference, ok or its problems')
    .option('--citus', 'print the create_reference_table/create_distributed_table statements, in order (when ready)')
    .action(async (options: { citus?: boolean }) => {
      process.exitCode = await runShardCheck(await loadConfig(), { citus: options.citus === true });
    });

  program
    .command('version')
    .description('print the version')
    .action(() => console.log(version));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const known = expected.some((type) => error instanceof type);
    const message = error instanceof Error ? error.message : String(error);
    console.error(`plinth: ${known ? message : describeUnexpected(error)}`);
    process.exit(1);
  }
}

function describeUnexpected(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return `cannot connect: ${(error as Error).message} (is the server running? "plinth doctor" checks)`;
  if (code === 'EADDRINUSE') return `the port is already in use: ${(error as Error).message} (set PORT to another one)`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
