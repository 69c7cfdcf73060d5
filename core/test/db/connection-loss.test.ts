import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endedBeforeRunning } from '../../src/db/database-errors.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { LazyTransaction, runAsSystem } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { serverEnv, withServerClient } from '../../src/testing/test-database.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

let testDb: TestDatabase;
let proxy: TcpProxy;
let database: Database;
let tenant: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const target = new URL(testDb.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  database = createDatabase({ url: proxy.urlFor(testDb.url), poolMax: 2 });
  [tenant] = await runAsSystem(database, async (db) => {
    const rows = await db.query<{ id: string }>("insert into tenants (slug, name) values ('loss-a', 'A') returning id");
    await db.query("insert into roles (tenant_id, name) values ($1, 'loss-role')", [rows[0]!.id]);
    return [rows[0]!.id];
  });
});
afterAll(async () => {
  await database.destroy();
  await proxy.close();
  await testDb.drop();
});

/**
 * Ends every server session of the test database, as a restart or failover does, while the pool's
 * connections sit idle; the proxy holds the server's farewell until the pool next writes on them,
 * so the pool learns of it only when it uses them (the race that made reads fail).
 */
async function terminatePooledConnections(): Promise<void> {
  proxy.holdReplies();
  await withServerClient(process.env[serverEnv]!, async (admin) => {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [testDb.name]);
    // pg_terminate_backend only signals: wait until the sessions are gone, so they are surely dead when used.
    for (;;) {
      const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [testDb.name]);
      if (rows[0]!.n === 0) return;
    }
  });
}

/** Reads the roles in a transaction of its own (a plain read first in the unit), or as the first statement of the unit's (a locking read). */
async function readRoles(tx: LazyTransaction, standalone: boolean) {
  return tx.query<{ name: string }>(standalone ? 'select name from roles' : 'select name from roles for share');
}

describe('a pooled connection that died while idle', () => {
  it.each([
    ['a standalone read (preamble, read and commit in one write)', true],
    ['the first statement of a transaction', false],
  ])('%s is sent again on a new connection and succeeds', async (_name, standalone) => {
    const warm = new LazyTransaction(database, tenant);
    await readRoles(warm, standalone);
    await warm.finish(true);

    await terminatePooledConnections();
    const tx = new LazyTransaction(database, tenant);
    const rows = await readRoles(tx, standalone);
    await tx.finish(true);
    expect(rows.map((row) => row.name)).toEqual(['loss-role']);
  });

  it('a first statement that writes is sent again too, and its row exists once: the dead connection ran nothing', async () => {
    const warm = new LazyTransaction(database, tenant);
    await warm.query('select 1 from roles for share');
    await warm.finish(true);

    await terminatePooledConnections();
    const tx = new LazyTransaction(database, tenant);
    await tx.query("insert into roles (name) values ('written-once')");
    await tx.finish(true);
    const rows = await runAsSystem(database, (db) => db.query("select 1 from roles where name = 'written-once'"));
    expect(rows).toHaveLength(1);
  });

  it('a later statement of a transaction is not sent again: the transaction fails, the caller decides', async () => {
    const tx = new LazyTransaction(database, tenant);
    await tx.query('select 1 from roles for share');
    expect(tx.opened).toBe(true);
    await terminatePooledConnections();
    await expect(tx.query('select name from roles')).rejects.toMatchObject({ code: '57P01' });
    await expect(tx.finish(false)).rejects.toThrow();
    // The pool drops the dead connection instead of handing it out again.
    const after = new LazyTransaction(database, tenant);
    expect(await readRoles(after, false)).toHaveLength(2);
    await after.finish(true);
  });

  it('retries only on proof that the server ran nothing', () => {
    expect(endedBeforeRunning(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(endedBeforeRunning(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    // The socket closed without a word from the server: it may have run everything and died before answering.
    expect(endedBeforeRunning(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(endedBeforeRunning(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
    expect(endedBeforeRunning(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
  });
});
