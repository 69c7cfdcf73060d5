import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, Reply } from '../../src/index.js';
import { createTestDatabase, createTestKernel, type TestDatabase, type TestKernel } from '../../src/testing/index.js';
import { serverEnv, withServerClient } from '../../src/testing/test-database.js';
import { startTcpProxy, type TcpProxy } from '../db/tcp-proxy.js';

let database: TestDatabase;
let proxy: TcpProxy;
let t: TestKernel;

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  t = await createTestKernel({
    // The kernel reaches PostgreSQL only through the proxy, which the tests cut and restore.
    database: { ...database, url: proxy.urlFor(database.url) },
    env: { PLINTH_ROLE: 'api' },
    routes: [
      defineRoute({
        method: 'GET',
        path: '/test/outage/read',
        summary: 'A hot read',
        errors: [],
        public: true,
        handler: async ({ db }) => Reply.ok(await db.prepared('outage-read', 'select count(*)::int as n from pg_class', [])),
      }),
    ],
  });
  // The job backend checks its schema (its last statement: the job log's name index) on a connection of its own
  // right after start; let it finish, so the outage below meets the process at rest. (A connection of that pool
  // lost while checked out is an uncaught 'error' that ends the process: reported, outside this test's scope.)
  await withServerClient(process.env[serverEnv]!, async (admin) => {
    for (;;) {
      const { rows } = await admin.query(
        "select 1 from pg_stat_activity where datname = $1 and application_name = 'plinth-jobs' and state = 'idle' and query like '%plinth_job_logs_job_name_idx%'",
        [database.name],
      );
      if (rows.length > 0) return;
    }
  });
});
afterAll(async () => {
  await t.close();
  await proxy.close();
  await database.drop();
});

/** Polls until the predicate holds: the pool notices a dead or revived server on its next use, not at a known instant. */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the database goes away', () => {
  it('a read succeeds after the server ended the pooled connections (a restart, a failover)', async () => {
    for (let i = 0; i < 3; i++) expect((await t.request('GET', '/api/v1/test/outage/read')).status).toBe(200);
    proxy.holdReplies();
    await withServerClient(process.env[serverEnv]!, async (admin) => {
      // The request pool's sessions (application_name 'plinth'), as a restart ends them.
      const pooled = "datname = $1 and application_name = 'plinth'";
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where ${pooled}`, [database.name]);
      for (;;) {
        const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where ${pooled}`, [database.name]);
        if (rows[0]!.n === 0) break;
      }
    });
    const response = await t.request('GET', '/api/v1/test/outage/read');
    expect(response.status).toBe(200);
  });

  it('answers 503 service_unavailable with Retry-After while PostgreSQL is unreachable, and recovers by itself', async () => {
    await proxy.cut();
    try {
      for (const [method, path, body] of [
        ['GET', '/api/v1/test/outage/read', undefined],
        ['POST', '/api/v1/auth/login', { email: 'nobody@example.com', password: 'correct horse battery' }],
      ] as const) {
        const response = await t.request(method, path, body ? { body } : {});
        expect(response.status, path).toBe(503);
        expect(response.body).toMatchObject({ success: false, code: 'service_unavailable' });
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const health = await t.request('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body.code).toBe('service_unavailable');
      expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await proxy.restore();
    }
    const health = await eventually(
      () => t.request('GET', '/health'),
      (response) => response.status === 200,
    );
    expect(health.status).toBe(200);
    expect((await t.request('GET', '/api/v1/test/outage/read')).status).toBe(200);
  });
});
