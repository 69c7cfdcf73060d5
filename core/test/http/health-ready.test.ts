import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { definePlugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoute, Reply } from '../../src/index.js';
import { createTestDatabase, createTestKernel, type TestDatabase, type TestKernel } from '../../src/testing/index.js';
import { serverEnv, withServerClient } from '../../src/testing/test-database.js';
import { startTcpProxy, type TcpProxy } from '../jobs/support/tcp-proxy.js';

/** What the fixture plugin's readiness check does next: pass, throw, or never settle (the 2 s timeout ends it). */
let probeMode: 'pass' | 'throw' | 'hang' = 'pass';

const probePlugin = definePlugin({
  name: 'ready-probe',
  version: '1.0.0',
  title: 'Ready probe',
  description: 'Readiness test fixture',
  category: 'test',
  requires: { core: '>=0.1.0' },
  readiness: ({ logger }) => [
    {
      name: 'model-loaded',
      async check() {
        if (probeMode === 'throw') throw new Error('model file /srv/secret/model.bin is missing');
        if (probeMode === 'hang') await new Promise(() => undefined);
        logger.debug('model loaded');
      },
    },
  ],
});

let database: TestDatabase;
let postgres: TcpProxy;
let redis: TcpProxy;
let t: TestKernel;

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  postgres = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const redisTarget = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redis = await startTcpProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
  t = await createTestKernel({
    // PostgreSQL and Redis only through the proxies, which the tests cut and restore.
    database: { ...database, url: database.url.replace(`${target.hostname}:${target.port || 5432}`, `127.0.0.1:${postgres.port}`) },
    env: { PLINTH_ROLE: 'api', REDIS_URL: `redis://127.0.0.1:${redis.port}`, PLINTH_REDIS_PREFIX: `ready-${randomUUID()}:` },
    plugins: [probePlugin],
  });
  // As in database-outage.test.ts: let the job backend's schema check finish on its own connection before any cut.
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
  await t?.close();
  await postgres?.close();
  await redis?.close();
  await database?.drop();
});

/** Polls until the predicate holds: readiness is re-checked at most once a second, and pools notice an outage on use. */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ready = () => t.request('GET', '/health/ready');
const isStatus = (status: number) => (response: { status: number }) => response.status === status;

/** Asserts a 503 from /health/ready naming exactly `failing` (check → reason), and that /health/live still says 200. */
async function expectNotReady(failing: Record<string, string>) {
  const response = await eventually(
    ready,
    (answer) => answer.status === 503 && Object.entries(failing).every(([name, reason]) => answer.body.errors?.[name]?.[0] === reason),
  );
  expect(response.status).toBe(503);
  expect(response.body).toMatchObject({ success: false, code: 'service_unavailable' });
  expect(response.body.errors).toEqual(Object.fromEntries(Object.entries(failing).map(([name, reason]) => [name, [reason]])));
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const live = await t.request('GET', '/health/live');
  expect(live.status).toBe(200);
}

describe('GET /health/live and /health/ready', () => {
  it('answers 200 with every check, uncached, and is documented in the OpenAPI document', async () => {
    const response = await ready();
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      status: 'ready',
      checks: { database: 'up', redis: 'up', listener: 'idle', storage: 'up', 'ready-probe.model-loaded': 'up' },
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const live = await t.request('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body.data).toEqual({ status: 'alive' });
    expect(live.headers.get('cache-control')).toBe('no-store');
    // Outside tenant routing: a tenant's host header changes nothing.
    expect((await t.request('GET', '/health/live', { headers: { host: 'nobody.example.test' } })).status).toBe(200);
    const document = await t.request('GET', '/api/v1/openapi.json');
    expect(Object.keys(document.body.paths['/health/ready'].get.responses)).toEqual(expect.arrayContaining(['200', '503']));
    expect(document.body.paths['/health/live'].get.security).toEqual([]);
  });

  it('goes 503 naming the database while PostgreSQL is unreachable (live stays 200), and recovers', async () => {
    await postgres.cut();
    try {
      await expectNotReady({ database: 'unreachable' });
    } finally {
      await postgres.restore();
    }
    expect((await eventually(ready, isStatus(200))).status).toBe(200);
  });

  it('goes 503 naming Redis while it is unreachable, and recovers', async () => {
    await redis.cut();
    try {
      await expectNotReady({ redis: 'unreachable' });
    } finally {
      await redis.restore();
    }
    expect((await eventually(ready, isStatus(200), 20_000)).status).toBe(200);
  });

  it('goes 503 naming storage when the files folder cannot be written, and recovers', async () => {
    const root = path.join(t.kernel.config.dataDir, 'files');
    rmSync(root, { recursive: true, force: true });
    // A file where the folder should be: not writable whatever the user (tests may run as root).
    writeFileSync(root, 'not a folder');
    try {
      await expectNotReady({ storage: 'not writable' });
    } finally {
      rmSync(root, { force: true });
      mkdirSync(root);
    }
    expect((await eventually(ready, isStatus(200))).status).toBe(200);
  });

  it("goes 503 naming a plugin's check when it throws or outlives its 2 s, never showing the error's text", async () => {
    probeMode = 'throw';
    try {
      await expectNotReady({ 'ready-probe.model-loaded': 'failed' });
      const response = await ready();
      expect(JSON.stringify(response.body)).not.toContain('/srv/secret');
      probeMode = 'hang';
      const started = performance.now();
      await expectNotReady({ 'ready-probe.model-loaded': 'timed out' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    } finally {
      probeMode = 'pass';
    }
    expect((await eventually(ready, isStatus(200))).status).toBe(200);
  });
});

describe('/health/ready around boot and shutdown', () => {
  let releaseSlow!: () => void;
  const slowReleased = new Promise<void>((resolve) => (releaseSlow = resolve));
  let slowEntered!: () => void;
  const entered = new Promise<void>((resolve) => (slowEntered = resolve));
  let beforeBoot: { status: number; body: string } | undefined;
  let k: TestKernel | undefined;

  afterAll(async () => {
    releaseSlow();
    await k?.close();
  });

  it('answers 503 before the boot has finished, 200 with the listener up on a worker, and 503 from the moment it drains', async () => {
    k = await createTestKernel({
      routes: [
        defineRoute({
          method: 'GET',
          path: '/test/ready/slow',
          summary: 'Answers once the test releases it',
          public: true,
          errors: [],
          async handler() {
            slowEntered();
            await slowReleased;
            return Reply.ok({ finished: true });
          },
        }),
      ],
      // Routes are mounted once the kernel is built: ask before `start` has run.
      async beforeStart(kernel) {
        const server = createServer(kernel.app.callback());
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        beforeBoot = await get(new Agent(), `http://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`);
        await new Promise((resolve) => (server as Server).close(resolve));
      },
    });
    expect(beforeBoot?.status).toBe(503);
    expect(JSON.parse(beforeBoot!.body)).toMatchObject({ code: 'service_unavailable', errors: { process: ['starting'] } });

    const booted = await k.request('GET', '/health/ready');
    expect(booted.status).toBe(200);
    expect(booted.body.data.checks.listener).toBe('up');

    // One connection carries a request that stays in flight; an idle keep-alive one carries the probes meanwhile.
    const probes = new Agent({ keepAlive: true, maxSockets: 1 });
    const slowAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(probes, `${k.url}/health/live`)).status).toBe(200);
      const slow = get(slowAgent, `${k.url}/api/v1/test/ready/slow`);
      await entered;
      const { url } = k;
      const stopped = k.close();
      k = undefined;
      // The kernel begins to drain a moment after `close()`; until then the probe still gets 200.
      const draining = await eventually(
        () => get(probes, `${url}/health/ready`),
        (answer) => answer.status === 503,
      );
      expect(draining.status).toBe(503);
      expect(JSON.parse(draining.body)).toMatchObject({ code: 'service_unavailable', errors: { process: ['draining'] } });
      releaseSlow();
      expect((await slow).status).toBe(200);
      await stopped;
    } finally {
      probes.destroy();
      slowAgent.destroy();
    }
  });
});

/** A GET through `agent`: status and body text. */
function get(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode!, body }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
