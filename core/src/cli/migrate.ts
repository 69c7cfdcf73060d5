import type { PlinthConfig } from '../config/variables.js';
import { resolveDatabase } from '../db/connect.js';
import { createDatabase } from '../db/database.js';
import { migrate, migrationStatus } from '../db/migrator.js';
import { coreMigrations } from '../db/migrations/index.js';
import { createLogger } from '../logger.js';

/** `plinth migrate [--status]`. */
export async function runMigrate(config: PlinthConfig, options: { statusOnly: boolean }): Promise<void> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const target = await resolveDatabase(config, logger);
  const database = createDatabase({ url: target.url, poolMax: 2 });
  try {
    if (options.statusOnly) {
      const rows = await migrationStatus(database.knex, 'core', coreMigrations);
      for (const row of rows) {
        console.log(`${row.appliedAt ? 'applied' : 'pending'}  ${row.scope}/${row.name}${row.appliedAt ? `  ${row.appliedAt.toISOString()}` : ''}`);
      }
      const pending = rows.filter((row) => !row.appliedAt).length;
      console.log(pending === 0 ? 'Everything is applied.' : `${pending} pending: run "plinth migrate" to apply.`);
      return;
    }
    const applied = await migrate(database.knex, 'core', coreMigrations);
    for (const name of applied) console.log(`applied  core/${name}`);
    console.log(applied.length === 0 ? 'Nothing to apply.' : `Applied ${applied.length} migration(s).`);
  } finally {
    await database.destroy();
    await target.release();
  }
}
