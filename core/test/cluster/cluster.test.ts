import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { startS3TestServer, type S3TestServer } from '../files/s3-test-server.js';

// The tested topology of docs/deployment.md, small: two `plinth start --role api` processes and one `--role worker`
// (the build, as a host runs it), sharing one PostgreSQL database, one Redis prefix and one S3-compatible bucket,
// and nothing else (each has its own data dir). The relay fixture plugin stamps each step with the pid that ran it.
const bin = fileURLToPath(new URL('../../bin/plinth.js', import.meta.url));
const relay = fileURLToPath(new URL('./fixtures/relay.mjs', import.meta.url));

interface Process {
  pid: number;
  /** The API's base URL (API roles only). */
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

let database: TestDatabase;
let s3: S3TestServer;
let env: Record<string, string>;
const processes: Process[] = [];
const dirs: string[] = [];

/** A port free at the time of asking (the worker's metrics port must be known before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `plinth start --role <role>` and resolves once it says it is running. */
async function startPlinth(role: 'api' | 'worker', extraEnv: Record<string, string> = {}): Promise<Process> {
  const cwd = mkdtempSync(path.join(tmpdir(), `plinth-cluster-${role}-`));
  dirs.push(cwd);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, 'start', '--role', role, '--port', '0'], {
    cwd,
    env: { ...env, PLINTH_DATA_DIR: cwd, ...extraEnv },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /running at (http:\/\/\S+)|(Plinth worker is running)/.exec(out);
      if (match) resolve(match[1] ?? '');
    });
    void exited.then(() => reject(new Error(`plinth --role ${role} exited before running:\n${out}`)));
  });
  const running: Process = {
    pid: child.pid!,
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  processes.push(running);
  return running;
}

beforeAll(async () => {
  [database, s3] = await Promise.all([createTestDatabase(), startS3TestServer('plinth-cluster')]);
  env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    PLINTH_REDIS_PREFIX: `cluster-${randomUUID()}:`,
    PLINTH_STORAGE_URL: `s3://${s3.accessKeyId}:${s3.secretAccessKey}@${s3.bucket}/host?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`,
    // The secrets every process of a host shares (docs/deployment.md).
    PLINTH_JWT_SECRET: 'cluster-test-secret-cluster-test-secret',
    PLINTH_ENCRYPTION_KEY: 'cluster-test-encryption-key-cluster-test-0123',
    PLINTH_PUBLIC_URL: 'http://127.0.0.1',
    PLINTH_CONSOLE: 'false',
    PLINTH_PLUGINS: relay,
    PLINTH_JOBS_POLL_MS: '200',
    PLINTH_SHUTDOWN_TIMEOUT_MS: '5000',
  };
}, 30_000);

afterAll(async () => {
  await Promise.all(processes.map((running) => running.stop()));
  await s3?.stop();
  await database?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary envelopes
type Body = any;

async function call(base: string, method: string, route: string, options: { headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as Body };
}

/** Polls until `accept` holds, or the deadline passes (then returns the last value, for the assertion to show). */
async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a cluster: two API processes and a worker on one database, Redis and bucket', () => {
  it('serves a request, an event and a job across processes, shares files and cache changes, and both APIs are ready', async () => {
    const bootStarted = performance.now();
    // The first process migrates; the others then start together, as in a rolling deploy.
    const api1 = await startPlinth('api');
    const metricsPort = await freePort();
    const [api2, worker] = await Promise.all([startPlinth('api'), startPlinth('worker', { PLINTH_METRICS_PORT: String(metricsPort) })]);
    console.log(`cluster booted in ${Math.round(performance.now() - bootStarted)} ms`);

    for (const api of [api1, api2]) {
      const ready = await call(api.url, 'GET', '/health/ready');
      expect(ready.status, api.output()).toBe(200);
      expect(ready.body.data.checks).toEqual({ database: 'up', redis: 'up', listener: 'idle', storage: 'up', 'relay.warm': 'up' });
    }

    // An owner signs up and enables the relay plugin, through API 1.
    const slug = `cluster-${randomUUID().slice(0, 8)}`;
    const email = `${slug}@example.test`;
    const registered = await call(api1.url, 'POST', '/api/v1/auth/register', {
      body: { email, password: `Orbit-${randomUUID()}`, name: 'Owner', tenant: { name: slug, slug } },
    });
    expect(registered.status, api1.output()).toBe(201);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('update users set email_verified_at = now() where email = $1', [email]);
    } finally {
      await client.end();
    }
    const headers = { authorization: `Bearer ${registered.body.data.tokens.access_token}`, 'x-tenant': slug };
    expect((await call(api1.url, 'POST', '/api/v1/marketplace/relay/enable', { headers, body: {} })).status).toBe(200);

    // A request through API 1 writes a note that API 2 reads (an access token signed by one, accepted by the other).
    const first = await call(api1.url, 'POST', '/api/v1/relay/notes', { headers, body: { body: 'first' } });
    expect(first.status).toBe(201);
    expect(first.body.data.written_by).toBe(api1.pid);
    const read = await call(api2.url, 'GET', `/api/v1/relay/notes/${first.body.data.id}`, { headers });
    expect(read.status).toBe(200);
    expect(read.body.data.body).toBe('first');

    // A write through API 2 emits an event: the worker handles it and runs the job the handler queued; API 1 sees both.
    const second = await call(api2.url, 'POST', '/api/v1/relay/notes', { headers, body: { body: 'second' } });
    expect(second.status).toBe(201);
    expect(second.body.data.written_by).toBe(api2.pid);
    const workStarted = performance.now();
    const stamped = await eventually(
      () => call(api1.url, 'GET', `/api/v1/relay/notes/${second.body.data.id}`, { headers }),
      (answer) => answer.body.data?.stamped_by !== null,
    );
    console.log(`event handled and job run by the worker within ${Math.round(performance.now() - workStarted)} ms`);
    expect(stamped.body.data).toMatchObject({ handled_by: worker.pid, stamped_by: worker.pid });
    // The worker serves its own metrics on PLINTH_METRICS_PORT: the job it ran is counted there.
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(scraped).toMatch(/^plinth_jobs_total\{name="relay\.note\.stamp",outcome="succeeded"\} [1-9]/m);

    // A file uploaded through API 1 is in the shared bucket: API 2 serves its bytes.
    const form = new FormData();
    form.set('file', new Blob(['shared bytes'], { type: 'text/plain' }), 'shared.txt');
    const uploaded = await fetch(`${api1.url}/api/v1/files`, { method: 'POST', headers, body: form });
    expect(uploaded.status).toBe(201);
    const { data: file } = (await uploaded.json()) as Body;
    const content = await fetch(`${api2.url}/api/v1/files/${file.id}/content`, { headers });
    expect(content.status).toBe(200);
    expect(await content.text()).toBe('shared bytes');

    // A cached change through API 1 (the tenant turns the plugin off) reaches API 2 within a bound.
    expect((await call(api2.url, 'GET', `/api/v1/relay/notes/${first.body.data.id}`, { headers })).status).toBe(200);
    expect((await call(api1.url, 'POST', '/api/v1/marketplace/relay/disable', { headers, body: {} })).status).toBe(200);
    const disabledAt = performance.now();
    const off = await eventually(
      () => call(api2.url, 'GET', `/api/v1/relay/notes/${first.body.data.id}`, { headers }),
      (answer) => answer.status === 404,
      5000,
    );
    const propagationMs = performance.now() - disabledAt;
    console.log(`plugin disabled through API 1 seen by API 2 after ${propagationMs.toFixed(1)} ms`);
    expect(off.body.code).toBe('plugin_not_enabled');
    expect(propagationMs).toBeLessThan(2000);

    // A graceful stop of every process: exit 0.
    expect(await Promise.all([api1, api2, worker].map((running) => running.stop()))).toEqual([0, 0, 0]);
  }, 60_000);
});
