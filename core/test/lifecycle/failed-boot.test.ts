import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineMigration, definePlugin } from '@plinth/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createKernel } from '../../src/kernel.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { serverEnv, withServerClient } from '../../src/testing/test-database.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-failed-boot-'));
chmodSync(scratch, 0o755);
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A kernel configuration on a fresh test database (or, with `database: 'embedded'`, on the embedded PostgreSQL). */
async function configFor(database: TestDatabase | 'embedded', env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(scratch, 'kernel-'));
  // The embedded PostgreSQL runs as the "postgres" OS user when we are root: it must be able to enter.
  chmodSync(dataDir, 0o755);
  return loadConfig({
    env: {
      NODE_ENV: 'test',
      ...(database === 'embedded' ? {} : { DATABASE_URL: database.url }),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      PLINTH_DATA_DIR: dataDir,
      PLINTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      ...env,
    },
    cwd: dataDir,
  });
}

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

/** The connections of the kernel's pools (the request pool and the job system's) to `database`. */
const kernelConnections = (database: TestDatabase) =>
  withServerClient(process.env[serverEnv]!, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where datname = $1 and application_name in ('plinth', 'plinth-jobs')",
      [database.name],
    );
    return rows[0]!.n;
  });

// A pool left open keeps its connections for its idle timeout (10 s for the job system's, 30 s for the request
// pool's, the job listener's for good); a closed one's backends exit within moments of the close.
const closedWithin = { timeout: 2000, interval: 50 };

describe('a boot that fails halfway closes what it opened', () => {
  it('when a plugin’s setup throws in start(): no connection of the kernel is left open', async () => {
    const database = await freshDatabase();
    let connectionsAtFailure = 0;
    const broken = definePlugin({
      name: 'broken-setup',
      version: '1.0.0',
      title: 'Broken setup',
      description: 'Its migration fails',
      category: 'testing',
      requires: { core: '>=0.1.0' },
      migrations: [
        defineMigration({
          name: '001-fails',
          async up() {
            connectionsAtFailure = await kernelConnections(database);
            throw new Error('migration 001-fails exploded');
          },
          async down() {},
        }),
      ],
    });
    const kernel = await createKernel(await configFor(database), { plugins: [broken] });
    await expect(kernel.start()).rejects.toThrow(/001-fails exploded/);
    expect(connectionsAtFailure).toBeGreaterThan(0);
    await expect.poll(() => kernelConnections(database), closedWithin).toBe(0);
    // Stopping after a failed start is harmless: everything is closed already.
    await kernel.stop();
  });

  it('when the configuration fails after the database opened: createKernel throws, and the embedded PostgreSQL it started is stopped', async () => {
    // Passes the variable's pattern, but is no URL: it fails when the tenant directory is built, after the database and pools.
    const config = await configFor('embedded', { PLINTH_PUBLIC_URL: 'http://[plinth' });
    const dataDir = path.join(config.dataDir, 'postgres');
    await expect(createKernel(config)).rejects.toThrow(/Invalid URL/);
    // It did start: the cluster exists. Nothing of it runs any more.
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    expect(processesOn(dataDir)).toEqual([]);
  });
});

/** Processes whose command line names `dataDir` (a postmaster runs as `postgres -D <dataDir> …`). */
function processesOn(dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(dataDir)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
