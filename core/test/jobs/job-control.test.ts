// Job control (issue 25): priorities that survive the job outbox, a host cap on a job type's concurrency, the dead
// state after the last retry, and the host administrators' retry, cancel and discard, one by one and in bulk.
import { coreServices, definePermissions, definePlugin, Type, type JobPriority } from '@plinth/sdk';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { concurrencyOverride } from '../../src/jobs/jobs.js';
import { deadJobSql } from '../../src/jobs/jobs.routes.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    'ops.ordered': { label: string };
    'ops.capped': { label: string };
    'ops.doomed': { label: string };
    'ops.keyed': { label: string };
  }
}

/** Labels of `ops.ordered` runs in the order they started. */
const started: string[] = [];
/** Labels of successful runs of `ops.capped` and `ops.keyed`. */
const finished: string[] = [];
let running = 0;
let mostRunning = 0;
let failKeyed = true;

/** A promise the test resolves by hand: a running job waits on it. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
const orderedGate = gate();
const cappedGate = gate();

const opsPermissions = definePermissions('ops', { 'ops.run': { description: 'Queue test jobs', grantTo: ['admin'] } });
const Enqueue = Type.Object(
  {
    jobs: Type.Array(
      Type.Object(
        {
          name: Type.Union([Type.Literal('ops.ordered'), Type.Literal('ops.capped'), Type.Literal('ops.doomed'), Type.Literal('ops.keyed')]),
          label: Type.String(),
          priority: Type.Optional(Type.Union(['lowest', 'low', 'normal', 'high', 'highest'].map((name) => Type.Literal(name)))),
          key: Type.Optional(Type.String()),
          delay_ms: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const opsPlugin = definePlugin({
  name: 'ops',
  version: '1.0.0',
  title: 'Ops',
  description: 'Jobs for the job-control tests',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { jobs: coreServices.jobs },
  permissions: opsPermissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/enqueue',
      summary: 'Queues the jobs in order',
      permission: opsPermissions['ops.run'],
      schema: { body: Enqueue, response: Type.Object({ done: Type.Boolean() }) },
      async handler({ body, deps }) {
        for (const job of body.jobs) {
          await deps.jobs.enqueue(
            job.name,
            { label: job.label },
            {
              ...(job.priority ? { priority: job.priority as JobPriority } : {}),
              ...(job.key ? { key: job.key } : {}),
              ...(job.delay_ms ? { delayMs: job.delay_ms } : {}),
            },
          );
        }
        return { done: true };
      },
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'ops.ordered',
      concurrency: 1,
      async run({ payload }) {
        started.push(payload.label);
        if (payload.label === 'gate') await orderedGate.promise;
      },
    }),
    job({
      name: 'ops.capped',
      concurrency: 5,
      async run({ payload }) {
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        await cappedGate.promise;
        running -= 1;
        finished.push(payload.label);
      },
    }),
    job({
      name: 'ops.doomed',
      maxRetries: 0,
      priority: 'high',
      async run({ payload }) {
        throw new Error(`boom: ${payload.label}`);
      },
    }),
    job({
      name: 'ops.keyed',
      maxRetries: 0,
      async run({ payload }) {
        if (failKeyed) throw new Error('keyed fails');
        finished.push(payload.label);
      },
    }),
  ],
});

let t: TestKernel;
let owner: TestUser;
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestKernel({ plugins: [opsPlugin], env: { PLINTH_JOB_CONCURRENCY: 'ops.capped=2,other.*=4' } });
  const user = await signUp(t);
  owner = await signUp(t, { tenant: true });
  const { database, identity } = t.kernel.services;
  await runAsSystem(database, (db) => db.query('update users set is_super_admin = true where id = $1', [user.id]));
  await identity.forget(user.id);
  admin = { authorization: user.headers.authorization! };
  await t.enable(owner, 'ops');
});
afterAll(async () => {
  orderedGate.open();
  cappedGate.open();
  await t.close();
});

const enqueue = async (jobs: { name: string; label: string; priority?: string; key?: string; delay_ms?: number }[]) => {
  const response = await t.request('POST', '/api/v1/ops/enqueue', { headers: owner.headers, body: { jobs } });
  expect(response.status).toBe(200);
};
const jobsOf = (name: string, label?: string) =>
  t.sql<{ id: string; priority: number; fail_count: number | null; next_run_at: Date | null; locked_at: Date | null }>(
    `select id, priority, fail_count, next_run_at, locked_at from plinth_jobs where name = $1 and ($2::text is null or data->'payload'->>'label' = $2) order by created_at`,
    [name, label ?? null],
  );
const adminJobs = async (query: string) => {
  const response = await t.request('GET', `/api/v1/admin/jobs?${query}`, { headers: admin });
  expect(response.status).toBe(200);
  return response.body.data as { id: string; name: string; state: string; priority: string; fail_count: number; fail_reason: string | null }[];
};
const post = (path: string, body?: unknown) => t.request('POST', `/api/v1/admin/jobs${path}`, { headers: admin, body: body ?? {} });
const poll = { timeout: 20_000, interval: 50 };

/** Queues `labels` of `ops.doomed` and waits until each is dead. */
async function deadJobs(labels: string[]): Promise<string[]> {
  await enqueue(labels.map((label) => ({ name: 'ops.doomed', label })));
  await expect
    .poll(
      async () =>
        (await t.sql(`select id from plinth_jobs where name = 'ops.doomed' and ${deadJobSql} and data->'payload'->>'label' = any($1)`, [labels])).length,
      poll,
    )
    .toBe(labels.length);
  return Promise.all(labels.map(async (label) => (await jobsOf('ops.doomed', label))[0]!.id));
}

describe('priorities', () => {
  it('runs a high-priority job queued after low ones first, on a worker running one at a time', async () => {
    await enqueue([{ name: 'ops.ordered', label: 'gate' }]);
    await expect.poll(() => started.includes('gate'), poll).toBe(true);
    await enqueue([
      { name: 'ops.ordered', label: 'low-1', priority: 'low' },
      { name: 'ops.ordered', label: 'low-2', priority: 'low' },
      { name: 'ops.ordered', label: 'low-3', priority: 'low' },
      { name: 'ops.ordered', label: 'urgent', priority: 'high' },
    ]);
    // All four wait in the jobs table (handed over from the outbox) while the gate job holds the only slot.
    await expect.poll(async () => (await jobsOf('ops.ordered')).filter((job) => job.next_run_at && !job.locked_at).length, poll).toBe(4);
    expect((await jobsOf('ops.ordered', 'urgent'))[0]!.priority).toBe(10);
    expect((await jobsOf('ops.ordered', 'low-1'))[0]!.priority).toBe(-10);
    orderedGate.open();
    await expect.poll(() => started.length, poll).toBe(5);
    expect(started[0]).toBe('gate');
    expect(started[1]).toBe('urgent');
    expect(started.slice(2).sort()).toEqual(['low-1', 'low-2', 'low-3']);
  });

  it('keeps the job type’s default priority and shows it in the API', async () => {
    const [id] = await deadJobs(['default-priority']);
    expect((await jobsOf('ops.doomed', 'default-priority'))[0]!.priority).toBe(10);
    expect((await adminJobs('name=ops.doomed&state=dead')).find((job) => job.id === id)?.priority).toBe('high');
  });

  it('keeps a priority through the job outbox when the sweeper queues a job a crash left there', async () => {
    await t.sql(
      `insert into plinth_job_outbox (tenant_id, name, data, priority, created_at) values ($1, 'ops.ordered', $2, 'highest', now() - interval '1 minute')`,
      [owner.tenant!.id, JSON.stringify({ tenantId: owner.tenant!.id, payload: { label: 'swept' } })],
    );
    await t.kernel.services.jobs.enqueue('core.events.sweep', {});
    await expect.poll(async () => (await jobsOf('ops.ordered', 'swept'))[0]?.priority, poll).toBe(20);
    await expect.poll(() => started.includes('swept'), poll).toBe(true);
  });

  it('refuses a priority that is not one of the names', async () => {
    const response = await t.request('POST', '/api/v1/ops/enqueue', {
      headers: owner.headers,
      body: { jobs: [{ name: 'ops.ordered', label: 'x', priority: 'urgent' }] },
    });
    expect(response.status).toBe(422);
  });
});

describe('concurrency', () => {
  it('reads PLINTH_JOB_CONCURRENCY: an exact name first, then the longest prefix', () => {
    const overrides = ['crm.campaign.send=2', 'crm.*=3', 'crm.campaign.*=4'];
    expect(concurrencyOverride(overrides, 'crm.campaign.send')).toBe(2);
    expect(concurrencyOverride(overrides, 'crm.campaign.other')).toBe(4);
    expect(concurrencyOverride(overrides, 'crm.contact.sync')).toBe(3);
    expect(concurrencyOverride(overrides, 'crmx.job')).toBeUndefined();
  });

  it('caps the runs of a job type at once at the host override, below its definition', async () => {
    await enqueue(['c1', 'c2', 'c3', 'c4', 'c5'].map((label) => ({ name: 'ops.capped', label })));
    await expect.poll(() => running, poll).toBe(2);
    // All five handed over from the outbox: two run, three wait although the definition allows five at once.
    await expect.poll(async () => (await jobsOf('ops.capped')).filter((job) => !job.locked_at && job.next_run_at).length, poll).toBe(3);
    const waiting = await jobsOf('ops.capped');
    expect(waiting.filter((job) => job.locked_at).length).toBe(2);
    expect(running).toBe(2);

    // A running job cannot be cancelled (nor retried or discarded): one by one it is refused, in bulk skipped.
    const busy = waiting.find((job) => job.locked_at)!;
    const refused = await post(`/${busy.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('job_running');
    const bulk = await post('/bulk', { action: 'cancel', ids: [busy.id] });
    expect(bulk.status).toBe(200);
    expect(bulk.body.data).toEqual({ action: 'cancel', count: 0, ids: [], skipped: [{ id: busy.id, reason: 'running', state: 'running' }] });

    cappedGate.open();
    await expect.poll(() => finished.filter((label) => label.startsWith('c')).length, poll).toBe(5);
    expect(mostRunning).toBe(2);
  });

  it('refuses a malformed override when the configuration is read', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'plinth-config-'));
    const env = { PLINTH_JWT_SECRET: 'a'.repeat(40) };
    for (const value of ['ops.capped=zero', 'ops.capped=21', 'ops.*.capped=2', 'ops.capped']) {
      await expect(loadConfig({ env: { ...env, PLINTH_JOB_CONCURRENCY: value }, cwd })).rejects.toThrow(/PLINTH_JOB_CONCURRENCY/);
    }
    const config = await loadConfig({ env: { ...env, PLINTH_JOB_CONCURRENCY: 'crm.campaign.send=2,lms.*=1' }, cwd });
    expect(config.jobConcurrency).toEqual(['crm.campaign.send=2', 'lms.*=1']);
  });
});

describe('dead jobs', () => {
  it('are dead once their last retry failed, with their error and attempts, for the host and the tenant', async () => {
    const [id] = await deadJobs(['dead-1']);
    const [job] = (await adminJobs('state=dead&name=ops.doomed')).filter((candidate) => candidate.id === id);
    expect(job).toMatchObject({ state: 'dead', fail_count: 1, fail_reason: 'boom: dead-1' });
    expect((await adminJobs('state=failed&name=ops.doomed')).some((candidate) => candidate.id === id)).toBe(false);
    const tenant = await t.request('GET', '/api/v1/jobs?state=dead&name=ops.doomed', { headers: owner.headers });
    expect(tenant.status).toBe(200);
    expect(tenant.body.data.map((candidate: { id: string }) => candidate.id)).toContain(id);
  });
});

describe('host administrators’ actions, one by one', () => {
  it('retry a dead job now, keeping its attempts: it runs again and, failing, is dead again', async () => {
    const [id] = await deadJobs(['retry-1']);
    const response = await post(`/${id}/retry`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ id, action: 'retry', name: 'ops.doomed', tenant_id: owner.tenant!.id });
    await expect.poll(async () => (await jobsOf('ops.doomed', 'retry-1'))[0]!.fail_count, poll).toBe(2);
    await expect.poll(async () => (await adminJobs('state=dead&name=ops.doomed')).find((job) => job.id === id)?.fail_count, poll).toBe(2);
    const [audit] = await t.sql<{ data: { name: string } }>("select data from host_audit_log where action = 'admin.job.retried' and target_id = $1", [id]);
    expect(audit?.data.name).toBe('ops.doomed');
  });

  it('discard a dead job: it leaves the list', async () => {
    const [id] = await deadJobs(['discard-1']);
    expect((await post(`/${id}/discard`)).status).toBe(200);
    expect(await jobsOf('ops.doomed', 'discard-1')).toEqual([]);
    expect(await t.sql("select 1 from host_audit_log where action = 'admin.job.discarded' and target_id = $1", [id])).toHaveLength(1);
    expect((await post(`/${id}/discard`)).status).toBe(404);
  });

  it('cancel a scheduled job, and refuse to cancel a dead or recurring one', async () => {
    await enqueue([{ name: 'ops.ordered', label: 'later', delay_ms: 3_600_000 }]);
    await expect.poll(async () => (await jobsOf('ops.ordered', 'later')).length, poll).toBe(1);
    const [later] = await jobsOf('ops.ordered', 'later');
    const cancelled = await post(`/${later!.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await jobsOf('ops.ordered', 'later')).toEqual([]);
    expect(await t.sql("select 1 from host_audit_log where action = 'admin.job.cancelled' and target_id = $1", [later!.id])).toHaveLength(1);

    const [dead] = await deadJobs(['not-cancellable']);
    const refused = await post(`/${dead}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('job_state');
    const [recurring] = await t.sql<{ id: string }>('select id from plinth_jobs where repeat_interval is not null and locked_at is null limit 1');
    const schedule = await post(`/${recurring!.id}/cancel`);
    expect(schedule.status).toBe(409);
    expect(schedule.body.code).toBe('job_recurring');
  });

  it('refuse a job that is not dead or failed for retry, an unknown id, a malformed one', async () => {
    const [done] = await t.sql<{ id: string }>("select id from plinth_jobs where name = 'ops.ordered' and data->'payload'->>'label' = 'gate'");
    const refused = await post(`/${done!.id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('job_state');
    expect((await post('/6f1c1a43-9a53-4bd8-9d43-7f5a4a0a1b2c/retry')).status).toBe(404);
    expect((await post('/not-a-uuid/discard')).status).toBe(422);
  });

  it('keep keyed jobs in step: a retried run is still the key’s current run, a discarded one frees its key', async () => {
    await enqueue([
      { name: 'ops.keyed', label: 'keyed-retried', key: 'k1' },
      { name: 'ops.keyed', label: 'keyed-discarded', key: 'k2' },
    ]);
    await expect.poll(async () => (await t.sql(`select 1 from plinth_jobs where name = 'ops.keyed' and ${deadJobSql}`)).length, poll).toBe(2);
    const keys = () =>
      t.sql<{ key: string }>("select key from plinth_job_keys where name = 'ops.keyed' order by key").then((rows) => rows.map((row) => row.key));
    expect(await keys()).toEqual(['k1', 'k2']);
    // The sweeper forgets keys whose run gave up long ago: a retry puts the key back for its run.
    await t.sql("delete from plinth_job_keys where key = 'k1'");
    failKeyed = false;
    const [retried] = await jobsOf('ops.keyed', 'keyed-retried');
    expect((await post(`/${retried!.id}/retry`)).status).toBe(200);
    await expect.poll(() => finished.includes('keyed-retried'), poll).toBe(true);
    await expect.poll(keys, poll).toEqual(['k2']);
    const [discarded] = await jobsOf('ops.keyed', 'keyed-discarded');
    expect((await post(`/${discarded!.id}/discard`)).status).toBe(200);
    expect(await keys()).toEqual([]);
  });
});

describe('host administrators’ actions in bulk', () => {
  it('discard listed jobs, skipping those it cannot take, and answer which', async () => {
    const ids = await deadJobs(['bulk-1', 'bulk-2']);
    const [completed] = await t.sql<{ id: string }>("select id from plinth_jobs where name = 'ops.ordered' and data->'payload'->>'label' = 'gate'");
    const unknown = '0b7f3c55-0c58-4e0e-9d0a-3f5f2d6d7a10';
    const response = await post('/bulk', { action: 'discard', ids: [...ids, completed!.id, unknown] });
    expect(response.status).toBe(200);
    expect(response.body.data.count).toBe(2);
    expect([...response.body.data.ids].sort()).toEqual([...ids].sort());
    expect(response.body.data.skipped).toEqual([
      { id: completed!.id, reason: 'wrong_state', state: 'completed' },
      { id: unknown, reason: 'not_found', state: null },
    ]);
    const [audit] = await t.sql<{ data: { count: number } }>("select data from host_audit_log where action = 'admin.jobs.discarded'");
    expect(audit?.data.count).toBe(2);
  });

  it('retry every dead job matching a filter', async () => {
    await deadJobs(['filter-1', 'filter-2']);
    const dead = await t.sql<{ id: string; fail_count: number }>(`select id, fail_count from plinth_jobs where name = 'ops.doomed' and ${deadJobSql}`);
    expect(dead.length).toBeGreaterThanOrEqual(2);
    const response = await post('/bulk', { action: 'retry', filter: { state: 'dead', name: 'ops.doomed', tenant_id: owner.tenant!.id } });
    expect(response.status).toBe(200);
    expect(response.body.data.count).toBe(dead.length);
    expect([...response.body.data.ids].sort()).toEqual(dead.map((job) => job.id).sort());
    // Each ran once more and is dead again with one more attempt.
    const attempts = (rows: { id: string; fail_count: number }[]) => Object.fromEntries(rows.map((row) => [row.id, row.fail_count]));
    await expect
      .poll(async () => attempts(await t.sql(`select id, fail_count from plinth_jobs where name = 'ops.doomed' and ${deadJobSql}`)), poll)
      .toEqual(Object.fromEntries(dead.map((job) => [job.id, job.fail_count + 1])));
  });

  it('refuses a body with both or neither of ids and filter, too many ids, an unknown action', async () => {
    const id = '0b7f3c55-0c58-4e0e-9d0a-3f5f2d6d7a10';
    expect((await post('/bulk', { action: 'retry' })).status).toBe(400);
    expect((await post('/bulk', { action: 'retry', ids: [id], filter: { state: 'dead' } })).status).toBe(400);
    expect((await post('/bulk', { action: 'retry', ids: Array.from({ length: 501 }, () => id) })).status).toBe(422);
    expect((await post('/bulk', { action: 'explode', ids: [id] })).status).toBe(422);
  });

  it('is for host administrators only', async () => {
    const id = '0b7f3c55-0c58-4e0e-9d0a-3f5f2d6d7a10';
    expect((await t.request('POST', `/api/v1/admin/jobs/${id}/retry`, { headers: { authorization: owner.headers.authorization! } })).status).toBe(403);
    expect(
      (await t.request('POST', '/api/v1/admin/jobs/bulk', { headers: { authorization: owner.headers.authorization! }, body: { action: 'retry', ids: [id] } }))
        .status,
    ).toBe(403);
    expect((await t.request('POST', '/api/v1/admin/jobs/bulk', { body: { action: 'retry', ids: [id] } })).status).toBe(401);
  });
});
