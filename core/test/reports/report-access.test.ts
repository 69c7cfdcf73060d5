import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireRuns } from '../../src/reports/report-work.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { ledgerPlugin } from './ledger-plugin.js';
import { call, finished, seedLedger } from './report-helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let clockOffsetMs = 0;
const day = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin], services: { clock: () => ({ now: () => new Date(Date.now() + clockOffsetMs) }) } });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  for (const owner of [a, b]) await t.enable(owner, 'ledger');
  await seedLedger(t, a.tenant!.id, [{ memo: 'secret of A', amount: 4242, day: '2026-01-01', booked_at: '2026-01-01T00:00:00Z' }]);
}, 60_000);
afterAll(() => t?.close());

async function runOf(user: TestUser) {
  const created = await call(t, user, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
  return finished(t, user, created.body.data.id);
}

describe('downloads', () => {
  it('give the requester a signed URL valid for an hour at most; others of the tenant without manage get 404', async () => {
    const member = await addMember(t, a, ['member']);
    const run = await runOf(member);
    const link = await call(t, member, 'GET', `/reports/${run.id}/download`);
    expect(link.status).toBe(200);
    const expiresIn = new Date(link.body.data.expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60 * 1000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60 * 1000);
    expect((await fetch(link.body.data.url)).status).toBe(200);
    const colleague = await addMember(t, a, ['member']);
    for (const path of [`/reports/${run.id}`, `/reports/${run.id}/download`]) expect((await call(t, colleague, 'GET', path)).status).toBe(404);
    // The owner holds core.reports.manage.
    expect((await call(t, a, 'GET', `/reports/${run.id}/download`)).status).toBe(200);
  });

  it('answer 410 report_expired once the run has expired, and its signed URL 410 too; the sweep deletes the file', async () => {
    const run = await runOf(a);
    expect(new Date(run.expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * day);
    const link = (await call(t, a, 'GET', `/reports/${run.id}/download`)).body.data;
    const fileId = (await t.sql<{ file_id: string }>('select file_id from report_runs where id = $1', [run.id]))[0]!.file_id;
    clockOffsetMs = 8 * day;
    try {
      const expired = await call(t, a, 'GET', `/reports/${run.id}/download`);
      expect(expired.status).toBe(410);
      expect(expired.body.code).toBe('report_expired');
      expect((await call(t, a, 'GET', `/reports/${run.id}`)).body.data).toMatchObject({ status: 'expired', file: null });
      const signed = await fetch(link.url);
      expect(signed.status).toBe(410);
      expect(await expireRuns(t.kernel.services)).toBeGreaterThanOrEqual(1);
      expect(await t.sql('select id from files where id = $1', [fileId])).toEqual([]);
      expect((await t.sql<{ status: string }>('select status from report_runs where id = $1', [run.id]))[0]!.status).toBe('expired');
      expect((await call(t, a, 'GET', `/reports/${run.id}/download`)).status).toBe(410);
    } finally {
      clockOffsetMs = 0;
    }
  });
});

describe('isolation', () => {
  it("another tenant cannot see, count, guess or download a tenant's runs, nor run its reports on its data", async () => {
    const run = await runOf(a);
    for (const path of [`/reports/${run.id}`, `/reports/${run.id}/download`]) {
      const response = await call(t, b, 'GET', path);
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.body)).not.toContain('secret');
    }
    const listed = await call(t, b, 'GET', '/reports');
    expect(listed.body.data).toEqual([]);
    expect(listed.body.meta.pagination.total).toBe(0);
    // B's own run of the same report holds B's rows only.
    const own = await runOf(b);
    expect(own.rows_done).toBe(0);
    // Nor are the files reachable through core's file routes (they belong to core.reports, not core).
    const fileId = (await t.sql<{ file_id: string }>('select file_id from report_runs where id = $1', [run.id]))[0]!.file_id;
    expect((await call(t, a, 'GET', `/files/${fileId}`)).status).toBe(404);
    expect((await call(t, b, 'GET', `/files/${fileId}`)).status).toBe(404);
    expect((await call(t, a, 'GET', '/files')).body.data.map((file: { id: string }) => file.id)).not.toContain(fileId);
  });

  it('keeps report runs and schedules under forced row level security', async () => {
    const tables = await t.sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      "select relname, relrowsecurity, relforcerowsecurity from pg_class where relname in ('report_runs', 'report_schedules') order by relname",
    );
    expect(tables).toEqual([
      { relname: 'report_runs', relrowsecurity: true, relforcerowsecurity: true },
      { relname: 'report_schedules', relrowsecurity: true, relforcerowsecurity: true },
    ]);
  });
});
