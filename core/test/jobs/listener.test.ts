import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestKernel, signUp, type TestDatabase, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin } from '../plugins/fixtures/journal-plugin.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

// The worker reaches the database through a proxy that can cut it off. Its poll is a minute long, so a job it
// runs within seconds was announced to it by LISTEN/NOTIFY, on a connection that came back after the outage.
let database: TestDatabase;
let proxy: TcpProxy;
let api: TestKernel;
let worker: TestKernel;
let owner: TestUser;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  api = await createTestKernel({ database, plugins: [journalPlugin], env: { PLINTH_ROLE: 'api' } });
  owner = await signUp(api, { tenant: true });
  await api.enable(owner, 'journal');
  url.host = `127.0.0.1:${proxy.port}`;
  worker = await createTestKernel({
    database: { ...database, url: url.toString() },
    plugins: [journalPlugin],
    env: { PLINTH_ROLE: 'all', PLINTH_JOBS_POLL_MS: '60000' },
  });
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await worker?.close();
  await api?.close();
  await proxy?.close();
  await database?.drop();
});

const health = async () => (await worker.request('GET', '/health')).body.data as { checks: Record<string, string> };
const recorded = async (label: string) =>
  (await api.request('GET', '/api/v1/journal/entries', { headers: owner.headers })).body.data.some(
    (entry: { kind: string; label: string }) => entry.kind === 'job' && entry.label === label,
  );

describe('the job listener', () => {
  it('reconnects after the database comes back, and /health shows its state', async () => {
    expect((await health()).checks).toMatchObject({ jobs: 'up', listener: 'up' });
    expect((await api.request('POST', '/api/v1/journal/jobs', { headers: owner.headers, body: { label: 'before' } })).status).toBe(200);
    await expect.poll(() => recorded('before'), { timeout: 10_000, interval: 50 }).toBe(true);

    await proxy.cut();
    await expect.poll(async () => (await health()).checks, { timeout: 10_000, interval: 100 }).toMatchObject({ db: 'down', listener: 'down' });
    await proxy.restore();
    await expect.poll(async () => (await health()).checks, { timeout: 15_000, interval: 100 }).toMatchObject({ db: 'up', jobs: 'up', listener: 'up' });

    const queued = Date.now();
    expect((await api.request('POST', '/api/v1/journal/jobs', { headers: owner.headers, body: { label: 'after' } })).status).toBe(200);
    await expect.poll(() => recorded('after'), { timeout: 10_000, interval: 50 }).toBe(true);
    // Far sooner than the 60 s poll: the NOTIFY reached the worker.
    expect(Date.now() - queued).toBeLessThan(10_000);
  }, 60_000);
});
