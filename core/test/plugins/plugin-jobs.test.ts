import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { journalPlugin, type JournalEntry } from './fixtures/journal-plugin.js';
import { notesPlugin } from './fixtures/notes-plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, journalPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  await t.enable(a, 'journal');
  await t.enable(b, 'journal');
  await t.drainJobs();
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const knex = () => t.kernel.services.database.knex;
/** The tenant's job entries, read on the system path (works while the plugin is disabled). */
const jobEntries = (user: TestUser, label?: string) =>
  runAsSystem(t.kernel.services.database, (db) =>
    db.query<JournalEntry>(
      "select kind, label, ctx_tenant, db_tenant, attempt, event_id from journal_entries where tenant_id = $1 and kind = 'job' and ($2::text is null or label = $2) order by created_at",
      [user.tenant!.id, label ?? null],
    ),
  );
type JobRow = {
  id: string;
  next_run_at: Date | null;
  repeat_interval: string | null;
  fail_count: number | null;
  fail_reason: string | null;
  data: { tenantId: string; payload: { label: string } };
};
const jobRows = (user: TestUser, filter: { label?: string; repeating?: boolean } = {}) => {
  const query = knex()('plinth_jobs').where({ name: 'journal.record' }).whereRaw("data->>'tenantId' = ?", [user.tenant!.id]);
  if (filter.label) query.whereRaw("data->'payload'->>'label' = ?", [filter.label]);
  if (filter.repeating !== undefined) query[filter.repeating ? 'whereNotNull' : 'whereNull']('repeat_interval');
  return query.select('id', 'next_run_at', 'repeat_interval', 'fail_count', 'fail_reason', 'data') as Promise<JobRow[]>;
};
const runNow = (ids: string[]) => knex()('plinth_jobs').whereIn('id', ids).update({ next_run_at: knex().fn.now() });

describe('plugin jobs', () => {
  it("run with the tenant-bound context: ctx.tenant and the transaction are the enqueuing tenant's", async () => {
    expect((await call(a, 'POST', '/journal/jobs', { label: 'context' })).status).toBe(200);
    await t.drainJobs();
    expect(await jobEntries(a, 'context')).toEqual([
      { kind: 'job', label: 'context', ctx_tenant: a.tenant!.id, db_tenant: a.tenant!.id, attempt: 1, event_id: null },
    ]);
    expect(await jobEntries(b, 'context')).toEqual([]);
    expect((await jobRows(a, { label: 'context' }))[0]!.data).toEqual({ tenantId: a.tenant!.id, payload: { label: 'context', failTimes: 0 } });
  });

  it('pause while the tenant has the plugin disabled, and run once it is enabled again', async () => {
    expect((await call(a, 'POST', '/journal/jobs', { label: 'paused', delay_ms: 3_600_000 })).status).toBe(200);
    const [queued] = await jobRows(a, { label: 'paused' });
    expect(queued!.next_run_at!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect((await call(a, 'POST', '/marketplace/journal/disable')).status).toBe(200);
    await runNow([queued!.id]);
    await t.drainJobs();
    expect(await jobEntries(a, 'paused')).toEqual([]);
    const waiting = (await jobRows(a, { label: 'paused' })).filter((row) => row.next_run_at && row.next_run_at.getTime() > Date.now() + 60_000);
    expect(waiting).toHaveLength(1);

    await t.enable(a, 'journal');
    await runNow(waiting.map((row) => row.id));
    await t.drainJobs();
    expect(await jobEntries(a, 'paused')).toHaveLength(1);
  });

  it('retry a failing job with backoff; the failure is counted with the plugin name and the retry succeeds', async () => {
    expect((await call(a, 'POST', '/journal/jobs', { label: 'flaky', fail_times: 1 })).status).toBe(200);
    await expect.poll(() => jobEntries(a, 'flaky'), { timeout: 15_000, interval: 50 }).toHaveLength(1);
    expect((await jobEntries(a, 'flaky'))[0]!.attempt).toBe(2);
    const metrics = (await t.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/plinth_plugin_failures_total\{plugin="journal",kind="job"\} [1-9]/);
    expect(metrics).toMatch(/plinth_jobs_total\{name="journal.record",outcome="failed"\} [1-9]/);
  });

  it('leave a job that used its retries dead, visible to the tenant (its own only) and to host admins', async () => {
    expect((await call(a, 'POST', '/journal/doomed', { label: 'the impossible' })).status).toBe(200);
    await t.drainJobs();
    const own = await call(a, 'GET', '/jobs?state=dead&name=journal.doomed');
    expect(own.status).toBe(200);
    expect(own.body.data).toHaveLength(1);
    expect(own.body.data[0]).toMatchObject({ name: 'journal.doomed', state: 'dead', tenant_id: a.tenant!.id });
    expect(own.body.data[0].fail_reason).toContain('journal.doomed cannot do the impossible');
    expect((await call(b, 'GET', '/jobs?state=dead&name=journal.doomed')).body.data).toEqual([]);
    const admin = await signUpSuperAdmin(t);
    const listed = await t.request('GET', `/api/v1/admin/jobs?state=dead&tenant_id=${a.tenant!.id}`, { headers: admin.headers });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((job: { name: string }) => job.name)).toContain('journal.doomed');
  });
});

describe('recurring plugin jobs', () => {
  it('keep one schedule per tenant, running in each tenant’s context, beside the one-off runs of the same job', async () => {
    const oneOffs = (await jobRows(a, { repeating: false })).length;
    expect(oneOffs).toBeGreaterThan(0);
    expect((await call(a, 'PUT', '/journal/schedule', { label: 'tick a', interval: '1 hour' })).status).toBe(200);
    expect((await call(a, 'PUT', '/journal/schedule', { label: 'tick a again', interval: '1 hour' })).status).toBe(200);
    expect((await call(b, 'PUT', '/journal/schedule', { label: 'tick b', interval: '1 hour' })).status).toBe(200);
    const scheduleA = await jobRows(a, { repeating: true });
    const scheduleB = await jobRows(b, { repeating: true });
    expect(scheduleA.map((row) => row.data.payload.label)).toEqual(['tick a again']);
    expect(scheduleB.map((row) => row.data.payload.label)).toEqual(['tick b']);
    expect(await jobRows(a, { repeating: false })).toHaveLength(oneOffs);

    await runNow([...scheduleA, ...scheduleB].map((row) => row.id));
    await expect.poll(() => jobEntries(a, 'tick a again'), { timeout: 15_000, interval: 50 }).toHaveLength(1);
    await expect.poll(() => jobEntries(b, 'tick b'), { timeout: 15_000, interval: 50 }).toHaveLength(1);
    expect((await jobEntries(b, 'tick b'))[0]).toMatchObject({ ctx_tenant: b.tenant!.id, db_tenant: b.tenant!.id });
    expect(await jobEntries(a, 'tick b')).toEqual([]);
  });

  it('skip a tenant that disabled the plugin, keeping its schedule', async () => {
    expect((await call(b, 'POST', '/marketplace/journal/disable')).status).toBe(200);
    const [schedule] = await jobRows(b, { repeating: true });
    await runNow([schedule!.id]);
    await expect
      .poll(
        async () =>
          (await knex()('plinth_jobs').where({ id: schedule!.id }).first('last_finished_at', 'next_run_at')) as {
            last_finished_at: Date | null;
            next_run_at: Date;
          },
        { timeout: 15_000, interval: 50 },
      )
      .toSatisfy(
        (row: { last_finished_at: Date | null; next_run_at: Date }) => row.last_finished_at !== null && row.next_run_at.getTime() > Date.now() + 60_000,
      );
    expect(await jobEntries(b, 'tick b')).toHaveLength(1);
    expect(await jobRows(b, { repeating: true })).toHaveLength(1);
    await t.enable(b, 'journal');
  });

  it("cancel only the tenant's schedule: other tenants' schedules and the tenant's queued one-off runs stay", async () => {
    expect((await call(a, 'POST', '/journal/jobs', { label: 'later', delay_ms: 3_600_000 })).status).toBe(200);
    expect((await call(a, 'DELETE', '/journal/schedule')).status).toBe(200);
    expect(await jobRows(a, { repeating: true })).toEqual([]);
    expect(await jobRows(b, { repeating: true })).toHaveLength(1);
    expect(await jobRows(a, { label: 'later' })).toHaveLength(1);
  });
});
