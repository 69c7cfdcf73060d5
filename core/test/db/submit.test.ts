import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submit } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-database.js';

let testDb: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  testDb = await createTestDatabase();
  client = new pg.Client({ connectionString: testDb.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await testDb?.drop();
});

describe('submit', () => {
  it('runs a statement as client.query does: parameters, a name parsed once per connection, rows typed', async () => {
    const config = { text: 'select $1::int + 1 as n, $2::text as t, now() as at', values: [41, 'x'], name: 'submit_test' };
    const first = await submit<{ n: number; t: string; at: Date }>(client, config);
    const second = await submit<{ n: number; t: string; at: Date }>(client, { ...config, values: [1, 'y'] });
    expect(first.rows).toEqual([{ n: 42, t: 'x', at: expect.any(Date) }]);
    expect(second.rows.map(({ n, t }) => ({ n, t }))).toEqual([{ n: 2, t: 'y' }]);
    const parsed = (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
    expect(parsed.submit_test).toBe(config.text);
    expect((await submit(client, { text: 'select 1 as one' })).rows).toEqual([{ one: 1 }]);
  });

  it('rejects with PostgreSQL’s error, whose stack leads back to the caller', async () => {
    async function callerOfSubmit() {
      return await submit(client, { text: 'select $1::int / 0', values: [1] });
    }
    const error = await callerOfSubmit().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: '22012' });
    expect((error as Error).stack).toContain('callerOfSubmit');
    // The connection carries on.
    expect((await submit(client, { text: 'select 2 as two' })).rows).toEqual([{ two: 2 }]);
  });
});
