import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Name of the migrated template database of this test run, cloned for every test database. */
export const templateEnv = 'PLINTH_TEST_TEMPLATE';
/** Server URL the test databases are created on. */
export const serverEnv = 'PLINTH_TEST_SERVER_URL';

/** A fresh database of its own for one test file. */
export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database (closing anything still connected). */
  drop(): Promise<void>;
}

/** URL of database `name` on the server of `serverUrl`. */
export function databaseUrlFor(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `fn` with a client connected to the server's maintenance database. */
export async function withServerClient<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a new, already migrated database by cloning this run's template
 * (set up by the global setup). Uses `PLINTH_TEST_SERVER_URL` and
 * `PLINTH_TEST_TEMPLATE`, which the global setup provides.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env[serverEnv];
  const template = process.env[templateEnv];
  if (!serverUrl || !template) {
    throw new Error(
      `createTestDatabase needs the Plinth global setup (globalSetup: '@plinth/core/testing/global-setup') to provide ${serverEnv} and ${templateEnv}`,
    );
  }
  const name = `${template.replace(/_template$/, '')}_${randomBytes(4).toString('hex')}`;
  await withServerClient(serverUrl, (client) => client.query(`create database ${client.escapeIdentifier(name)} template ${client.escapeIdentifier(template)}`));
  return {
    name,
    url: databaseUrlFor(serverUrl, name),
    drop: () =>
      withServerClient(serverUrl, (client) => client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`)).then(() => undefined),
  };
}
