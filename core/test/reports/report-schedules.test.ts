import { coreServices, defineMigration, definePermissions, definePlugin, Type, ValidationError } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodRange, queueDueSchedules } from '../../src/reports/report-schedules.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { ledgerPlugin } from './ledger-plugin.js';
import { call, seedLedger, until } from './report-helpers.js';

let t: TestKernel;
let owner: TestUser;
let member: TestUser;
/** The kernel's clock: the real time, or the instant a test fixes. */
let fixedNow: Date | undefined;

const tillPermissions = definePermissions('till', { 'sales.view': { description: 'See the till’s sales', grantTo: ['admin', 'member'] } });

/** A report of sales per day between `from` and `to` (both included): what a period's dates select shows in its file. */
const tillPlugin = definePlugin({
  name: 'till',
  version: '1.0.0',
  title: 'Till',
  description: 'Sales per day',
  category: 'finance',
  requires: { core: '>=0.1.0' },
  deps: { db: coreServices.db },
  permissions: tillPermissions,
  migrations: [
    defineMigration({
      name: '001-create-sales',
      async up({ createTenantTable }) {
        await createTenantTable('till_sales', (table) => {
          table.date('day').notNullable();
          table.bigInteger('amount').notNullable();
        });
      },
      async down({ db }) {
        await db.schema.dropTable('till_sales');
      },
    }),
  ],
  reports: ({ report }) => [
    report({
      name: 'till.sales-by-day',
      title: 'Till sales',
      permission: tillPermissions['sales.view'],
      params: Type.Object(
        { from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }), min_amount: Type.Integer({ minimum: 0, default: 0 }) },
        { additionalProperties: false },
      ),
      check(params) {
        if (params.to < params.from) throw new ValidationError({ to: ['must not be before from'] });
      },
      formats: ['csv'],
      columns: [
        { key: 'day', label: 'Day', type: 'date' },
        { key: 'amount', label: 'Amount', type: 'integer' },
      ],
      rows: ({ params, deps }) =>
        deps.db.stream(`select to_char(day, 'YYYY-MM-DD') as day, amount from till_sales where day between $1 and $2 and amount >= $3 order by day`, [
          params.from,
          params.to,
          params.min_amount,
        ]),
    }),
  ],
});

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin, tillPlugin], services: { clock: () => ({ now: () => fixedNow ?? new Date() }) } });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'ledger');
  await t.enable(owner, 'till');
  member = await addMember(t, owner, ['member']);
  await seedLedger(t, owner.tenant!.id, [{ memo: 'scheduled row', amount: 700, day: '2026-05-01', booked_at: '2026-05-01T12:00:00Z' }]);
}, 60_000);
afterAll(() => t?.close());

const schedule = (overrides: Record<string, unknown> = {}) => ({
  report: 'ledger.entries',
  params: {},
  format: 'csv',
  cron: '0 8 * * 1',
  time_zone: 'Asia/Riyadh',
  recipients: [owner.id, member.id],
  ...overrides,
});

/**
 * Runs the schedule's slot at `slot` (an instant in the future, so the kernel's own sweeps leave it alone) with the
 * clock just after it; returns the slot's run, once its file is mailed to `to`, with the file's lines.
 */
async function runSlot(id: string, slot: string, to: TestUser) {
  const before = (await t.mailbox(to.email)).length;
  await t.sql('update report_schedules set next_run_at = $2 where id = $1', [id, slot]);
  // The other tests' schedules would be due at that clock too: only this one runs.
  await t.sql('update report_schedules set enabled = false where id <> $1', [id]);
  fixedNow = new Date(Date.parse(slot) + 30_000);
  try {
    expect(await queueDueSchedules(t.kernel.services)).toBe(1);
  } finally {
    fixedNow = undefined;
  }
  const [run] = await t.sql<{ params: Record<string, unknown> }>('select params from report_runs where schedule_id = $1 order by created_at desc limit 1', [
    id,
  ]);
  const mail = await until(async () => (await t.mailbox(to.email)).slice(before).find((sent) => sent.attachments.length > 0), 'the mail of the slot');
  const lines = mail.attachments[0]!.content.toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  return { params: run!.params, lines };
}

/** Makes a schedule due now and runs two sweeps at once; returns the runs they queued. */
async function dueNow(id: string) {
  await t.sql("update report_schedules set next_run_at = now() - interval '1 minute' where id = $1", [id]);
  const [first, second] = await Promise.all([queueDueSchedules(t.kernel.services), queueDueSchedules(t.kernel.services)]);
  return { queued: first + second, runs: await t.sql<{ id: string }>('select id from report_runs where schedule_id = $1', [id]) };
}

describe('report schedules', () => {
  it('are created with their next run worked out in their time zone, and listed, read, changed and deleted', async () => {
    const created = await call(t, member, 'POST', '/report-schedules', schedule());
    expect(created.status).toBe(201);
    const next = new Date(created.body.data.next_run_at);
    // Monday 08:00 in Riyadh is 05:00 UTC.
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 5, 0]);
    expect(created.body.data).toMatchObject({ title: 'Ledger entries', delivery: 'attachment', enabled: true, created_by: member.id });
    const id = created.body.data.id as string;
    expect((await call(t, member, 'GET', '/report-schedules')).body.data.map((row: { id: string }) => row.id)).toEqual([id]);
    const changed = await call(t, member, 'PATCH', `/report-schedules/${id}`, { cron: '30 6 * * *', time_zone: 'UTC', delivery: 'link' });
    expect(changed.status).toBe(200);
    expect(new Date(changed.body.data.next_run_at).getUTCHours()).toBe(6);
    expect(changed.body.data.delivery).toBe('link');
    // Another member without core.reports.manage does not see it; the owner (manage) does.
    const colleague = await addMember(t, owner, ['member']);
    expect((await call(t, colleague, 'GET', `/report-schedules/${id}`)).status).toBe(404);
    expect((await call(t, colleague, 'DELETE', `/report-schedules/${id}`)).status).toBe(404);
    expect((await call(t, owner, 'GET', `/report-schedules/${id}`)).status).toBe(200);
    expect((await call(t, member, 'DELETE', `/report-schedules/${id}`)).status).toBe(204);
    expect((await call(t, member, 'GET', `/report-schedules/${id}`)).status).toBe(404);
  });

  it('refuse a bad cron, an unknown time zone, bad parameters and recipients who are not staff members', async () => {
    const stranger = await signUp(t);
    const customer = await t.customer(owner);
    const cases: [Record<string, unknown>, string][] = [
      [{ cron: '61 * * * *' }, 'cron'],
      [{ cron: '* * * * * *' }, 'cron'],
      [{ time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ params: { from: 'soon' } }, 'params.from'],
      [{ recipients: [stranger.id] }, 'recipients'],
      [{ recipients: [customer.id] }, 'recipients'],
    ];
    for (const [overrides, field] of cases) {
      const response = await call(t, member, 'POST', '/report-schedules', schedule(overrides));
      expect(response.status, JSON.stringify(overrides)).toBe(422);
      expect(response.body.errors).toHaveProperty([field]);
    }
    expect((await t.sql('select id from report_schedules where tenant_id = $1', [owner.tenant!.id])).length).toBe(0);
  });

  it('need core.reports.schedule and the report’s own permission', async () => {
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await call(t, viewer, 'POST', '/report-schedules', schedule())).status).toBe(403);
    expect((await call(t, viewer, 'GET', '/report-schedules')).status).toBe(403);
    // A role that may schedule, but not see the ledger.
    expect((await call(t, owner, 'POST', '/roles', { name: 'scheduler', permissions: ['core.reports.schedule'] })).status).toBe(201);
    const scheduler = await addMember(t, owner, ['scheduler']);
    expect((await call(t, scheduler, 'GET', '/report-schedules')).status).toBe(200);
    expect((await call(t, scheduler, 'POST', '/report-schedules', schedule())).status).toBe(403);
  });

  it('run a due slot once (two sweeps at once queue one run) and mail the file to each recipient', async () => {
    expect((await call(t, member, 'PATCH', '/me', { locale: 'ar' })).status).toBe(200);
    const id = (await call(t, member, 'POST', '/report-schedules', schedule())).body.data.id as string;
    const { queued, runs } = await dueNow(id);
    expect(queued).toBe(1);
    expect(runs).toHaveLength(1);
    const stored = (await t.sql<{ next_run_at: Date }>('select next_run_at from report_schedules where id = $1', [id]))[0]!;
    expect(stored.next_run_at.getTime()).toBeGreaterThan(Date.now());
    const mails = await until(async () => {
      const sent = [...(await t.mailbox(owner.email)), ...(await t.mailbox(member.email))].filter((mail) => mail.attachments.length > 0);
      return sent.length >= 2 ? sent : undefined;
    }, 'the scheduled mails');
    const toOwner = mails.find((mail) => mail.to === owner.email)!;
    expect(toOwner.subject).toContain('Ledger entries');
    expect(toOwner.attachments).toHaveLength(1);
    expect(toOwner.attachments[0]).toMatchObject({ contentType: 'text/csv' });
    // One file per run, in the language of the schedule's author (Arabic here); each mail in its recipient's.
    expect(toOwner.attachments[0]!.filename).toMatch(/^قيود الدفتر .*\.csv$/);
    expect(toOwner.attachments[0]!.content.toString('utf8')).toContain('scheduled row,7.00,2026-05-01');
    const toMember = mails.find((mail) => mail.to === member.email)!;
    // In the recipient's language: the title and the body in Arabic.
    expect(toMember.subject).toContain('قيود الدفتر');
    expect(toMember.text).toContain('مرفق');
    // The mails go out just before the run is marked done.
    await until(async () => {
      const [run] = await t.sql<{ status: string }>('select status from report_runs where id = $1', [runs[0]!.id]);
      return run?.status === 'done' ? run : undefined;
    }, 'the run done');
    await call(t, member, 'PATCH', '/me', { locale: null });
  });

  it('mail a signed link instead when asked to', async () => {
    const id = (await call(t, owner, 'POST', '/report-schedules', schedule({ delivery: 'link', recipients: [member.id] }))).body.data.id as string;
    const before = (await t.mailbox(member.email)).length;
    await dueNow(id);
    const mail = await until(async () => {
      const sent = await t.mailbox(member.email);
      return sent.length > before ? sent[sent.length - 1] : undefined;
    }, 'the link mail');
    expect(mail.attachments).toEqual([]);
    const url = /(http\S+\/api\/v1\/files\/signed\/\S+)/.exec(mail.text)?.[1];
    expect(url).toBeDefined();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('scheduled row');
  });

  it('mail a link instead of a file larger than 10 MiB', async () => {
    const id = (
      await call(t, owner, 'POST', '/report-schedules', schedule({ report: 'ledger.series', params: { rows: 30_000, width: 400 }, recipients: [member.id] }))
    ).body.data.id as string;
    const { runs } = await dueNow(id);
    // 12 MB to write and store: slower than the others under load.
    const mail = await until(
      async () => (await t.mailbox(member.email)).find((sent) => /too large to attach/.test(sent.text)),
      'the mail of the large report',
      90_000,
    );
    // The mail goes out just before the run is marked done with its file.
    const file = await until(async () => {
      const [row] = await t.sql<{ size: number }>('select f.size::int as size from report_runs r join files f on f.id = r.file_id where r.id = $1', [
        runs[0]!.id,
      ]);
      return row;
    }, 'the run done with its file');
    expect(file!.size).toBeGreaterThan(10 * 1024 * 1024);
    expect(mail.attachments).toEqual([]);
    const url = /(http\S+\/api\/v1\/files\/signed\/\S+)/.exec(mail.text)?.[1];
    expect((await fetch(url!)).status).toBe(200);
  }, 120_000);

  it("stop running once their author loses the report's permission: the run fails, nobody is mailed", async () => {
    const author = await addMember(t, owner, ['member']);
    const id = (await call(t, author, 'POST', '/report-schedules', schedule({ recipients: [author.id] }))).body.data.id as string;
    expect((await call(t, owner, 'DELETE', `/members/${author.id}`)).status).toBe(204);
    const { runs } = await dueNow(id);
    const failed = await until(async () => {
      const [run] = await t.sql<{ status: string; error: string | null; file_id: string | null }>(
        'select status, error, file_id from report_runs where id = $1',
        [runs[0]!.id],
      );
      return run?.status === 'failed' ? run : undefined;
    }, 'the refused run');
    expect(failed).toEqual({ status: 'failed', error: "The schedule's author no longer holds ledger.entries.view", file_id: null });
    expect((await t.mailbox(author.email)).filter((mail) => mail.attachments.length > 0)).toEqual([]);
  });

  it('are invisible to another tenant', async () => {
    const id = (await call(t, owner, 'POST', '/report-schedules', schedule())).body.data.id as string;
    const other = await signUp(t, { tenant: true });
    await t.enable(other, 'ledger');
    expect((await call(t, other, 'GET', `/report-schedules/${id}`)).status).toBe(404);
    expect((await call(t, other, 'PATCH', `/report-schedules/${id}`, { enabled: false })).status).toBe(404);
    expect((await call(t, other, 'DELETE', `/report-schedules/${id}`)).status).toBe(404);
    const listed = await call(t, other, 'GET', '/report-schedules');
    expect(listed.body.data).toEqual([]);
    expect(listed.body.meta.pagination.total).toBe(0);
    // Recipients of another tenant are refused.
    expect((await call(t, other, 'POST', '/report-schedules', schedule({ recipients: [owner.id] }))).status).toBe(422);
  });
});

describe('report schedules with a period', () => {
  // Monday 1 March 2027 at 08:00 in Auckland (UTC+13) is still Sunday 28 February in UTC: the week before is
  // 22–28 February on Auckland's calendar, 15–21 February on UTC's.
  const zone = 'Pacific/Auckland';
  const mondaySlot = '2027-02-28T19:00:00.000Z';
  let cashier: TestUser;
  const tillSchedule = (overrides: Record<string, unknown> = {}) =>
    schedule({ report: 'till.sales-by-day', time_zone: zone, recipients: [cashier.id], period: 'last_week', ...overrides });

  beforeAll(async () => {
    cashier = await addMember(t, owner, ['member']);
    const sales: [string, number][] = [
      ['2027-02-14', 114],
      ['2027-02-21', 121],
      ['2027-02-22', 222],
      ['2027-02-25', 225],
      ['2027-02-28', 228],
      ['2027-03-01', 301],
    ];
    for (const [day, amount] of sales) await t.sql('insert into till_sales (tenant_id, day, amount) values ($1, $2, $3)', [owner.tenant!.id, day, amount]);
  });

  it('work out their days on the calendar of the time zone', () => {
    const at = new Date(mondaySlot);
    expect(periodRange('yesterday', at, zone)).toEqual({ from: '2027-02-28', to: '2027-02-28' });
    expect(periodRange('last_7_days', at, zone)).toEqual({ from: '2027-02-22', to: '2027-02-28' });
    expect(periodRange('last_week', at, zone)).toEqual({ from: '2027-02-22', to: '2027-02-28' });
    expect(periodRange('last_month', at, zone)).toEqual({ from: '2027-02-01', to: '2027-02-28' });
    expect(periodRange('yesterday', at, 'UTC')).toEqual({ from: '2027-02-27', to: '2027-02-27' });
    expect(periodRange('last_week', at, 'UTC')).toEqual({ from: '2027-02-15', to: '2027-02-21' });
    expect(periodRange('last_month', at, 'UTC')).toEqual({ from: '2027-01-01', to: '2027-01-31' });
    // Across a year's end, and a Sunday's week is the one before its own Monday.
    expect(periodRange('last_month', new Date('2027-01-05T12:00:00Z'), 'UTC')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(periodRange('last_week', new Date('2027-03-07T12:00:00Z'), 'UTC')).toEqual({ from: '2027-02-22', to: '2027-02-28' });
  });

  it("set from and to to the Monday–Sunday before each slot, on the schedule's calendar, and store neither", async () => {
    const created = await call(t, cashier, 'POST', '/report-schedules', tillSchedule({ params: { from: '2020-01-01', to: '2020-01-31', min_amount: 0 } }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({ period: 'last_week', params: { min_amount: 0 } });
    expect(created.body.data.params).not.toHaveProperty('from');
    const id = created.body.data.id as string;
    expect((await call(t, cashier, 'GET', `/report-schedules/${id}`)).body.data.period).toBe('last_week');
    const [stored] = await t.sql<{ params: unknown; period: string }>('select params, period from report_schedules where id = $1', [id]);
    expect(stored).toEqual({ params: { min_amount: 0 }, period: 'last_week' });

    const { params, lines } = await runSlot(id, mondaySlot, cashier);
    expect(params).toEqual({ from: '2027-02-22', to: '2027-02-28', min_amount: 0 });
    expect(lines).toEqual(['Day,Amount', '2027-02-22,222', '2027-02-25,225', '2027-02-28,228']);
    // The next slot is a week on; the stored parameters are untouched.
    const [after] = await t.sql<{ params: unknown; next_run_at: Date }>('select params, next_run_at from report_schedules where id = $1', [id]);
    expect(after).toEqual({ params: { min_amount: 0 }, next_run_at: new Date('2027-03-07T19:00:00.000Z') });
  });

  it('are refused (422 naming period) for a report without from and to dates, and a bad remaining parameter at once', async () => {
    const series = await call(t, cashier, 'POST', '/report-schedules', tillSchedule({ report: 'ledger.series', params: { rows: 3 } }));
    expect(series.status).toBe(422);
    expect(series.body.errors).toHaveProperty(['period']);
    const fixed = await call(t, cashier, 'POST', '/report-schedules', tillSchedule({ report: 'ledger.series', params: { rows: 3 }, period: null }));
    expect(fixed.status).toBe(201);
    const changed = await call(t, cashier, 'PATCH', `/report-schedules/${fixed.body.data.id}`, { period: 'yesterday' });
    expect(changed.status).toBe(422);
    expect(changed.body.errors).toHaveProperty(['period']);
    // Checked with the period's dates at the time of saving: the rest of the parameters are refused now, not at the run.
    const bad = await call(t, cashier, 'POST', '/report-schedules', tillSchedule({ params: { min_amount: -1 } }));
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toHaveProperty(['params.min_amount']);
    expect(await t.sql('select period from report_schedules where created_by = $1 and report = $2', [cashier.id, 'ledger.series'])).toEqual([{ period: null }]);
  });

  it('changed back to fixed dates (period null) need them, and run with them', async () => {
    const id = (await call(t, cashier, 'POST', '/report-schedules', tillSchedule({ period: 'last_month' }))).body.data.id as string;
    const undated = await call(t, cashier, 'PATCH', `/report-schedules/${id}`, { period: null });
    expect(undated.status).toBe(422);
    expect(undated.body.errors).toHaveProperty(['params.from']);
    const fixed = await call(t, cashier, 'PATCH', `/report-schedules/${id}`, { period: null, params: { from: '2027-02-14', to: '2027-02-21' } });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body.data).toMatchObject({ period: null, params: { from: '2027-02-14', to: '2027-02-21', min_amount: 0 } });
    const { params, lines } = await runSlot(id, mondaySlot, cashier);
    expect(params).toEqual({ from: '2027-02-14', to: '2027-02-21', min_amount: 0 });
    expect(lines).toEqual(['Day,Amount', '2027-02-14,114', '2027-02-21,121']);
  });
});
