import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { LazyTransaction, runAsSystem, runInTenant } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-database.js';

/**
 * The tenant scope kept per pooled connection (docs/adr/0006-tenant-scope-per-connection.md): a session keeps the
 * role and tenant of its last committed transaction, and the next transaction sets them only when they differ. Each
 * test runs on a pool of one connection, so every request below meets the session the one before left, and checks
 * that one tenant's scope never reaches another's request, the system path or knex.
 */
let testDb: TestDatabase;
const pools: Database[] = [];
let tenantA: string;
let tenantB: string;

function pool(): Database {
  const database = createDatabase({ url: testDb.url, poolMax: 1 });
  pools.push(database);
  return database;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  [tenantA, tenantB] = await runAsSystem(pool(), async (db) => {
    const rows = await db.query<{ id: string }>("insert into tenants (slug, name) values ('scope-a', 'A'), ('scope-b', 'B') returning id");
    await db.query("insert into roles (tenant_id, name) values ($1, 'only-a'), ($2, 'only-b')", [rows[0]!.id, rows[1]!.id]);
    return [rows[0]!.id, rows[1]!.id];
  });
});
afterAll(async () => {
  for (const database of pools) await database.destroy();
  await testDb.drop();
});

const roleNames = "select name from roles where name like 'only-%' order by name";
const scopeRead = "select current_user as role, coalesce(current_setting('app.tenant_id', true), '') as tenant";
const namesIn = (database: Database, tenant: string) =>
  runInTenant(database, tenant, (db) => db.query<{ name: string }>(roleNames)).then((rows) => rows.map((row) => row.name));

/** The session's real scope next to the one recorded for it: the next transaction trusts the record. */
async function session(database: Database): Promise<{ actual: string; recorded: string | undefined }> {
  const client = await database.acquireAnyScope();
  try {
    const { rows } = await client.query<{ role: string; tenant: string; own: boolean }>(`${scopeRead}, current_user = session_user as own`);
    const { role, tenant, own } = rows[0]!;
    return { actual: own && tenant === '' ? 'own role, no tenant' : `${role}:${tenant}`, recorded: database.sessionScopes.of(client) ?? 'own role, no tenant' };
  } finally {
    await database.release(client);
  }
}

async function expectAsRecorded(database: Database, scope: string): Promise<void> {
  const { actual, recorded } = await session(database);
  expect(recorded).toBe(actual);
  expect(actual).toBe(scope);
}

describe('a session keeps the scope of its last committed transaction', () => {
  it('tenants, the global path and the system path take turns on one connection; each sees only its own', async () => {
    const database = pool();
    for (let round = 0; round < 3; round++) {
      expect(await namesIn(database, tenantA)).toEqual(['only-a']);
      await expectAsRecorded(database, `plinth_app:${tenantA}`);
      expect(await namesIn(database, tenantB)).toEqual(['only-b']);
      const written = `b-write-${round}`;
      expect(await runInTenant(database, tenantB, (db) => db.query('insert into roles (name) values ($1) returning name', [written]))).toEqual([
        { name: written },
      ]);
      await expectAsRecorded(database, `plinth_app:${tenantB}`);
      expect(await runAsSystem(database, (db) => db.query<{ n: number }>("select count(*)::int as n from roles where name like 'only-%'"))).toEqual([{ n: 2 }]);
      await expectAsRecorded(database, 'plinth_system:');
      expect(await runInTenant(database, 'global' as never, (db) => db.query(roleNames))).toEqual([]);
      await expectAsRecorded(database, 'plinth_app:');
    }
    expect(await runAsSystem(database, (db) => db.query("delete from roles where name like 'b-write-%' returning tenant_id"))).toEqual(
      Array.from({ length: 3 }, () => ({ tenant_id: tenantB })),
    );
  });

  it('a transaction that sets the scope and fails leaves the session in the scope it had, and says so', async () => {
    const database = pool();
    expect(await namesIn(database, tenantA)).toEqual(['only-a']);
    for (const failing of ['select 1 / 0 from roles', 'insert into roles (name) values (null)', 'select no_such_column from roles']) {
      await expect(runInTenant(database, tenantB, (db) => db.query(failing))).rejects.toThrow();
      await expectAsRecorded(database, `plinth_app:${tenantA}`);
      await expect(
        runInTenant(database, tenantB, async (db) => {
          await db.query("insert into roles (name) values ('b-rolled-back')");
          await db.query(failing);
        }),
      ).rejects.toThrow();
      await expectAsRecorded(database, `plinth_app:${tenantA}`);
      expect(await namesIn(database, tenantB)).toEqual(['only-b']);
      expect(await namesIn(database, tenantA)).toEqual(['only-a']);
    }
  });

  it('a transaction whose handler throws rolls back the scope it set with everything else', async () => {
    const database = pool();
    expect(await namesIn(database, tenantA)).toEqual(['only-a']);
    await expect(
      runInTenant(database, tenantB, async (db) => {
        await db.query("insert into roles (name) values ('b-thrown')");
        throw new Error('the handler failed');
      }),
    ).rejects.toThrow('the handler failed');
    await expectAsRecorded(database, `plinth_app:${tenantA}`);
    expect(await runAsSystem(database, (db) => db.query("select 1 from roles where name = 'b-thrown'"))).toEqual([]);
  });

  it('knex and ad-hoc SQL get the session user with no tenant, whatever the last transaction left', async () => {
    const database = pool();
    expect(await namesIn(database, tenantA)).toEqual(['only-a']);
    const viaKnex = (await database.knex.raw(scopeRead)).rows as { role: string; tenant: string }[];
    expect(viaKnex).toEqual([{ role: 'postgres', tenant: '' }]);
    expect(await database.knex('roles').whereIn('name', ['only-a', 'only-b']).count({ n: '*' })).toEqual([{ n: 2 }]);
    await expectAsRecorded(database, 'own role, no tenant');
    expect(await namesIn(database, tenantB)).toEqual(['only-b']);
    const client = await database.acquire();
    try {
      expect((await client.query(scopeRead)).rows).toEqual([{ role: 'postgres', tenant: '' }]);
    } finally {
      await database.release(client);
    }
  });

  it('a session whose connection died is not trusted: the next transaction sets the scope on a new one', async () => {
    const database = pool();
    expect(await namesIn(database, tenantA)).toEqual(['only-a']);
    const { pid } = (await runInTenant(database, tenantA, (db) => db.one<{ pid: number }>('select pg_backend_pid() as pid')))!;
    await pool().knex.raw('select pg_terminate_backend(?)', [pid]);
    expect(await namesIn(database, tenantB)).toEqual(['only-b']);
    await expectAsRecorded(database, `plinth_app:${tenantB}`);
  });

  it('interleaved transactions of two tenants on two connections never see each other', async () => {
    const database = createDatabase({ url: testDb.url, poolMax: 2 });
    pools.push(database);
    const tenants = Array.from({ length: 60 }, (_, n) => (n % 3 ? tenantA : tenantB));
    const seen = await Promise.all(
      tenants.map((tenant, n) =>
        n % 2
          ? namesIn(database, tenant)
          : runInTenant(database, tenant, async (db) => (await db.query<{ name: string }>(`${roleNames} for share`)).map((row) => row.name)),
      ),
    );
    expect(seen).toEqual(tenants.map((tenant) => (tenant === tenantA ? ['only-a'] : ['only-b'])));
  });
});

describe('SQL through a unit of work may not change the session', () => {
  it.each([
    'set role postgres',
    'SET app.tenant_id = DEFAULT',
    ' reset role',
    'reset all',
    "select set_config('app.tenant_id', $1, false)",
    "select pg_catalog.set_config('role', 'postgres', false)",
    'discard all',
    'deallocate all',
    "with x as (select set_config('role', 'postgres', true)) select * from x",
  ])('refuses %s, standalone and inside a transaction; the session stays as recorded', async (text) => {
    const database = pool();
    expect(await namesIn(database, tenantA)).toEqual(['only-a']);
    const values = text.includes('$1') ? [tenantB] : [];
    await expect(runInTenant(database, tenantA, (db) => db.query(text, values))).rejects.toThrow(/may not change session settings/);
    const tx = new LazyTransaction(database, tenantA);
    await tx.query("insert into roles (name) values ('a-before')");
    await expect(tx.query(text, values)).rejects.toThrow(/may not change session settings/);
    await tx.finish(false);
    await expectAsRecorded(database, `plinth_app:${tenantA}`);
    expect(await namesIn(database, tenantA)).toEqual(['only-a']);
  });

  it('an update that sets columns is not a session change', async () => {
    const database = pool();
    await expect(runInTenant(database, tenantA, (db) => db.query("update roles set name = name where name = 'only-a' returning name"))).resolves.toEqual([
      { name: 'only-a' },
    ]);
  });
});

export type { pg };
