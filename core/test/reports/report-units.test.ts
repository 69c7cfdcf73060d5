import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDueSchedules } from '../../src/reports/report-schedules.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { ledgerPlugin } from './ledger-plugin.js';
import { call, downloadFile, finished, seedLedger, until } from './report-helpers.js';

let t: TestKernel;
let owner: TestUser;
let physics: string;
let music: string;

/** A member holding no role for the whole tenant, and the built-in `member` role in `unit`. */
async function unitMember(unit: string): Promise<TestUser> {
  const member = await addMember(t, owner, []);
  const roles = await call(t, owner, 'GET', '/roles?per_page=100');
  const role = roles.body.data.find((candidate: { name: string }) => candidate.name === 'member').id as string;
  const given = await call(t, owner, 'POST', `/members/${member.id}/unit-roles`, { role_id: role, unit_id: unit });
  expect(given.status, JSON.stringify(given.body)).toBe(201);
  return member;
}

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'ledger');
  physics = (await call(t, owner, 'POST', '/units', { name: 'Physics', kind: 'department' })).body.data.id;
  music = (await call(t, owner, 'POST', '/units', { name: 'Music', kind: 'department' })).body.data.id;
  await seedLedger(t, owner.tenant!.id, [
    { memo: 'physics lab', amount: 100, day: '2026-01-01', booked_at: '2026-01-01T00:00:00Z', unit_id: physics },
    { memo: 'music hall', amount: 200, day: '2026-01-02', booked_at: '2026-01-02T00:00:00Z', unit_id: music },
    { memo: 'whole school', amount: 300, day: '2026-01-03', booked_at: '2026-01-03T00:00:00Z' },
  ]);
}, 60_000);
afterAll(() => t?.close());

const memos = (csv: Buffer) =>
  csv
    .toString('utf8')
    .split('\r\n')
    .slice(1, -1)
    .map((line) => line.split(',')[0]);

describe('a report asked by a member holding its permission in a unit', () => {
  it('lists it, and runs it on the rows of that unit only, as the plugin’s routes would', async () => {
    const member = await unitMember(physics);
    const catalog = await call(t, member, 'GET', '/reports/catalog');
    expect(catalog.body.data.map((entry: { name: string }) => entry.name)).toContain('ledger.entries');
    const created = await call(t, member, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    expect(created.status).toBe(202);
    const run = await finished(t, member, created.body.data.id);
    expect(run).toMatchObject({ status: 'done', rows_done: 1, rows_total: 1 });
    expect(memos((await downloadFile(t, member, run.id)).bytes)).toEqual(['physics lab']);
    // The owner, for the whole tenant, gets every row.
    const all = await call(t, owner, 'POST', '/reports', { report: 'ledger.entries', format: 'csv' });
    await finished(t, owner, all.body.data.id);
    expect(memos((await downloadFile(t, owner, all.body.data.id)).bytes)).toEqual(['physics lab', 'music hall', 'whole school']);
  });

  it('schedules it with the same limit, worked out when each slot runs', async () => {
    expect((await call(t, owner, 'POST', '/roles', { name: 'unit-scheduler', permissions: ['core.reports.schedule'] })).status).toBe(201);
    const member = await unitMember(music);
    const roles = await call(t, owner, 'GET', '/roles?per_page=100');
    const scheduler = roles.body.data.find((role: { name: string }) => role.name === 'unit-scheduler').id as string;
    expect((await call(t, owner, 'PATCH', `/members/${member.id}`, { roles: [scheduler] })).status).toBe(200);
    const created = await call(t, member, 'POST', '/report-schedules', {
      report: 'ledger.entries',
      format: 'csv',
      cron: '0 7 * * *',
      recipients: [member.id],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await t.sql("update report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [created.body.data.id]);
    expect(await queueDueSchedules(t.kernel.services)).toBe(1);
    const mail = await until(async () => (await t.mailbox(member.email)).find((sent) => sent.attachments.length > 0), 'the scheduled mail');
    expect(memos(mail.attachments[0]!.content)).toEqual(['music hall']);
  });
});
