import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { jobStatsTimeoutMs } from '../../src/metrics/job-metrics.js';
import { journalPlugin } from '../plugins/fixtures/journal-plugin.js';
import { notesPlugin } from '../plugins/fixtures/notes-plugin.js';
import { meterPlugin } from './fixtures/meter-plugin.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, journalPlugin, meterPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'journal');
  await t.enable(owner, 'meter-box');
});
afterAll(() => t?.close());

const call = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: owner.headers, body });

/** Polls `check` until it holds or the deadline passes. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a plugin's own metrics on /metrics", () => {
  it('serves them prefixed with the plugin, a label value outside its list as `other`', async () => {
    for (const kind of ['a', 'a', 'b', 'tenant-1234', 'someone@example.com']) expect((await call('POST', '/meter-box/hits', { kind })).status).toBe(200);
    const metrics = await t.metrics();
    expect(metrics.types.get('plinth_meter_box_hits_total')).toBe('counter');
    expect(metrics.value('plinth_meter_box_hits_total', { kind: 'a' })).toBe(2);
    expect(metrics.value('plinth_meter_box_hits_total', { kind: 'b' })).toBe(1);
    expect(metrics.value('plinth_meter_box_hits_total', { kind: 'other' })).toBe(2);
    expect(metrics.samples.filter((sample) => sample.name === 'plinth_meter_box_hits_total')).toHaveLength(3);
  });
});

describe('job metrics', () => {
  it('observes run durations by name and outcome, and counts dead jobs by name', async () => {
    expect((await call('POST', '/journal/jobs', { label: 'timed' })).status).toBe(200);
    expect((await call('POST', '/journal/doomed', { label: 'never' })).status).toBe(200);
    await eventually(async () => (await t.metrics()).value('plinth_jobs_dead', { name: 'journal.doomed' }) === 1);
    const metrics = await t.metrics();
    expect(metrics.value('plinth_jobs_duration_seconds_count', { name: 'journal.record', outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('plinth_jobs_duration_seconds_count', { name: 'journal.doomed', outcome: 'failed' })).toBe(1);
    expect(metrics.value('plinth_jobs_total', { name: 'journal.doomed', outcome: 'failed' })).toBe(1);
    // Every job type the process defines has its series, at 0 when none is in that state.
    const queued = metrics.samples.filter((sample) => sample.name === 'plinth_jobs_queued');
    expect(queued.map((sample) => sample.labels.name)).toEqual(expect.arrayContaining(['journal.record', 'journal.doomed']));
    expect(metrics.value('plinth_jobs_running', { name: 'journal.doomed' })).toBe(0);
  });

  it('reads queued, running and scheduled jobs and the oldest wait from the table, an unknown name as `other`', async () => {
    // A job type no process here defines: agenda leaves its rows alone, and its name is not a label value.
    await t.sql(`insert into plinth_jobs (name, next_run_at, locked_at, data) values
      ('ghost.job', now() - interval '90 seconds', null, '{}'), ('ghost.job', now() - interval '5 seconds', null, '{}'),
      ('ghost.job', null, now(), '{}'), ('ghost.job', now() + interval '1 hour', null, '{}')`);
    const metrics = await t.metrics();
    expect(metrics.value('plinth_jobs_queued', { name: 'other' })).toBe(2);
    expect(metrics.value('plinth_jobs_running', { name: 'other' })).toBe(1);
    expect(metrics.value('plinth_jobs_scheduled', { name: 'other' })).toBe(1);
    expect(metrics.value('plinth_jobs_oldest_queued_age_seconds', { name: 'other' })).toBeGreaterThanOrEqual(90);
    expect(metrics.value('plinth_jobs_oldest_queued_age_seconds', { name: 'other' })).toBeLessThan(300);
    expect(JSON.stringify(metrics.samples)).not.toContain('ghost.job');
    await t.sql("delete from plinth_jobs where name = 'ghost.job'");
  });

  it('answers /metrics without the job counts when their query cannot finish in time', async () => {
    const blocker = new pg.Client({ connectionString: t.database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table plinth_jobs in access exclusive mode');
      const started = performance.now();
      const metrics = await t.metrics();
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(jobStatsTimeoutMs + 3000);
      expect(metrics.samples.filter((sample) => sample.name === 'plinth_jobs_queued')).toEqual([]);
      expect(metrics.types.get('plinth_jobs_queued')).toBe('gauge');
      expect(metrics.value('plinth_http_requests_total')).toBeGreaterThan(0);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    // Once the table is free again, the counts are back.
    await eventually(async () => (await t.metrics()).samples.some((sample) => sample.name === 'plinth_jobs_queued'));
  });

  it('shows event-loop lag, heap and the pool among the default metrics', async () => {
    const metrics = await t.metrics();
    for (const name of ['plinth_nodejs_eventloop_lag_seconds', 'plinth_nodejs_eventloop_lag_p99_seconds', 'plinth_process_resident_memory_bytes']) {
      expect(metrics.types.has(name), name).toBe(true);
    }
    expect(metrics.value('plinth_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metrics.value('plinth_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
  });
});
