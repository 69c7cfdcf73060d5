import path from 'node:path';
import pg from 'pg';
import { configVariables, type PlinthConfig } from '../config/variables.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The data dir when none is configured (`.plinth` in the working directory). */
const dataDirDefault = String(configVariables.find((variable) => variable.key === 'dataDir')?.default ?? '.plinth');

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
  const dataDir = path.join(config.dataDir, 'postgres');
  const embedded = await startEmbeddedPostgres({
    dataDir,
    // The default folder is inside the project; a host's own PLINTH_DATA_DIR is used as given.
    relocate: config.dataDir === path.resolve(dataDirDefault),
    onLog: (line) => logger.debug({ source: 'postgres' }, line),
  });
  if (embedded.dataDir !== path.resolve(dataDir)) {
    logger.info(
      { dataDir: embedded.dataDir },
      `embedded PostgreSQL keeps its data in ${embedded.dataDir}: the "postgres" OS user cannot enter the project folder (PLINTH_DATA_DIR chooses another place)`,
    );
  }
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
