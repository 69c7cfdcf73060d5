// The SDK's SQL helpers against real PostgreSQL: what they build must mean to the server what their docs say.
import { isUniqueViolation, likePattern, listPage, type TenantDb } from '@plinth/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

let testDb: TestDatabase;
let client: pg.Client;
/** What the helpers need of a TenantDb, on a plain connection (they know nothing of tenants). */
let db: Pick<TenantDb, 'query'>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  client = new pg.Client({ connectionString: testDb.url });
  await client.connect();
  db = { query: async <Row>(text: string, values: readonly unknown[] = []) => (await client.query(text, [...values])).rows as Row[] };
  await db.query('create table helper_words (id serial primary key, word text not null constraint helper_words_word_key unique, even boolean not null)');
  await db.query("insert into helper_words (word, even) select 'word-' || n, n % 2 = 0 from generate_series(1, 25) n");
  await db.query("insert into helper_words (word, even) values ('50%_off', true), ('50 percent off', true), ('back\\slash', false), ('backXslash', false)");
});
afterAll(async () => {
  await client?.end();
  await testDb?.drop();
});

describe('listPage', () => {
  it('pages a filtered list in order and totals it', async () => {
    const sql = { select: 'id, word', from: 'helper_words', where: ["word like 'word-%'", 'even = $1'], orderBy: 'id', values: [false] };
    const first = await listPage<{ id: number; word: string }>(db, sql, { page: 1, per_page: 5 });
    expect(first.items.map((row) => row.word)).toEqual(['word-1', 'word-3', 'word-5', 'word-7', 'word-9']);
    expect(first.total).toBe(13);
    const last = await listPage<{ word: string }>(db, sql, { page: 3, per_page: 5 });
    expect(last.items.map((row) => row.word)).toEqual(['word-21', 'word-23', 'word-25']);
    expect(last.total).toBe(13);
    expect(await listPage(db, sql, { page: 4, per_page: 5 })).toEqual({ items: [], total: 13 });
  });
});

describe('likePattern', () => {
  it('matches percent, underscore and backslash literally with the default escape', async () => {
    const words = async (pattern: string) =>
      (await db.query<{ word: string }>('select word from helper_words where word like $1 order by word', [pattern])).map((row) => row.word);
    expect(await words(likePattern('50%_'))).toEqual(['50%_off']);
    expect(await words(likePattern('k\\s'))).toEqual(['back\\slash']);
    expect(await words(likePattern('word-2', { match: 'prefix' }))).toHaveLength(7);
    expect(await words(likePattern('ord-2', { match: 'prefix' }))).toEqual([]);
  });
});

describe('isUniqueViolation', () => {
  it('recognises the driver error of a duplicate, by constraint', async () => {
    const error = await db.query("insert into helper_words (word, even) values ('word-1', false)").catch((caught: unknown) => caught);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'helper_words_word_key')).toBe(true);
    expect(isUniqueViolation(error, 'helper_words_pkey')).toBe(false);
  });
});
