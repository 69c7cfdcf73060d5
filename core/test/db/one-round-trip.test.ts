import { createRequire } from 'node:module';
import type pg from 'pg';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { LazyTransaction, runAsSystem } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * Pins what docs/adr/0004-one-round-trip-tenant-transactions.md relies on. When this file fails after an
 * upgrade of pg, knex or PostgreSQL, read the ADR, check the mechanism against the new version, then move the
 * ranges below.
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
  tenant = await runAsSystem(
    database,
    async (db) => (await db.one<{ id: string }>("insert into tenants (slug, name) values ('round-trip', 'R') returning id"))!.id,
  );
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

  it("finds the pg client's private fields it uses: pipeline mode and a socket that corks", async () => {
    const client = await database.acquire();
    try {
      expect((client as unknown as { pipeline: unknown }).pipeline).toBe(true);
      const stream = (client as unknown as { connection: { stream: { cork: unknown; uncork: unknown } } }).connection.stream;
      expect(typeof stream.cork).toBe('function');
      expect(typeof stream.uncork).toBe('function');
    } finally {
      await database.release(client);
    }
  });

  it('a standalone read costs one round trip: preamble, read and commit leave together', async () => {
    await new LazyTransaction(database, tenant).prepared('warm-up', 'select 1', []); // connects
    for (let run = 0; run < 2; run++) {
      const tx = new LazyTransaction(database, tenant);
      let rows: unknown[] = [];
      expect(await roundTripsOf(async () => (rows = await tx.prepared('scope-read', scopeRead, [])))).toBe(1);
      expect(rows).toEqual([{ role: 'plinth_app', tenant }]);
      expect(tx.opened).toBe(false);
    }
  });

  it('a transaction costs one round trip per statement plus the commit: the preamble rides with the first', async () => {
    await new LazyTransaction(database, tenant).prepared('warm-up', 'select 1', []);
    const tx = new LazyTransaction(database, tenant);
    expect(await roundTripsOf(async () => expect(await tx.query(scopeRead)).toEqual([{ role: 'plinth_app', tenant }]))).toBe(1);
    expect(await roundTripsOf(() => tx.query('select 1'))).toBe(1);
    expect(await roundTripsOf(() => tx.finish(true))).toBe(1);
  });

  it('nothing sent behind a failed preamble runs', async () => {
    const tx = new LazyTransaction(database, tenant);
    // Break the preamble on purpose: its parameterised statement names a role the server does not know.
    (tx as unknown as { preamble: pg.QueryConfig[] }).preamble[1]!.values = [tenant, 'no_such_role'];
    await expect(tx.query("insert into roles (tenant_id, name) values ($1, 'behind-a-failed-preamble')", [tenant])).rejects.toThrow(/no_such_role/);
    await tx.finish(true);
    expect(await runAsSystem(database, (db) => db.query("select 1 from roles where name = 'behind-a-failed-preamble'"))).toEqual([]);
  });
});
