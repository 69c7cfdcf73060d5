import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { runAsSystem, runInTenant, type ScopedDb } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * The micro-measurement behind docs/adr/0005-plugin-sql-statements.md: plugin-style units of work through
 * `runInTenant`, one after another on one pooled connection, counted on the wire through a proxy (round trips,
 * and the protocol messages that make PostgreSQL parse or run something). The counts are asserted; the time per
 * unit, taken on a second pool connected without the proxy, is printed only, since the machine is shared.
 */
const units = 300;

let testDb: TestDatabase;
let proxy: TcpProxy;
let database: Database;
let direct: Database;
let tenant: string;
let roleId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const target = new URL(testDb.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  database = createDatabase({ url: proxy.urlFor(testDb.url), poolMax: 1 });
  direct = createDatabase({ url: testDb.url, poolMax: 1 });
  [tenant, roleId] = await runAsSystem(database, async (db) => {
    const { id } = (await db.one<{ id: string }>("insert into tenants (slug, name) values ('cost', 'C') returning id"))!;
    const role = (await db.one<{ id: string }>("insert into roles (tenant_id, name) values ($1, 'cost-role') returning id", [id]))!;
    return [id, role.id];
  });
});
afterAll(async () => {
  await database.destroy();
  await direct.destroy();
  await proxy.close();
  await testDb.drop();
});

interface Cost {
  roundTrips: number;
  parses: number;
  binds: number;
  simpleQueries: number;
  microseconds: number;
}

/** What one unit costs, averaged over `units` sequential runs after a warm-up. */
async function costOf(unit: (db: ScopedDb) => Promise<unknown>): Promise<Cost> {
  for (let run = 0; run < 5; run++) await runInTenant(database, tenant, unit);
  const before = { roundTrips: proxy.roundTrips, parses: proxy.sent('P'), binds: proxy.sent('B'), simpleQueries: proxy.sent('Q') };
  for (let run = 0; run < units; run++) await runInTenant(database, tenant, unit);
  for (let run = 0; run < 5; run++) await runInTenant(direct, tenant, unit);
  const started = performance.now();
  for (let run = 0; run < units; run++) await runInTenant(direct, tenant, unit);
  const elapsed = performance.now() - started;
  return {
    roundTrips: (proxy.roundTrips - before.roundTrips) / units,
    parses: (proxy.sent('P') - before.parses) / units,
    binds: (proxy.sent('B') - before.binds) / units,
    simpleQueries: (proxy.sent('Q') - before.simpleQueries) / units,
    microseconds: Math.round((elapsed * 1000) / units),
  };
}

const read = 'select id, name from roles where id = $1';
const write = 'update roles set name = name where id = $1';

describe('what a plugin-style unit of work costs on the wire (ADR 0005)', () => {
  const costs: Record<string, Cost> = {};
  afterAll(() => console.table(costs));

  it('a query() read: one round trip, nothing parsed once warm', async () => {
    costs['query() read'] = await costOf((db) => db.query(read, [roleId]));
    expect(costs['query() read']).toMatchObject({ roundTrips: 1, parses: 0 });
  });

  it('a one() read: the same', async () => {
    costs['one() read'] = await costOf((db) => db.one(read, [roleId]));
    expect(costs['one() read']).toMatchObject({ roundTrips: 1, parses: 0 });
  });

  it('a prepared() read: the same', async () => {
    costs['prepared() read'] = await costOf((db) => db.prepared('cost-read', read, [roleId]));
    expect(costs['prepared() read']).toMatchObject({ roundTrips: 1, parses: 0 });
  });

  it('a write: the statement with the preamble, then the commit', async () => {
    costs['write'] = await costOf((db) => db.query(write, [roleId]));
    expect(costs['write']).toMatchObject({ roundTrips: 2, parses: 0 });
  });

  it('a read, then a write: one round trip each, and the commit', async () => {
    costs['read, write'] = await costOf(async (db) => {
      await db.query(read, [roleId]);
      await db.query(write, [roleId]);
    });
    expect(costs['read, write']).toMatchObject({ roundTrips: 3, parses: 0 });
  });

  it('three reads: each alone, since none comes after anything that opened the transaction', async () => {
    costs['three reads'] = await costOf(async (db) => {
      for (let n = 0; n < 3; n++) await db.query(read, [roleId]);
    });
    expect(costs['three reads']).toMatchObject({ roundTrips: 3, parses: 0 });
  });

  it('a lock, then three reads: all in the transaction, the first with the preamble', async () => {
    costs['lock, three reads'] = await costOf(async (db) => {
      await db.lock('cost');
      for (let n = 0; n < 3; n++) await db.query(read, [roleId]);
    });
    expect(costs['lock, three reads']).toMatchObject({ roundTrips: 5, parses: 0 });
  });
});
