import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { isStandaloneRead, LazyTransaction, runAsSystem } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

let testDb: TestDatabase;
let database: Database;
let tenantA: string;
let tenantB: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 2 });
  [tenantA, tenantB] = await runAsSystem(database, async (db) => {
    const rows = await db.query<{ id: string }>("insert into tenants (slug, name) values ('scoped-a', 'A'), ('scoped-b', 'B') returning id");
    await db.query("insert into roles (tenant_id, name) values ($1, 'only-a'), ($2, 'only-b')", [rows[0]!.id, rows[1]!.id]);
    return [rows[0]!.id, rows[1]!.id];
  });
});
afterAll(async () => {
  await database.destroy();
  await testDb.drop();
});

describe('LazyTransaction', () => {
  it('scopes a standalone prepared read to its tenant (one round trip, its own transaction)', async () => {
    for (const [tenant, expected] of [
      [tenantA, 'only-a'],
      [tenantB, 'only-b'],
    ] as const) {
      const tx = new LazyTransaction(database, tenant);
      const rows = await tx.prepared<{ name: string }>('roles-custom', 'select name from roles where name like $1', ['only-%']);
      expect(rows.map((row) => row.name)).toEqual([expected]);
      expect(tx.opened).toBe(false);
      await tx.finish(true);
    }
  });

  it('leaves no tenant or role behind on the pooled connection', async () => {
    const tx = new LazyTransaction(database, tenantA);
    await tx.prepared('roles-count', 'select count(*)::int as n from roles', []);
    await tx.finish(true);
    const client = await database.acquire();
    try {
      const { rows } = await client.query("select current_user = session_user as same_role, coalesce(current_setting('app.tenant_id', true), '') as tenant");
      expect(rows[0]).toEqual({ same_role: true, tenant: '' });
    } finally {
      await database.release(client);
    }
  });

  it('runs statements after a standalone read in the unit transaction, rolled back together', async () => {
    const tx = new LazyTransaction(database, tenantA);
    await tx.prepared('roles-first', 'select id from roles limit 1', []);
    await tx.query("insert into roles (name) values ('rolled-back')");
    expect(tx.opened).toBe(true);
    await tx.finish(false);
    const after = await runAsSystem(database, (db) => db.query("select 1 from roles where name = 'rolled-back'"));
    expect(after).toEqual([]);
  });

  it('keeps a locking read inside the unit transaction', async () => {
    const tx = new LazyTransaction(database, tenantA);
    await tx.prepared('roles-lock', 'select id from roles for update', []);
    expect(tx.opened).toBe(true);
    await tx.finish(true);
  });

  it('reports an error of a standalone read and returns the connection clean', async () => {
    const tx = new LazyTransaction(database, tenantA);
    await expect(tx.prepared('bad', 'select no_such_column from roles', [])).rejects.toThrow(/no_such_column/);
    await tx.finish(true);
    const rows = await new LazyTransaction(database, tenantA).prepared<{ name: string }>('roles-after', "select name from roles where name = 'only-a'", []);
    expect(rows).toHaveLength(1);
  });
});

describe('isStandaloneRead', () => {
  it('lets plain selects run alone, and keeps everything that locks, writes or sets in the unit transaction', () => {
    for (const read of ['select * from roles where id = $1', '  SELECT count(*) from roles', 'select name from roles order by name limit 5'])
      expect(isStandaloneRead(read)).toBe(true);
    for (const other of [
      'select id from roles for update',
      'select id from roles for no key update skip locked',
      'select pg_advisory_xact_lock(1)',
      "select nextval('s')",
      "select set_config('app.tenant_id', $1, true)",
      'select * into roles_copy from roles',
      'with x as (delete from roles returning *) select * from x',
      'insert into roles (name) values ($1)',
    ])
      expect(isStandaloneRead(other)).toBe(false);
  });
});
