import path from 'node:path';
import pg from 'pg';
import type { PlinthConfig } from '../config/variables.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** A database URL to use, and how to let go of what was started to provide it. */
export interface DatabaseTarget {
  url: string;
  /** `external` for DATABASE_URL, `embedded` for the server under the data dir. */
  kind: 'external' | 'embedded';
  release(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise starts the embedded PostgreSQL and ensures its `plinth` database. */
export async function resolveDatabase(config: PlinthConfig, logger: Logger): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl, kind: 'external', release: async () => undefined };
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'postgres'),
    onLog: (line) => logger.debug({ source: 'postgres' }, line),
  });
  try {
    await ensureDatabaseExists(embedded.url, 'plinth');
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  logger.info({ port: embedded.port, ms: Date.now() - started }, 'embedded PostgreSQL started');
  return { url: embedded.urlFor('plinth'), kind: 'embedded', release: () => embedded.stop() };
}

/** Creates database `name` on the server of `adminUrl` unless it exists. */
export async function ensureDatabaseExists(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
