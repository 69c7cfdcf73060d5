import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { PlinthConfig, ProcessRole } from '../config/variables.js';
import { EmbeddedPostgresError } from '../db/embedded-postgres.js';
import { MigrationError } from '../db/migrator.js';
import { PluginError } from '../plugins/plugin-registry.js';
import { runDoctor } from './doctor.js';
import { runMigrate } from './migrate.js';
import { runStart } from './start.js';
import { runUserCreate, UserCommandError } from './user.js';
import { version } from '../version.js';

/** Errors whose message alone tells the user what is wrong; anything else is summarised the same way. */
const expected = [ConfigError, EmbeddedPostgresError, MigrationError, UserCommandError, PluginError];

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
    .description("apply pending database migrations (core's and installed plugins')")
    .option('-s, --status', 'list migrations and whether each is applied, without changing anything')
    .action(async (options: { status?: boolean }) => {
      await runMigrate(await loadConfig(), { statusOnly: options.status === true });
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

  program
    .command('doctor')
    .description('check the configuration, database and Redis, and say how to fix what is wrong')
    .action(async () => {
      process.exitCode = await runDoctor();
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
