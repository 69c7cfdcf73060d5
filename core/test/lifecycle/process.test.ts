import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

// `plinth start` as a host runs it (from the build: `npm test` builds first), with a fixture plugin whose
// requests stay in flight until the process begins to stop, and whose timers throw as a buggy plugin's would.
const bin = fileURLToPath(new URL('../../bin/plinth.js', import.meta.url));
const crasher = fileURLToPath(new URL('./fixtures/crasher.mjs', import.meta.url));

let db: TestDatabase;
const dirs: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Running {
  url: string;
  /** Exit code and when the process exited (performance.now()). */
  exited: Promise<{ code: number | null; at: number }>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

async function startPlinth(): Promise<Running> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'plinth-process-'));
  dirs.push(cwd);
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: db.url,
    LOG_LEVEL: 'info',
    PLINTH_JWT_SECRET: 'process-test-secret-process-test-secret',
    PLINTH_CONSOLE: 'false',
    PLINTH_PLUGINS: crasher,
    PLINTH_SHUTDOWN_TIMEOUT_MS: '10000',
  };
  const child = spawn(process.execPath, [bin, 'start', '--port', '0'], { cwd, env });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /running at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`exited before listening: ${out}`)));
  });
  return { url, exited, output: () => out, kill: (signal) => child.kill(signal) };
}

/** A request through `agent` (keep-alive): when its headers came, and when it was done (status, Connection header, decoded body, time). */
function send(agent: Agent, url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  let started!: (value: { connection: string | undefined }) => void;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary envelopes
  const done = new Promise<{ status: number; connection: string | undefined; body: any; at: number }>((resolve, reject) => {
    const outgoing = request(
      url,
      { agent, method: options.method ?? 'GET', headers: { ...options.headers, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (incoming) => {
        started({ connection: incoming.headers.connection });
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const json = incoming.headers['content-type']?.includes('json');
          resolve({ status: incoming.statusCode!, connection: incoming.headers.connection, body: json ? JSON.parse(text) : text, at: performance.now() });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
  return { started: new Promise<{ connection: string | undefined }>((resolve) => (started = resolve)), done };
}

const call = (agent: Agent, url: string, options?: Parameters<typeof send>[2]) => send(agent, url, options).done;

/** Signs up an owner with a tenant that enables the crasher plugin; returns the headers to call its routes. */
async function tenantWithCrasher(agent: Agent, url: string): Promise<Record<string, string>> {
  const slug = `crash-${randomUUID().slice(0, 8)}`;
  const registered = await call(agent, `${url}/api/v1/auth/register`, {
    method: 'POST',
    body: { email: `${slug}@example.test`, password: `Orbit-${randomUUID()}`, name: 'Owner', tenant: { name: slug, slug } },
  });
  expect(registered.status).toBe(201);
  const headers = { authorization: `Bearer ${registered.body.data.tokens.access_token}`, 'x-tenant': slug };
  const enabled = await call(agent, `${url}/api/v1/marketplace/crasher/enable`, { method: 'POST', headers, body: {} });
  expect(enabled.status).toBe(200);
  return headers;
}

describe('plinth start, as a process', () => {
  it('on SIGTERM, finishes the request and the download in flight and exits 0 right after them, closing idle keep-alive connections', async () => {
    const plinth = await startPlinth();
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const headers = await tenantWithCrasher(agent, plinth.url);
      // One connection is left idle in the agent's pool; others carry a download and a slow request.
      expect(Object.values(agent.freeSockets).flat().length).toBeGreaterThan(0);
      const download = send(agent, `${plinth.url}/api/v1/crasher/export`, { headers });
      // Its headers went out before the shutdown: they say keep-alive.
      expect((await download.started).connection).toBe('keep-alive');
      const slow = call(agent, `${plinth.url}/api/v1/crasher/slow`, { headers });
      // The fixture holds both until SIGTERM.
      expect((await call(agent, `${plinth.url}/api/v1/crasher/slow-entered`, { headers })).status).toBe(200);
      plinth.kill('SIGTERM');
      const [answered, downloaded] = await Promise.all([slow, download.done]);
      expect(answered.status).toBe(200);
      expect(answered.body.data).toEqual({ finished: true });
      expect(answered.connection).toBe('close');
      expect(downloaded.body).toBe('first part;last part');
      const exit = await plinth.exited;
      expect(exit.code).toBe(0);
      // Well under the 10 s shutdown timeout: the process ends when its work does.
      expect(exit.at - Math.max(answered.at, downloaded.at)).toBeLessThan(1000);
    } finally {
      agent.destroy();
      plinth.kill('SIGKILL');
    }
  });

  it.each([
    ['an uncaught exception', 'throw-later', 'uncaught exception'],
    ['an unhandled promise rejection', 'reject-later', 'unhandled promise rejection'],
  ])('after %s, logs it, finishes the request in flight, stops serving and exits 1', async (_what, route, logged) => {
    const plinth = await startPlinth();
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const headers = await tenantWithCrasher(agent, plinth.url);
      const slow = call(agent, `${plinth.url}/api/v1/crasher/slow`, { headers });
      // Schedules its failure once /slow is in its handler, and answers at once.
      const trigger = await call(agent, `${plinth.url}/api/v1/crasher/${route}`, { headers });
      expect(trigger.status).toBe(200);
      const answered = await slow;
      expect(answered.status).toBe(200);
      expect(answered.body.data).toEqual({ finished: true });
      // It was answered while the process drained: the client is told to close the connection.
      expect(answered.connection).toBe('close');
      const exit = await plinth.exited;
      expect(exit.code).toBe(1);
      expect(exit.at).toBeGreaterThanOrEqual(answered.at);
      expect(exit.at - answered.at).toBeLessThan(1000);
      const fatal = plinth
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } })
        .find((line) => line.level === 60);
      expect(fatal?.msg).toContain(logged);
      expect(fatal?.err?.message).toContain('crasher plugin');
    } finally {
      agent.destroy();
      plinth.kill('SIGKILL');
    }
  });
});
