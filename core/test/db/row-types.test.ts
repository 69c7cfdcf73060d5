import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { runAsSystem, runInTenant } from '../../src/db/scoped-db.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

let testDb: TestDatabase;
let database: Database;
let tenant: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = createDatabase({ url: testDb.url, poolMax: 1 });
  tenant = await runAsSystem(
    database,
    async (db) => (await db.one<{ id: string }>("insert into tenants (slug, name) values ('row-types', 'R') returning id"))!.id,
  );
});
afterAll(async () => {
  await database.destroy();
  await testDb.drop();
});

const read = (sql: string) => runInTenant(database, tenant, (db) => db.one<{ v: unknown }>(sql));

describe('what a column type comes back as', () => {
  it('bigint: a number while it is exact (counts, sums, ids up to 2^53 − 1)', async () => {
    expect(await read('select count(*) as v from roles')).toEqual({ v: 0 });
    expect(await read('select 9007199254740991::bigint as v')).toEqual({ v: Number.MAX_SAFE_INTEGER });
    expect(await read('select -9007199254740991::bigint as v')).toEqual({ v: -Number.MAX_SAFE_INTEGER });
  });

  it('bigint: a value beyond 2^53 − 1 fails the query instead of coming back rounded', async () => {
    await expect(read('select 9007199254740993::bigint as v')).rejects.toThrow(
      'bigint 9007199254740993 is beyond what a JavaScript number holds exactly (±9007199254740991): select it as text (::text)',
    );
    await expect(read('select -9007199254740993::bigint as v')).rejects.toThrow(RangeError);
    // the connection is not left broken, and ::text reads the value exactly
    expect(await read('select 9007199254740993::bigint::text as v')).toEqual({ v: '9007199254740993' });
  });

  it('bigint[] and numeric: strings, exact', async () => {
    expect(await read('select array[1, 9007199254740993]::bigint[] as v')).toEqual({ v: ['1', '9007199254740993'] });
    expect(await read('select 0.1::numeric + 0.2::numeric as v')).toEqual({ v: '0.3' });
    expect(await read('select 12345678901234567890.123456789::numeric as v')).toEqual({ v: '12345678901234567890.123456789' });
  });

  it('timestamptz: a Date (milliseconds: the microseconds are cut), JSON as UTC ISO 8601', async () => {
    const row = await read("select '2026-12-04 10:00:00.123456+02'::timestamptz as v");
    expect(row!.v).toBeInstanceOf(Date);
    expect(JSON.stringify(row)).toBe('{"v":"2026-12-04T08:00:00.123Z"}');
  });

  it('jsonb: parsed (its numbers are JS numbers, so big integers belong in strings)', async () => {
    expect(await read(`select '{"a": [1, "x", null], "id": "9007199254740993"}'::jsonb as v`)).toEqual({ v: { a: [1, 'x', null], id: '9007199254740993' } });
  });
});
