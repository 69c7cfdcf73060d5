import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { gate, ledgerPlugin } from './ledger-plugin.js';
import { call, downloadFile, finished, seedLedger, until } from './report-helpers.js';

let t: TestKernel;
let owner: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'ledger');
  await seedLedger(t, owner.tenant!.id, [
    { memo: 'Rent, March', amount: 150000, day: '2026-03-01', booked_at: '2026-03-01T09:30:00Z', cleared: true, share: 40 },
    { memo: '=HYPERLINK("http://evil")', amount: 1999, currency: 'JPY', day: '2026-03-02', booked_at: '2026-03-02T23:15:00Z' },
    { memo: 'Coffee "beans"\nand milk', amount: 450, day: '2026-02-01', booked_at: '2026-02-01T08:00:00Z' },
  ]);
}, 60_000);
afterAll(() => t?.close());

describe('the catalog', () => {
  it("lists the reports of the tenant's enabled plugins whose permission the caller holds", async () => {
    const catalog = await call(t, owner, 'GET', '/reports/catalog');
    expect(catalog.status).toBe(200);
    const entries = catalog.body.data.find((entry: { name: string }) => entry.name === 'ledger.entries');
    expect(entries).toMatchObject({ plugin: 'ledger', title: 'Ledger entries', formats: ['csv', 'xlsx', 'pdf'], description: 'Every entry from a day on' });
    expect(entries.params.properties.from).toMatchObject({ type: 'string', format: 'date' });
    expect(entries.columns[1]).toEqual({ key: 'amount', label: 'Amount', type: 'money' });
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await call(t, viewer, 'GET', '/reports/catalog')).body.data).toEqual([]);
    const arabic = await t.request('GET', '/api/v1/reports/catalog', { headers: { ...owner.headers, 'accept-language': 'ar' } });
    expect(arabic.body.data.find((entry: { name: string }) => entry.name === 'ledger.entries').title).toBe('قيود الدفتر');
  });
});

describe('running a report', () => {
  it('runs to a CSV the requester downloads: RFC 4180, BOM, typed values, formula cells guarded', async () => {
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.entries', params: { from: '2026-03-01' }, format: 'csv' });
    expect(created.status).toBe(202);
    expect(created.body.data).toMatchObject({
      report: 'ledger.entries',
      title: 'Ledger entries',
      format: 'csv',
      status: 'queued',
      params: { from: '2026-03-01', min_amount: 0 },
    });
    const run = await finished(t, owner, created.body.data.id);
    expect(run).toMatchObject({ status: 'done', rows_done: 2, rows_total: 2, progress: 1, error: null });
    expect(run.file.name).toMatch(/^Ledger entries \d{4}-\d{2}-\d{2}\.csv$/);
    const { bytes } = await downloadFile(t, owner, run.id);
    expect(run.file.size).toBe(bytes.length);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(
      'Memo,Amount,Day,Booked at,Cleared,Share\r\n' +
        '"Rent, March",1500.00,2026-03-01,2026-03-01 09:30:00,true,40\r\n' +
        // JPY has no minor digits; the formula is defused with a leading quote.
        `"'=HYPERLINK(""http://evil"")",1999,2026-03-02,2026-03-02 23:15:00,false,0\r\n`,
    );
  });

  it('tells the requester in their inbox, linking to the run', async () => {
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    const run = await finished(t, owner, created.body.data.id);
    const inbox = await until(async () => {
      const items = (await call(t, owner, 'GET', '/notifications')).body.data as { url: string; category: string; body: string; title: string }[];
      return items.find((item) => item.url === `/t/${owner.tenant!.slug}/reports/${run.id}`);
    }, 'the report-ready notification');
    expect(inbox.category).toBe('core.reports');
    expect(`${inbox.title} ${inbox.body}`).toContain('Ledger entries');
  });

  it('writes dates and times in the tenant’s time zone', async () => {
    const tokyo = await signUp(t, { tenant: true });
    await t.enable(tokyo, 'ledger');
    expect((await call(t, tokyo, 'PATCH', '/tenant', { time_zone: 'Asia/Tokyo' })).status).toBe(200);
    await seedLedger(t, tokyo.tenant!.id, [{ memo: 'late', amount: 1, day: '2026-03-02', booked_at: '2026-03-02T23:15:00Z' }]);
    const created = await call(t, tokyo, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    await finished(t, tokyo, created.body.data.id);
    const { bytes } = await downloadFile(t, tokyo, created.body.data.id);
    expect(bytes.toString('utf8')).toContain('late,0.01,2026-03-02,2026-03-03 08:15:00,false,0\r\n');
  });

  it('refuses parameters outside the schema (422 naming them) and records no run', async () => {
    const before = await t.sql<{ n: number }>('select count(*)::int as n from report_runs where tenant_id = $1', [owner.tenant!.id]);
    const bad = await call(t, owner, 'POST', '/reports', { report: 'ledger.entries', params: { from: 'yesterday', min_amount: -1, extra: 1 }, format: 'csv' });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('validation_failed');
    expect(Object.keys(bad.body.errors).sort()).toEqual(['params.extra', 'params.from', 'params.min_amount']);
    const format = await call(t, owner, 'POST', '/reports', { report: 'ledger.gated', params: { before: 1, after: 1 }, format: 'pdf' });
    expect(format.status).toBe(422);
    expect(format.body.errors).toHaveProperty('format');
    expect((await call(t, owner, 'POST', '/reports', { report: 'ledger.entries', format: 'docx' })).status).toBe(422);
    const after = await t.sql<{ n: number }>('select count(*)::int as n from report_runs where tenant_id = $1', [owner.tenant!.id]);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('answers 404 for an unknown report or a plugin not enabled, 403 without the permission', async () => {
    expect((await call(t, owner, 'POST', '/reports', { report: 'ledger.nothing', format: 'csv' })).status).toBe(404);
    const other = await signUp(t, { tenant: true });
    const disabled = await call(t, other, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    expect(disabled.status).toBe(404);
    expect(disabled.body.code).toBe('plugin_not_enabled');
    const viewer = await addMember(t, owner, ['viewer']);
    const refused = await call(t, viewer, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    expect(refused.status).toBe(403);
  });

  it('shows progress while the rows stream (written in transactions of their own), then finishes', async () => {
    gate.reset();
    const created = await call(t, owner, 'POST', '/reports', { report: 'ledger.gated', params: { before: 3, after: 2 }, format: 'csv' });
    const id = created.body.data.id as string;
    // The rows before the gate are counted (the last progress write comes within a second) while the run waits.
    const running = await until(async () => {
      const response = await call(t, owner, 'GET', `/reports/${id}`);
      const run = response.body.data;
      return run.status === 'running' && run.rows_done === 3 ? run : undefined;
    }, 'progress of 3 rows');
    expect(running).toMatchObject({ rows_total: 5, progress: 0.6, file: null });
    expect((await call(t, owner, 'GET', `/reports/${id}/download`)).status).toBe(409);
    gate.open();
    const done = await finished(t, owner, id);
    expect(done).toMatchObject({ status: 'done', rows_done: 5, progress: 1 });
    expect((await downloadFile(t, owner, id)).bytes.toString('utf8')).toBe('\uFEFFN\r\n1\r\n2\r\n3\r\n4\r\n5\r\n');
  });

  it('lists the caller’s runs; a member sees only their own, core.reports.manage sees all', async () => {
    const member = await addMember(t, owner, ['member']);
    const mine = await call(t, member, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    await finished(t, member, mine.body.data.id);
    const listed = await call(t, member, 'GET', '/reports');
    expect(listed.body.data.map((run: { id: string }) => run.id)).toEqual([mine.body.data.id]);
    expect(listed.body.meta.pagination.total).toBe(1);
    const all = await call(t, owner, 'GET', '/reports?per_page=100');
    expect(all.body.data.map((run: { id: string }) => run.id)).toContain(mine.body.data.id);
    expect(all.body.meta.pagination.total).toBeGreaterThan(1);
  });
});
