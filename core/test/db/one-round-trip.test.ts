import { createRequire } from 'node:module';
import type pg from 'pg';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { LazyTransaction, runAsSystem, runInTenant } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-database.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * Pins what docs/adr/0004-one-round-trip-tenant-transactions.md and docs/adr/0005-plugin-sql-statements.md rely
 * on. When this file fails after an upgrade of pg, knex or PostgreSQL, read the ADRs, check the mechanism against
 * the new version, then move the ranges below.
 */
const checkedAgainst = { pg: '>=8.23.1 <9', knex: '>=3.1.0 <4' };

let testDb: TestDatabase;
let proxy: TcpProxy;
let database: Database;
let tenant: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const target = new URL(testDb.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  // One connection, so every statement below travels on the one the proxy counts.
  database = createDatabase({ url: proxy.urlFor(testDb.url), poolMax: 1 });
  tenant = await runAsSystem(database, async (db) => {
    const { id } = (await db.one<{ id: string }>("insert into tenants (slug, name) values ('round-trip', 'R') returning id"))!;
    await db.query("insert into roles (tenant_id, name) values ($1, 'the-one-role')", [id]);
    return id;
  });
});
afterAll(async () => {
  await database.destroy();
  await proxy.close();
  await testDb.drop();
});

/** Round trips `fn` costs on the wire. */
async function roundTripsOf(fn: () => Promise<unknown>): Promise<number> {
  const before = proxy.roundTrips;
  await fn();
  return proxy.roundTrips - before;
}

const scopeRead = "select current_user as role, current_setting('app.tenant_id', true) as tenant";

describe('the one-round-trip tenant transaction (ADR 0004)', () => {
  it('runs on the pg and knex versions it was checked against', () => {
    const require = createRequire(import.meta.url);
    for (const [name, range] of Object.entries(checkedAgainst)) {
      const { version } = require(`${name}/package.json`) as { version: string };
      expect(semver.satisfies(version, range), `${name} ${version} is outside ${range}: re-check ADR 0004`).toBe(true);
    }
  });

  it("finds the pg client's private fields it uses: pipeline mode, a socket that corks, the statements parsed", async () => {
    const client = await database.acquire();
    try {
      expect((client as unknown as { pipeline: unknown }).pipeline).toBe(true);
      const connection = (client as unknown as { connection: { stream: { cork: unknown; uncork: unknown }; parsedStatements: unknown } }).connection;
      expect(typeof connection.stream.cork).toBe('function');
      expect(typeof connection.stream.uncork).toBe('function');
      await client.query({ name: 'pinned', text: 'select 1', values: [] });
      expect(connection.parsedStatements).toMatchObject({ pinned: 'select 1' });
      await client.query('deallocate pinned');
      delete (connection.parsedStatements as Record<string, string>)['pinned'];
    } finally {
      await database.release(client);
    }
  });

  it.each([
    ['query()', (tx: LazyTransaction) => tx.query(scopeRead)],
    ['one()', async (tx: LazyTransaction) => [await tx.one(scopeRead)]],
    ['prepared()', (tx: LazyTransaction) => tx.prepared('scope-read', scopeRead, [])],
    [
      'table()',
      (tx: LazyTransaction) =>
        tx.table('roles').select(tx.table('roles').client.raw("current_user as role, current_setting('app.tenant_id', true) as tenant")).limit(1),
    ],
  ])('a standalone read by %s costs one round trip', async (_name, read) => {
    await new LazyTransaction(database, tenant).query('select 1'); // connects
    for (let run = 0; run < 3; run++) {
      const tx = new LazyTransaction(database, tenant);
      let rows: unknown[] = [];
      expect(await roundTripsOf(async () => (rows = await read(tx)))).toBe(1);
      expect(rows).toEqual([{ role: 'plinth_app', tenant }]);
      expect(tx.opened).toBe(false);
      expect(await roundTripsOf(() => tx.finish(true))).toBe(0);
    }
  });

  it('a standalone read on a connection whose session holds its scope is the one statement sent (ADR 0006)', async () => {
    const other = await runAsSystem(
      database,
      async (db) => (await db.one<{ id: string }>("insert into tenants (slug, name) values ('round-trip-2', 'R2') returning id"))!.id,
    );
    const executes = async (fn: () => Promise<unknown>) => {
      // Statements run: Execute messages (extended protocol) and simple queries (`begin`, `commit`).
      const before = proxy.sent('E') + proxy.sent('Q');
      expect(await roundTripsOf(fn)).toBe(1);
      return proxy.sent('E') + proxy.sent('Q') - before;
    };
    const read = (scope: string) => runInTenant(database, scope, (db) => db.query(scopeRead));
    // Another tenant's read first: the session holds its scope, so this one sets the scope in a transaction of its own.
    await read(other);
    expect(await executes(() => read(tenant))).toBe(4); // begin, scope, read, commit
    expect(await executes(() => read(tenant))).toBe(1); // the read alone
    expect(await read(tenant)).toEqual([{ role: 'plinth_app', tenant }]);
    expect(await executes(() => read(other))).toBe(4);
    expect(await read(other)).toEqual([{ role: 'plinth_app', tenant: other }]);
  });

  it('a transaction costs one round trip per statement plus the commit: the preamble rides with the first', async () => {
    await new LazyTransaction(database, tenant).query('select 1');
    const tx = new LazyTransaction(database, tenant);
    expect(await roundTripsOf(() => tx.query("insert into roles (name) values ('round-trip') returning id"))).toBe(1);
    expect(tx.opened).toBe(true);
    expect(await roundTripsOf(async () => expect(await tx.query(scopeRead)).toEqual([{ role: 'plinth_app', tenant }]))).toBe(1);
    expect(await roundTripsOf(() => tx.finish(false))).toBe(1);
  });

  it('a text that repeats is parsed once per connection, under a name PostgreSQL lists', async () => {
    const text = 'select name from roles where name = $1';
    const parses = proxy.sent('P');
    for (let run = 0; run < 5; run++) await runInTenant(database, tenant, (db) => db.query(text, ['none']));
    // The first sighting goes unnamed (parsed), the second names it (parsed once more), the rest parse nothing.
    expect(proxy.sent('P') - parses).toBe(2);
    const listed = await runInTenant(database, tenant, (db) =>
      db.query<{ name: string }>('select name from pg_prepared_statements where statement = $1', [text]),
    );
    expect(listed).toEqual([{ name: expect.stringMatching(/^plinth_[0-9a-f]{40}$/) }]);
  });

  it('nothing sent behind a failed preamble runs', async () => {
    const tx = new LazyTransaction(database, tenant);
    // Break the preamble on purpose: its parameterised statement names a role the server does not know.
    breakScope(tx, tenant);
    await expect(tx.query("insert into roles (tenant_id, name) values ($1, 'behind-a-failed-preamble')", [tenant])).rejects.toThrow(/no_such_role/);
    await tx.finish(true);
    expect(await runAsSystem(database, (db) => db.query("select 1 from roles where name = 'behind-a-failed-preamble'"))).toEqual([]);
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
