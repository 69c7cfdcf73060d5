import net from 'node:net';
import { KnexTimeoutError } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseErrorToPlinthError, isConnectionError } from '../../src/db/database-errors.js';
import { defineRoute, Reply, respond } from '../../src/index.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

/** Statements that fail with one SQLSTATE each, run as the owner through knex (wrapped the way knex wraps). */
const ownerStatements: Record<string, [string, unknown[]]> = {
  'not-null': ['insert into dbe_items (id, name) values (1, null)', []],
  'too-long': ["insert into dbe_items (id, name) values (1, 'abcdefgh')", []],
  check: ["insert into dbe_items (id, name, qty) values (1, 'a', -1)", []],
  unique: ["insert into dbe_items (id, name) values (100, 'dup')", []],
  exclusion: ["insert into dbe_bookings (during) values (tstzrange('2030-01-01 10:00Z', '2030-01-01 12:00Z'))", []],
  'fk-missing': ["insert into dbe_items (id, name, parent_id) values (2, 'child', 999)", []],
  'fk-referenced': ['delete from dbe_items where id = 100', []],
};

/** Statements that fail on values alone, run in the request's own transaction (LazyTransaction, raw pg errors). */
const requestStatements: Record<string, [string, unknown[]]> = {
  'bad-int': ["select 'x'::int", []],
  'out-of-range': ['select 2147483647::int + 1', []],
  'bad-date': ["select 'not a date'::date", []],
  'date-overflow': ["select '2024-02-30'::date", []],
  'bad-encoding': ["select convert_from('\\xff'::bytea, 'UTF8')", []],
  'nul-param': ['select $1::text as value', ['a\u0000b']],
  untranslatable: [`select '"\\u0000"'::jsonb ->> 0`, []],
};

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({
    routes: [
      defineRoute({
        method: 'GET',
        path: '/test/db-error/:name',
        summary: 'Raises a database error in the request transaction',
        errors: [],
        public: true,
        handler: async ({ ctx, db }) => {
          const [text, values] = requestStatements[ctx.params.name as string]!;
          return Reply.ok(await db.query(text, values));
        },
      }),
    ],
    beforeStart(kernel) {
      kernel.apiRouter.get('/test/owner-error/:name', async (ctx) => {
        const [text, values] = ownerStatements[ctx.params.name!]!;
        respond(ctx, await kernel.services.database.knex.raw(text, values as never[]));
      });
      kernel.apiRouter.get('/test/terminated', async (ctx) => {
        // A connection the server shuts down under us (57P01, as on a restart or failover).
        const client = new pg.Client({ connectionString: t.database.url });
        client.on('error', () => undefined);
        await client.connect();
        try {
          respond(ctx, await client.query('select pg_terminate_backend(pg_backend_pid())'));
        } finally {
          await client.end().catch(() => undefined);
        }
      });
      kernel.apiRouter.get('/test/refused', async (ctx) => {
        const port = await closedPort();
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'nobody', database: 'none' });
        client.on('error', () => undefined);
        await client.connect();
        respond(ctx, 'unreachable');
      });
    },
  });
  await t.sql(`create table dbe_items (
    id int primary key,
    name varchar(5) not null,
    qty int constraint dbe_items_qty_positive check (qty >= 0),
    parent_id int constraint dbe_items_parent_fk references dbe_items (id)
  )`);
  await t.sql('create table dbe_bookings (during tstzrange, constraint dbe_bookings_no_overlap exclude using gist (during with &&))');
  await t.sql("insert into dbe_items (id, name) values (100, 'dup'), (101, 'kid')");
  await t.sql('update dbe_items set parent_id = 100 where id = 101');
  await t.sql("insert into dbe_bookings (during) values (tstzrange('2030-01-01 09:00Z', '2030-01-01 11:00Z'))");
});
afterAll(() => t.close());

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function expectClean(body: unknown) {
  const raw = JSON.stringify(body);
  for (const leak of ['select', 'insert', 'abcdefgh', 'Failing row', 'violates']) expect(raw).not.toContain(leak);
}

describe('database errors that are the client’s fault answer 4xx, never 500', () => {
  it.each(Object.keys(requestStatements))('422 validation_failed for %s', async (name) => {
    const response = await t.request('GET', `/api/v1/test/db-error/${name}`);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ success: false, code: 'validation_failed' });
    expectClean(response.body);
  });

  it('422 names the column of a not-null violation', async () => {
    const response = await t.request('GET', '/api/v1/test/owner-error/not-null');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: { name: ['is required'] } });
    expect(response.body.message).toBe('name is required');
  });

  it('422 for a string too long and a check violation, naming the check', async () => {
    const long = await t.request('GET', '/api/v1/test/owner-error/too-long');
    expect(long.status).toBe(422);
    expect(long.body.code).toBe('validation_failed');
    expectClean(long.body);
    const check = await t.request('GET', '/api/v1/test/owner-error/check');
    expect(check.status).toBe(422);
    expect(check.body.message).toContain('dbe_items_qty_positive');
    expectClean(check.body);
  });

  it('409 conflict naming the unique constraint and its column', async () => {
    const response = await t.request('GET', '/api/v1/test/owner-error/unique');
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict', errors: { id: ['is already taken'] } });
    expect(response.body.message).toContain('dbe_items_pkey');
    expectClean(response.body);
  });

  it('409 conflict naming the exclusion constraint', async () => {
    const response = await t.request('GET', '/api/v1/test/owner-error/exclusion');
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('conflict');
    expect(response.body.message).toContain('dbe_bookings_no_overlap');
  });

  it('a foreign key to a missing row is 422 on the referencing column; deleting a referenced row is 409', async () => {
    const missing = await t.request('GET', '/api/v1/test/owner-error/fk-missing');
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'validation_failed', errors: { parent_id: ['refers to a record that does not exist'] } });
    expectClean(missing.body);
    const referenced = await t.request('GET', '/api/v1/test/owner-error/fk-referenced');
    expect(referenced.status).toBe(409);
    expect(referenced.body.code).toBe('conflict');
    expect(referenced.body.message).toContain('dbe_items_parent_fk');
  });

  it('a missing table stays 500 internal_error (the server’s fault)', async () => {
    expect(databaseErrorToPlinthError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBeUndefined();
  });
});

describe('a database that cannot be reached answers 503 with Retry-After', () => {
  it('503 service_unavailable when the server terminates the connection (57P01)', async () => {
    const response = await t.request('GET', '/api/v1/test/terminated');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ success: false, code: 'service_unavailable' });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('503 service_unavailable when the connection is refused', async () => {
    const response = await t.request('GET', '/api/v1/test/refused');
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('service_unavailable');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('recognises wrapped and driver-level connection failures', () => {
    const refused = Object.assign(new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })]), {});
    const cases: unknown[] = [
      refused,
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.'),
      new Error('migration failed', { cause: Object.assign(new Error('the database system is starting up'), { code: '57P03' }) }),
      Object.assign(new Error('could not connect'), { code: '08006' }),
    ];
    for (const error of cases) {
      expect(isConnectionError(error)).toBe(true);
      expect(databaseErrorToPlinthError(error)?.status).toBe(503);
    }
    expect(isConnectionError(new Error('syntax error'))).toBe(false);
  });

  it('finds a client error wrapped in causes', () => {
    const wrapped = new Error('service failed', {
      cause: new Error('query failed', { cause: Object.assign(new Error('x'), { code: '23502', column: 'email' }) }),
    });
    expect(databaseErrorToPlinthError(wrapped)).toMatchObject({ status: 422, code: 'validation_failed', errors: { email: ['is required'] } });
  });
});
