import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimKey } from '../../src/jobs/job-keys.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { remindersPlugin } from './support/reminders-plugin.js';

// Keyed jobs (`enqueue(name, payload, { key })`, `cancel(name, key)`): one pending run per tenant, job and key,
// changed only when the unit's transaction commits, and never brought back by a late or repeated handover.
let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [remindersPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  await t.enable(a, 'reminders');
  await t.enable(b, 'reminders');
});
afterAll(() => t?.close());

type Body = { label: string; delay_ms?: number; fail_times?: number; then_fail?: boolean };
const put = (user: TestUser, key: string, body: Body) => t.request('PUT', `/api/v1/reminders/reminders/${key}`, { headers: user.headers, body });
const cancel = (user: TestUser, key: string, body: { then_fail?: boolean } = {}) =>
  t.request('POST', `/api/v1/reminders/reminders/${key}/cancel`, { headers: user.headers, body });
const sent = async (user: TestUser, key: string) =>
  ((await t.request('GET', '/api/v1/reminders/sent', { headers: user.headers })).body.data as { key: string; label: string; attempt: number }[]).filter(
    (row) => row.key === key,
  );
/** The data of the tenant's queued (not yet running) copies of the key's job. */
const queued = (user: TestUser, key: string) =>
  t.sql<{ data: { tenantId: string; payload: unknown; key: string; token: string } }>(
    `select data from plinth_jobs where name = 'reminders.send' and data->>'tenantId' = $1 and data->>'key' = $2 and next_run_at is not null and locked_at is null`,
    [user.tenant!.id, key],
  );
const keyRow = (user: TestUser, key: string) =>
  t.sql<{ token: string; started: boolean }>('select token, started_at is not null as started from plinth_job_keys where tenant_id = $1 and key = $2', [
    user.tenant!.id,
    key,
  ]);
/** Hands a copy of a job to the job system directly, as a late after-commit or a sweeper's handover would. */
const handOver = (data: unknown) => t.kernel.services.jobs.enqueue('reminders.send', data);
const poll = { timeout: 15_000, interval: 50 };

describe('keyed jobs', () => {
  it('replace the pending run: one run, with the new payload; a late copy of the old one does not run', async () => {
    expect((await put(a, 'r1', { label: 'old', delay_ms: 60_000 })).status).toBe(200);
    const [old] = await queued(a, 'r1');
    expect(old?.data.payload).toEqual({ key: 'r1', label: 'old', failTimes: 0 });
    expect((await put(a, 'r1', { label: 'new', delay_ms: 300 })).status).toBe(200);
    await expect.poll(() => sent(a, 'r1'), poll).toEqual([{ key: 'r1', label: 'new', attempt: 1 }]);
    // The old run was removed from the queue, and a copy of it handed over late skips.
    expect(await queued(a, 'r1')).toEqual([]);
    await handOver(old!.data);
    await t.drainJobs();
    expect(await sent(a, 'r1')).toEqual([{ key: 'r1', label: 'new', attempt: 1 }]);
    // The key is free again once its run succeeded.
    expect(await keyRow(a, 'r1')).toEqual([]);
  });

  it('cancel the pending run: it never runs, not even from a late copy', async () => {
    expect((await put(a, 'c1', { label: 'never', delay_ms: 60_000 })).status).toBe(200);
    const [pending] = await queued(a, 'c1');
    expect((await cancel(a, 'c1')).status).toBe(200);
    await expect.poll(() => queued(a, 'c1'), poll).toEqual([]);
    expect(await keyRow(a, 'c1')).toEqual([]);
    await handOver(pending!.data);
    await t.drainJobs();
    expect(await sent(a, 'c1')).toEqual([]);
    // Cancelling a key with nothing pending is a no-op.
    expect((await cancel(a, 'nothing-here')).status).toBe(200);
  });

  it('change nothing when the transaction rolls back: neither a replace, a cancel nor a first enqueue', async () => {
    expect((await put(a, 'rb', { label: 'kept', delay_ms: 500 })).status).toBe(200);
    const [before] = await keyRow(a, 'rb');
    expect((await put(a, 'rb', { label: 'rolled back', delay_ms: 0, then_fail: true })).status).toBe(409);
    expect((await cancel(a, 'rb', { then_fail: true })).status).toBe(409);
    expect(await keyRow(a, 'rb')).toEqual([before]);
    await expect.poll(() => sent(a, 'rb'), poll).toEqual([{ key: 'rb', label: 'kept', attempt: 1 }]);

    expect((await put(a, 'rb-new', { label: 'never', then_fail: true })).status).toBe(409);
    expect(await keyRow(a, 'rb-new')).toEqual([]);
    expect(await t.sql("select 1 from plinth_job_outbox where data->>'key' = 'rb-new'")).toEqual([]);
    expect(await queued(a, 'rb-new')).toEqual([]);
  });

  it("keep keys per tenant: A's replace and cancel never touch B's job of the same key", async () => {
    expect((await put(a, 'shared', { label: 'a', delay_ms: 60_000 })).status).toBe(200);
    expect((await put(b, 'shared', { label: 'b', delay_ms: 400 })).status).toBe(200);
    expect((await put(a, 'shared', { label: 'a2', delay_ms: 60_000 })).status).toBe(200);
    expect((await cancel(a, 'shared')).status).toBe(200);
    await expect.poll(() => sent(b, 'shared'), poll).toEqual([{ key: 'shared', label: 'b', attempt: 1 }]);
    expect(await sent(a, 'shared')).toEqual([]);
    expect(await queued(a, 'shared')).toEqual([]);
  });

  it('replace or cancel an intent still in the job outbox (its process died before handing it over)', async () => {
    expect((await put(a, 'o1', { label: 'outboxed', delay_ms: 60_000 })).status).toBe(200);
    const [current] = await keyRow(a, 'o1');
    // What a crash between the commit and the handover leaves behind.
    await t.sql(`insert into plinth_job_outbox (tenant_id, name, data, created_at) values ($1, 'reminders.send', $2, now() - interval '1 minute')`, [
      a.tenant!.id,
      JSON.stringify({ tenantId: a.tenant!.id, payload: { key: 'o1', label: 'outboxed' }, key: 'o1', token: current!.token }),
    ]);
    expect((await cancel(a, 'o1')).status).toBe(200);
    expect(await t.sql("select 1 from plinth_job_outbox where data->>'key' = 'o1'")).toEqual([]);
  });

  it('run a keyed job again after a failed attempt; once started, a cancel is a no-op and only that job runs it', async () => {
    expect((await put(a, 'retry', { label: 'persistent', fail_times: 1 })).status).toBe(200);
    await expect.poll(() => sent(a, 'retry'), poll).toEqual([{ key: 'retry', label: 'persistent', attempt: 2 }]);

    expect((await put(a, 'started', { label: 'claimed', delay_ms: 60_000 })).status).toBe(200);
    const [row] = await keyRow(a, 'started');
    const run = { tenantId: a.tenant!.id, name: 'reminders.send', key: 'started', token: row!.token };
    const { database } = t.kernel.services;
    expect(await claimKey(database, run, 'job-1')).toBe(true);
    expect(await claimKey(database, run, 'job-1')).toBe(true); // the same job, retried or taken over after a crash
    expect(await claimKey(database, run, 'job-2')).toBe(false); // a second copy of the same run
    expect((await cancel(a, 'started')).status).toBe(200);
    expect(await keyRow(a, 'started')).toEqual([{ token: row!.token, started: true }]);
  });
});
