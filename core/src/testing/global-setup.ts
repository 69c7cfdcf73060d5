import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase } from '../db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrator.js';
import { coreMigrations } from '../db/migrations/index.js';
import { databaseUrlFor, serverEnv, templateEnv, withServerClient } from './test-database.js';

/**
 * Vitest global setup for Plinth tests: uses the server of `DATABASE_URL`, or
 * starts an embedded PostgreSQL when it is unset; builds one migrated template
 * database per run, which {@link createTestDatabase} clones for each test file.
 */
export default async function setup(): Promise<() => Promise<void>> {
  let embedded: EmbeddedPostgres | undefined;
  let scratch: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    scratch = mkdtempSync(path.join(tmpdir(), 'plinth-test-'));
    chmodSync(scratch, 0o755); // the postgres OS user must be able to enter it when we run as root
    embedded = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres') });
    serverUrl = embedded.url;
  }
  const run = `plinth_test_${randomBytes(3).toString('hex')}`;
  const template = `${run}_template`;
  await withServerClient(serverUrl, (client) => client.query(`create database ${client.escapeIdentifier(template)}`));
  const database = createDatabase({ url: databaseUrlFor(serverUrl, template), poolMax: 1 });
  try {
    await migrate(database.knex, 'core', coreMigrations);
  } finally {
    await database.destroy();
  }
  process.env[serverEnv] = serverUrl;
  process.env[templateEnv] = template;

  return async () => {
    await withServerClient(serverUrl, async (client) => {
      const leftovers = await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${run}%`]);
      for (const { datname } of leftovers.rows) await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
    });
    await embedded?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
}
