import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, pdfText, signUp, solidPng, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { ledgerPlugin } from './ledger-plugin.js';
import { call, downloadFile, finished, seedLedger } from './report-helpers.js';

let t: TestKernel;
let owner: TestUser;

const reversed = (text: string) => [...text].reverse().join('');
const plain = (text: string) => text.normalize('NFKC');

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'ledger');
  await seedLedger(t, owner.tenant!.id, [
    { memo: 'Rent, March', amount: 150000, day: '2026-03-01', booked_at: '2026-03-01T09:30:00Z', cleared: true, share: 40 },
    { memo: 'دفعة السكن', amount: 1999, currency: 'JPY', day: '2026-03-02', booked_at: '2026-03-02T23:15:00Z' },
    ...Array.from({ length: 120 }, (_, index) => ({
      memo: `Entry ${index + 1} with a memo long enough to wrap onto a second line of its cell in the table`,
      amount: 100 + index,
      day: '2026-04-01',
      booked_at: '2026-04-01T10:00:00Z',
    })),
  ]);
}, 60_000);
afterAll(() => t?.close());

async function run(user: TestUser, format: string, params: Record<string, unknown> = {}) {
  const created = await call(t, user, 'POST', '/reports', { report: 'ledger.entries', params, format });
  expect(created.status).toBe(202);
  const done = await finished(t, user, created.body.data.id);
  expect(done.status).toBe('done');
  return { run: done, ...(await downloadFile(t, user, done.id)) };
}

describe('XLSX', () => {
  it('writes typed cells under a bold, frozen header row', async () => {
    const { bytes, run: done } = await run(owner, 'xlsx', { from: '2026-03-01' });
    expect(done.file.name).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    // exceljs's types predate Node's generic Buffer.
    await workbook.xlsx.load(bytes as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Ledger entries');
    expect(sheet.getRow(1).values).toEqual([undefined, 'Memo', 'Amount', 'Day', 'Booked at', 'Cleared', 'Share']);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rent = sheet.getRow(2);
    expect(rent.getCell(1).value).toBe('Rent, March');
    expect(rent.getCell(2).value).toBe(1500);
    expect(rent.getCell(2).numFmt).toBe('#,##0.00');
    expect(rent.getCell(3).value).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(rent.getCell(4).value).toEqual(new Date('2026-03-01T09:30:00Z'));
    expect(rent.getCell(5).value).toBe(true);
    expect(rent.getCell(6).value).toBe(40);
    // A row's own currency: JPY has no minor unit.
    expect(sheet.getRow(3).getCell(2).value).toBe(1999);
    expect(sheet.getRow(3).getCell(2).numFmt).toBe('#,##0');
    expect(sheet.rowCount).toBe(1 + 122);
  });
});

describe('PDF', () => {
  it('lays out a table with the header on every page, page numbers and the tenant’s logo', async () => {
    const logo = await t.upload(owner, { name: 'logo.png', data: solidPng(64, 32), type: 'image/png' }, { visibility: 'public' });
    expect((await call(t, owner, 'PATCH', '/tenant', { logo_file_id: logo.body.data.id })).status).toBe(200);
    const { bytes, type } = await run(owner, 'pdf');
    expect(type).toBe('application/pdf');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toMatch(/\/Subtype \/Image/);
    const lines = pdfText(bytes).split('\n');
    expect(lines).toContain(owner.tenant!.name);
    expect(lines).toContain('Ledger entries');
    // 122 rows of two lines each do not fit one page: the header comes again, and pages are numbered.
    const pages = lines.filter((line) => /^Page \d+$/.test(line));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]).toBe('Page 1');
    expect(lines.filter((line) => line === 'Memo')).toHaveLength(pages.length);
    expect(lines).toContain('$1,500.00');
    expect(lines.join(' ')).toContain('Entry 120 with a memo long enough to wrap');
  });

  it('writes an Arabic requester’s report right to left, in Arabic, with Arabic rows', async () => {
    expect((await call(t, owner, 'PATCH', '/me', { locale: 'ar' })).status).toBe(200);
    try {
      const { bytes } = await run(owner, 'pdf', { from: '2026-03-01' });
      expect(bytes.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
      // Visual order: each Arabic word drawn on its own, its letters reversed; presentation forms normalised.
      const text = plain(pdfText(bytes));
      for (const word of ['قيود', 'الدفتر', 'البيان', 'المبلغ', 'دفعة', 'السكن', 'صفحة']) expect(text).toContain(plain(reversed(word)));
      const lines = text.split('\n');
      // The title's words: the last first, as they sit left to right on the page.
      const title = lines.indexOf(plain(reversed('الدفتر')));
      expect(lines.slice(title, title + 3)).toEqual([plain(reversed('الدفتر')), ' ', plain(reversed('قيود'))]);
      expect(text).not.toContain('Ledger entries');
    } finally {
      await call(t, owner, 'PATCH', '/me', { locale: null });
    }
  });
});
