import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, StatementNames, type Database } from '../../src/db/database.js';
import { LazyTransaction, runAsSystem, runInTenant, type ScopedDb } from '../../src/db/scoped-db.js';
import { createTestDatabase, withServerClient, type TestDatabase } from '../../src/testing/test-database.js';

/**
 * Plugin SQL named automatically (docs/adr/0005-plugin-sql-statements.md): a named statement is shared by every
 * tenant that runs its text on a connection, so these tests interleave tenants on one and two connections and
 * break transactions in every place, then look at what the connection carries.
 */
let testDb: TestDatabase;
const pools: Database[] = [];
let tenantA: string;
let tenantB: string;

/** A pool of its own, closed after the file. */
function pool(poolMax: number, statements?: StatementNames): Database {
  const database = createDatabase({ url: testDb.url, poolMax });
  pools.push(database);
  return statements ? { ...database, statements } : database;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  [tenantA, tenantB] = await runAsSystem(pool(1), async (db) => {
    const rows = await db.query<{ id: string }>("insert into tenants (slug, name) values ('names-a', 'A'), ('names-b', 'B') returning id");
    await db.query("insert into roles (tenant_id, name) values ($1, 'only-a'), ($2, 'only-b')", [rows[0]!.id, rows[1]!.id]);
    return [rows[0]!.id, rows[1]!.id];
  });
});
afterAll(async () => {
  for (const database of pools) await database.destroy();
  await testDb.drop();
});

/** Runs `fn` on a connection of `database` outside any scoped transaction (on a pool of one: the one connection). */
/**
 * What the pool's connection holds between transactions: whether it is in one, the named statements, and whether
 * its session's scope (role and tenant) is the one `SessionScopes` recorded — which is what the next transaction
 * relies on to skip setting it (docs/adr/0006-tenant-scope-per-connection.md).
 */
const connectionState = async (database: Database) => {
  const client = await database.acquireAnyScope();
  try {
    const { rows } = await client.query<{ tenant: string; role: string; own_role: boolean; in_transaction: boolean }>(
      "select coalesce(current_setting('app.tenant_id', true), '') as tenant, current_user as role, current_user = session_user as own_role, now() <> statement_timestamp() as in_transaction",
    );
    const { tenant, role, own_role, in_transaction } = rows[0]!;
    const recorded = database.sessionScopes.of(client);
    const named = await client.query<{ statement: string }>("select statement from pg_prepared_statements where name like 'plinth\\_%' order by statement");
    return {
      in_transaction,
      as_recorded: recorded === undefined ? own_role && tenant === '' : recorded === `${role}:${tenant}`,
      named: named.rows.map((row) => row.statement),
    };
  } finally {
    await database.release(client);
  }
};

const rolesText = 'select name from roles order by name';
const names = (rows: { name: string }[]) => rows.map((row) => row.name);

describe('the same text, named once, for every tenant', () => {
  it('on one connection: tenants and the system path take turns, each sees only its rows', async () => {
    const database = pool(1);
    for (let round = 0; round < 4; round++) {
      expect(names(await runInTenant(database, tenantA, (db) => db.query(rolesText)))).toEqual(['only-a']);
      expect(names(await runInTenant(database, tenantB, (db) => db.query(rolesText)))).toEqual(['only-b']);
      expect(names(await runAsSystem(database, (db) => db.query(rolesText)))).toEqual(['only-a', 'only-b']);
      // inside a transaction too (the lock opens it), behind another tenant's use of the name
      expect(
        names(
          await runInTenant(database, tenantB, async (db) => {
            await db.lock('turns');
            return db.query(rolesText);
          }),
        ),
      ).toEqual(['only-b']);
    }
    const state = await connectionState(database);
    expect(state).toMatchObject({ in_transaction: false, as_recorded: true });
    expect(state.named.filter((text) => text === rolesText)).toHaveLength(1);
  });

  it('on two connections: two open transactions of two tenants alternate on the same text', async () => {
    const database = pool(2);
    const a = new LazyTransaction(database, tenantA);
    const b = new LazyTransaction(database, tenantB);
    await Promise.all([a.lock('open'), b.lock('open')]);
    try {
      for (let round = 0; round < 4; round++) {
        const [rowsA, rowsB] = await Promise.all([a.query<{ name: string }>(rolesText), b.query<{ name: string }>(rolesText)]);
        expect([names(rowsA), names(rowsB)]).toEqual([['only-a'], ['only-b']]);
      }
    } finally {
      await Promise.all([a.finish(true), b.finish(true)]);
    }
  });

  it('on two connections: many units of both tenants at once', async () => {
    const database = pool(2);
    const read = (tenant: string) => runInTenant(database, tenant, (db: ScopedDb) => db.query<{ name: string }>(rolesText)).then(names);
    const tenants = Array.from({ length: 40 }, (_, n) => (n % 2 ? tenantA : tenantB));
    const seen = await Promise.all(tenants.map(read));
    expect(seen).toEqual(tenants.map((tenant) => (tenant === tenantA ? ['only-a'] : ['only-b'])));
  });
});

describe('a transaction that fails leaves nothing on the connection', () => {
  it('a statement failing mid-transaction rolls back; the next tenant sees none of it', async () => {
    const database = pool(1);
    await expect(
      runInTenant(database, tenantA, async (db) => {
        await db.query("insert into roles (name) values ('a-rolled-back')");
        await db.query('select 1 / 0 from roles');
      }),
    ).rejects.toThrow(/division by zero/);
    const seenByB = await runInTenant(database, tenantB, (db) =>
      db.one("select current_setting('app.tenant_id', true) as tenant, (select count(*)::int from roles where name <> 'only-b') as others"),
    );
    expect(seenByB).toEqual({ tenant: tenantB, others: 0 });
    expect(await runAsSystem(database, (db) => db.query("select 1 from roles where name = 'a-rolled-back'"))).toEqual([]);
    expect(await connectionState(database)).toMatchObject({ in_transaction: false, as_recorded: true });
  });

  it.each([
    ['a standalone read failing when it runs', 'select 1 / 0 from roles', /division by zero/],
    ['a standalone read failing to parse', 'select no_such_column from roles', /no_such_column/],
    ['a first write failing when it runs', 'insert into roles (name) values (null)', /null value/],
    ['a first write failing to parse', 'insert into roles (no_such_column) values (1)', /no_such_column/],
  ])('%s, in the write with the preamble, leaves the session as recorded', async (_name, text, error) => {
    const database = pool(1);
    for (let run = 0; run < 3; run++) {
      // three runs: unnamed, then named on its second sighting (a Parse that may fail), then named
      await expect(runInTenant(database, tenantA, (db) => db.query(text))).rejects.toThrow(error);
      expect(await connectionState(database)).toMatchObject({ in_transaction: false, as_recorded: true });
    }
    expect(names(await runInTenant(database, tenantB, (db) => db.query(rolesText)))).toEqual(['only-b']);
  });

  it('a preamble that fails leaves the session as recorded either', async () => {
    const database = pool(1);
    const tx = new LazyTransaction(database, tenantA);
    breakScope(tx, tenantA);
    await expect(tx.query(rolesText)).rejects.toThrow(/no_such_role/);
    await tx.finish(true);
    expect(await connectionState(database)).toMatchObject({ in_transaction: false, as_recorded: true });
  });
});

describe('which texts are named', () => {
  it('names a text from its second sighting; texts seen once (literals built in) stay unnamed', async () => {
    const database = pool(1);
    for (let n = 0; n < 300; n++) await runInTenant(database, tenantA, (db) => db.query(`select ${n} as n from roles where name = 'only-a'`));
    expect((await connectionState(database)).named).toEqual([]);
    await runInTenant(database, tenantA, (db) => db.query(rolesText));
    expect((await connectionState(database)).named).toEqual([]);
    await runInTenant(database, tenantA, (db) => db.query(rolesText));
    expect((await connectionState(database)).named).toEqual([rolesText]);
  });

  it('leaves a statement with an array parameter unnamed: a plan for any parameters would assume ten elements', async () => {
    const database = pool(1);
    const text = 'select name from roles where name = any($1::text[])';
    for (let run = 0; run < 3; run++)
      expect(names(await runInTenant(database, tenantA, (db) => db.query<{ name: string }>(text, [['only-a', 'only-b']])))).toEqual(['only-a']);
    expect((await connectionState(database)).named).toEqual([]);
  });

  it('runs several statements in one text as before: unnamed, by the simple protocol', async () => {
    const database = pool(1);
    for (let run = 0; run < 3; run++)
      await runInTenant(database, tenantA, (db) => db.query("insert into roles (name) values ('multi'); delete from roles where name = 'multi'"));
    expect((await connectionState(database)).named).toEqual([]);
  });

  it('keeps at most the bound per connection, deallocating the least recently used before the next transaction', async () => {
    const database = pool(1, new StatementNames(2));
    const texts = ['a', 'b', 'c'].map((suffix) => `select name, '${suffix}' as suffix from roles`);
    const run = (text: string) => runInTenant(database, tenantA, (db) => db.query<{ name: string }>(text));
    for (const text of texts) for (let n = 0; n < 2; n++) await run(text);
    await run(texts[2]!); // its preamble deallocates the least recently used: the first
    expect((await connectionState(database)).named).toEqual([texts[1], texts[2]]);
    for (let n = 0; n < 2; n++) expect(names(await run(texts[0]!))).toEqual(['only-a']); // named again, parsed anew
    expect((await connectionState(database)).named).toEqual([texts[0], texts[2]]);
  });
});

describe('a named statement whose plan a migration made stale', () => {
  const addColumn = (column: string) =>
    withServerClient(testDb.url, (client) => client.query(`alter table stale_probe add column ${column} text not null default '${column}'`));

  beforeAll(() =>
    withServerClient(testDb.url, async (client) => {
      await client.query('create table stale_probe (id int)');
      await client.query('insert into stale_probe values (1)');
      await client.query('grant select, update on stale_probe to plinth_app');
    }),
  );

  it('is parsed anew, and a read or a first statement is sent again: the caller sees the new columns', async () => {
    const database = pool(1);
    const read = () => runInTenant(database, tenantA, (db) => db.query('select * from stale_probe'));
    const first = () => runInTenant(database, tenantA, (db) => db.query('select * from stale_probe for share'));
    for (let n = 0; n < 2; n++) await Promise.all([read(), first()]);
    await addColumn('one');
    expect(await read()).toEqual([{ id: 1, one: 'one' }]);
    expect(await first()).toEqual([{ id: 1, one: 'one' }]);
  });

  it('fails once when it is not the first statement of the transaction, then works', async () => {
    const database = pool(1);
    const later = () =>
      runInTenant(database, tenantA, async (db) => {
        await db.lock('stale');
        return db.query('select * from stale_probe');
      });
    for (let n = 0; n < 2; n++) await later();
    await addColumn('two');
    await expect(later()).rejects.toMatchObject({ code: '0A000' });
    expect(await later()).toEqual([{ id: 1, one: 'one', two: 'two' }]);
  });
});

/** Breaks `tx`'s scope statement on purpose: it names a role the server does not know (and a scope no session holds). */
function breakScope(tx: LazyTransaction, tenantId: string): void {
  const target = tx as unknown as { scope: { key: string; statement: pg.QueryConfig } };
  target.scope = {
    key: `no_such_role:${tenantId}`,
    statement: { ...target.scope.statement, values: [tenantId, 'no_such_role', ...(target.scope.statement.values ?? []).slice(2)] },
  };
}
