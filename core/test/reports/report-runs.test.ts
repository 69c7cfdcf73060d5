import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRun } from '../../src/jobs/jobs.js';
import { executeRun, type RunJobData } from '../../src/reports/report-run.js';
import { reportFileOwner } from '../../src/reports/report-runs.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { ledgerPlugin } from './ledger-plugin.js';
import { call, downloadFile, finished, seedLedger, until } from './report-helpers.js';

let t: TestKernel;
let owner: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'ledger');
  await seedLedger(t, owner.tenant!.id, [{ memo: 'one', amount: 1, day: '2026-01-01', booked_at: '2026-01-01T00:00:00Z' }]);
}, 60_000);
afterAll(() => t?.close());

const filesOf = (runId: string) => t.sql<{ id: string }>('select id from files where owner_plugin = $1 and owner_id = $2', [reportFileOwner, runId]);

describe('a report that fails', () => {
  it("is refused at once when the report's own check fails (422 params.<field>)", async () => {
    const refused = await call(t, owner, 'POST', '/reports', { report: 'ledger.entries', params: { from: '2026-03-01', to: '2026-02-01' }, format: 'csv' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual({ 'params.to': ['must not be before from'] });
  });

  it.each([
    ['sync', 'the ledger is closed'],
    ['late', 'ran out of entries'],
  ])('ends failed with its error and no file when rows() throws (%s)', async (mode, reason) => {
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.broken', params: { mode }, format: 'csv' });
    const run = await finished(t, owner, created.body.data.id);
    expect(run).toMatchObject({ status: 'failed', file: null, error: `Validation failed (mode: ${reason})` });
    expect(await filesOf(run.id)).toEqual([]);
    expect((await call(t, owner, 'GET', `/reports/${run.id}/download`)).status).toBe(409);
  });

  it('tells the requester in their inbox, with the reason', async () => {
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.broken', params: { mode: 'late' }, format: 'csv' });
    const run = await finished(t, owner, created.body.data.id);
    const item = await until(async () => {
      const items = (await call(t, owner, 'GET', '/notifications')).body.data as { url: string; title: string; body: string; category: string }[];
      return items.find((candidate) => candidate.url === `/t/${owner.tenant!.slug}/reports/${run.id}`);
    }, 'the report-failed notification');
    expect(item.category).toBe('core.reports');
    expect(item.body).toContain('Broken');
    expect(item.body).toContain('ran out of entries');
  });

  it('records an unexpected error without its internals', async () => {
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.broken', params: { mode: 'internal' }, format: 'xlsx' });
    const run = await finished(t, owner, created.body.data.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/unexpected error/);
    expect(run.error).not.toContain('secret_table');
    expect(await filesOf(run.id)).toEqual([]);
  });
});

describe('the storage quota', () => {
  it('counts report files: a report past it fails with the reason, storing nothing', async () => {
    const small = await signUp(t, { tenant: true });
    await t.enable(small, 'ledger');
    const usage = () => t.sql<{ bytes: number; files: number }>('select bytes::int, files from storage_usage where tenant_id = $1', [small.tenant!.id]);
    const before = await usage();
    await t.sql(`update tenants set quotas = quotas || '{"storage_bytes": 20000}'::jsonb where id = $1`, [small.tenant!.id]);
    await t.kernel.services.tenants.forget(small.tenant!);
    const created = await call(t, small, 'POST', '/reports', { report: 'ledger.series', params: { rows: 5000 }, format: 'csv' });
    const run = await finished(t, small, created.body.data.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/storage quota/);
    expect(await filesOf(run.id)).toEqual([]);
    expect(await usage()).toEqual(before);
    // A small one fits, and is counted.
    const fits = await call(t, small, 'POST', '/reports', { report: 'ledger.series', params: { rows: 10 }, format: 'csv' });
    const done = await finished(t, small, fits.body.data.id);
    expect(done.status).toBe('done');
    expect((await usage())[0]).toMatchObject({ bytes: done.file.size, files: 1 });
  });
});

describe('a run killed mid-way', () => {
  it('starts again from scratch: the partial file is discarded, one file in the end, and a late attempt changes nothing', async () => {
    const [row] = await t.sql<{ id: string }>(
      "insert into report_runs (tenant_id, report, plugin, params, format, status, rows_done, started_at) values ($1, 'ledger.entries', 'ledger', $2, 'csv', 'running', 5, now()) returning id",
      [owner.tenant!.id, JSON.stringify({ from: '2000-01-01', min_amount: 0 })],
    );
    const runId = row!.id;
    // What the killed attempt had stored.
    await t.kernel.services.files.store(
      { tenantId: owner.tenant!.id, ownerPlugin: reportFileOwner },
      { body: Readable.from([Buffer.from('partial,')]), name: 'partial.csv', ownerId: runId },
    );
    const job: JobRun<RunJobData> = { data: { tenantId: owner.tenant!.id, runId }, id: 'retried', attempt: 2, repeating: false, touch: async () => undefined };
    await executeRun(t.kernel.services, job);
    const files = await filesOf(runId);
    expect(files).toHaveLength(1);
    const done = (await call(t, owner, 'GET', `/reports/${runId}`)).body.data;
    expect(done).toMatchObject({ status: 'done', rows_done: 1 });
    expect((await downloadFile(t, owner, runId)).bytes.toString('utf8')).toContain('one,0.01');
    await executeRun(t.kernel.services, { ...job, attempt: 3 });
    expect(await filesOf(runId)).toEqual(files);
  });
});

describe('memory', () => {
  it('streams 200,000 rows into a CSV without holding the file', async () => {
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.series', params: { rows: 200_000, width: 500 }, format: 'csv' });
    // What stays reachable, not what awaits the collector: collected before every sample.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const used = () => {
      collect();
      const memory = process.memoryUsage();
      return memory.heapUsed + memory.arrayBuffers;
    };
    const baseline = used();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, used())), 500);
    let run;
    try {
      run = await finished(t, owner, created.body.data.id, 120_000);
    } finally {
      clearInterval(sampler);
    }
    expect(run.status).toBe('done');
    expect(run.rows_done).toBe(200_000);
    // About 100 MB of CSV; holding it, or any large part of it, as text or bytes would pass the bound.
    expect(run.file.size).toBeGreaterThan(100_000_000);
    expect(peak - baseline).toBeLessThan(24 * 1024 * 1024);
  }, 150_000);
});
