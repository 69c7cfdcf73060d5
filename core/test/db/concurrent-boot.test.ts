import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { migrate } from '../../src/db/migrator.js';
import { coreMigrations } from '../../src/db/migrations/index.js';
import { withServerClient } from '../../src/testing/test-database.js';

// A server of its own: the first boot must meet a cluster where the shared roles do not exist yet.
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-boot-'));
chmodSync(scratch, 0o755);
let server: EmbeddedPostgres;
beforeAll(async () => {
  server = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres') });
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Fresh, empty databases on the server. */
async function freshDatabases(count: number): Promise<string[]> {
  const names = Array.from({ length: count }, () => `plinth_boot_${randomBytes(4).toString('hex')}`);
  await withServerClient(server.url, async (client) => {
    for (const name of names) await client.query(`create database ${client.escapeIdentifier(name)}`);
  });
  return names;
}

describe('several processes booting at once on one PostgreSQL server', () => {
  it('migrate their own databases without tripping over the shared roles (tuple concurrently updated)', async () => {
    // First with the roles absent (they are created concurrently), then present (they are checked concurrently).
    for (let round = 0; round < 2; round++) {
      const names = await freshDatabases(4);
      const databases = names.map((name) => createDatabase({ url: server.urlFor(name), poolMax: 1 }));
      try {
        const results = await Promise.allSettled(databases.map((database) => migrate(database.knex, 'core', coreMigrations)));
        const failures = results.flatMap((result) => (result.status === 'rejected' ? [String((result.reason as Error).message)] : []));
        expect(failures).toEqual([]);
        const roles = await withServerClient(server.url, (client) =>
          client.query<{ rolname: string }>(
            "select rolname from pg_roles where rolname in ('plinth_app', 'plinth_system') and not rolcanlogin and not rolbypassrls order by 1",
          ),
        );
        expect(roles.rows.map((row) => row.rolname)).toEqual(['plinth_app', 'plinth_system']);
      } finally {
        await Promise.all(databases.map((database) => database.destroy()));
      }
    }
  });
});
