import { addMember, createTestKernel, reportCsv, runReport, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import payments, { testCards } from '../src/index.js';
import { paymentsApi } from './helpers.js';
import { seedReconciliation } from './reconciliation-seed.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  for (const owner of [a, b]) await t.enable(owner, 'payments', { manual_instructions: 'IBAN DE00 1234' });
  expect((await t.request('PATCH', '/api/v1/tenant', { headers: a.headers, body: { time_zone: 'America/New_York' } })).status).toBe(200);
});
afterAll(() => t?.close());

const header = ['Date', 'Provider', 'Provider reference', 'Kind', 'Amount', 'Fee', 'Net', 'Currency', 'Payment', 'Reference'];

/** A payment captured through the test gateway (its webhook applied). */
async function captured(owner: TestUser, amount: number, currency: string, description: string): Promise<string> {
  const call = paymentsApi(t, owner);
  const intent = (await call('POST', '/intents', { amount, currency, description })).body.data;
  expect((await call('POST', `/intents/${intent.id}/confirm`, { payment_method: testCards.succeeds })).status).toBe(200);
  await t.drainJobs();
  expect((await call('GET', `/intents/${intent.id}`)).body.data.status).toBe('succeeded');
  return intent.id;
}

/** Moves a transaction to an instant (days are the tenant's, so the tests pin the instant). */
async function at(where: string, values: unknown[], instant: string): Promise<void> {
  await t.sql(`update payments_transactions set created_at = $${values.length + 1} where ${where}`, [...values, instant]);
}

describe('payments.reconciliation', () => {
  it('lists each capture and refund of the range, oldest first, with references, fees and net amounts (refunds negative)', async () => {
    const call = paymentsApi(t, a);
    const card = await captured(a, 5000, 'USD', 'Order 1001');
    const euros = await captured(a, 2000, 'EUR', 'Order 1002');
    const outside = await captured(a, 700, 'USD', 'Order 0999');
    const refund = await call('POST', '/refunds', { intent_id: card, amount: 1500 });
    expect(refund.body.data.status).toBe('succeeded');
    const manual = (await call('POST', '/intents', { amount: 12000, currency: 'USD', provider: 'manual', description: 'Invoice 7' })).body.data;
    expect((await call('POST', `/intents/${manual.id}/mark-paid`)).status).toBe(200);
    await captured(b, 99_900, 'USD', 'Not A’s');

    // New York is UTC−5 in March: 2026-03-01 03:00 UTC is still 28 February there.
    await at("intent_id = $1 and type = 'capture'", [card], '2026-03-01T14:00:00Z');
    await at("intent_id = $1 and type = 'refund'", [card], '2026-03-02T09:30:00Z');
    await at('intent_id = $1', [euros], '2026-03-01T15:00:00Z');
    await at('intent_id = $1', [manual.id], '2026-03-03T04:59:59Z');
    await at('intent_id = $1', [outside], '2026-03-01T03:00:00Z');
    await t.sql("update payments_transactions set created_at = '2026-03-01T14:00:00Z' where tenant_id = $1", [b.tenant!.id]);
    // The gateway reported a fee for the card capture (the test gateway reports none).
    await t.sql("update payments_transactions set fee = 175 where intent_id = $1 and type = 'capture'", [card]);
    const [ref] = (await t.sql<{ intent: string; refund: string; euros: string }>(
      `select (select provider_ref from payments_intents where id = $1) as intent, (select provider_ref from payments_refunds where intent_id = $1) as refund,
              (select provider_ref from payments_intents where id = $2) as euros`,
      [card, euros],
    )) as [{ intent: string; refund: string; euros: string }];

    const run = await runReport(t, a, 'payments.reconciliation', { from: '2026-03-01', to: '2026-03-02' });
    expect(run).toMatchObject({ rows_done: 4, rows_total: 4 });
    expect(await reportCsv(t, a, run.id)).toEqual([
      header,
      ['2026-03-01 09:00:00', 'test', ref.intent, 'capture', '50.00', '1.75', '48.25', 'USD', card, 'Order 1001'],
      ['2026-03-01 10:00:00', 'test', ref.euros, 'capture', '20.00', '', '20.00', 'EUR', euros, 'Order 1002'],
      ['2026-03-02 04:30:00', 'test', ref.refund, 'refund', '-15.00', '', '-15.00', 'USD', card, 'Order 1001'],
      ['2026-03-02 23:59:59', 'manual', expect.any(String), 'capture', '120.00', '', '120.00', 'USD', manual.id, 'Invoice 7'],
    ]);

    const manualOnly = await runReport(t, a, 'payments.reconciliation', { from: '2026-02-28', to: '2026-03-31', provider: 'manual' });
    expect((await reportCsv(t, a, manualOnly.id)).slice(1).map((row) => [row[1], row[4], row[8]])).toEqual([['manual', '120.00', manual.id]]);
    const testOnly = await runReport(t, a, 'payments.reconciliation', { from: '2026-02-28', to: '2026-02-28', provider: 'test' });
    expect((await reportCsv(t, a, testOnly.id)).slice(1).map((row) => [row[0], row[4], row[8]])).toEqual([['2026-02-28 22:00:00', '7.00', outside]]);
  });

  it('streams a seeded month of transactions: every row, amounts and fees exactly as seeded', async () => {
    const c = await signUp(t, { tenant: true });
    await t.enable(c, 'payments');
    const payments = 1000;
    const { transactions } = await seedReconciliation(
      { query: (text, values) => t.sql(text, values) },
      {
        tenantId: c.tenant!.id,
        payments,
        start: new Date('2026-04-01T00:00:00Z'),
        spacingSeconds: 600,
      },
    );
    expect(transactions).toBe(1200);
    const run = await runReport(t, c, 'payments.reconciliation', { from: '2026-04-01', to: '2026-04-30' });
    expect(run).toMatchObject({ rows_done: transactions, rows_total: transactions });
    const rows = (await reportCsv(t, c, run.id)).slice(1);
    expect(rows).toHaveLength(transactions);
    // What the seed wrote, computed independently: payment g (1…1000) captures 1000 + g % 9000 with a fee of
    // 30 + 2.9 %; every fifth is half refunded.
    let amount = 0;
    let fees = 0;
    let refunded = 0;
    for (let g = 1; g <= payments; g++) {
      const paid = 1000 + (g % 9000);
      amount += paid;
      fees += 30 + Math.floor((paid * 29) / 1000);
      if (g % 5 === 0) refunded += Math.floor(paid / 2);
    }
    const cents = (column: number, kind: string) =>
      rows.filter((row) => row[3] === kind).reduce((sum, row) => sum + Math.round(Number(row[column] || '0') * 100), 0);
    expect(cents(4, 'capture')).toBe(amount);
    expect(cents(5, 'capture')).toBe(fees);
    expect(cents(4, 'refund')).toBe(-refunded);
    expect(cents(6, 'capture') + cents(6, 'refund')).toBe(amount - fees - refunded);
    const dates = rows.map((row) => row[0]!);
    expect([...dates].sort()).toEqual(dates);
  });

  it('can read the range through an index, in its order (no sort of the whole range)', async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('set local role plinth_app');
      await client.query("select set_config('app.tenant_id', $1, true)", [a.tenant!.id]);
      // A test's few rows would be read whole and sorted; on a big table the planner takes the index. Ruling out the
      // other ways shows that an index gives the rows of the range in the report's order.
      await client.query('set local enable_seqscan = off');
      await client.query('set local enable_bitmapscan = off');
      await client.query('set local enable_sort = off');
      for (const provider of [false, true]) {
        const plan = await client.query(
          `explain select t.id from payments_transactions t
            where t.created_at >= '2026-03-01' and t.created_at < '2026-04-01' ${provider ? "and t.provider = 'test'" : ''} order by t.created_at, t.id`,
        );
        const text = plan.rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
        expect(text).toContain(provider ? 'payments_transactions_provider_reconciliation' : 'payments_transactions_reconciliation');
        expect(text).not.toMatch(/\bSort\b/);
      }
    } finally {
      await client.query('rollback');
      await client.end();
    }
  });

  it('needs payments.transactions.view (403), valid days in order (422), and keeps runs to their tenant', async () => {
    const member = await addMember(t, a, ['member']);
    const denied = await t.request('POST', '/api/v1/reports', {
      headers: member.headers,
      body: { report: 'payments.reconciliation', params: { from: '2026-03-01', to: '2026-03-02' }, format: 'csv' },
    });
    expect(denied.status).toBe(403);
    for (const params of [
      { from: '2026-03-02', to: '2026-03-01' },
      { from: '2026-02-29', to: '2026-03-01' },
      { from: '2026-03-01' },
      { from: '2026-03-01', to: '2026-03-02', provider: 'Not A Provider!' },
    ]) {
      const response = await t.request('POST', '/api/v1/reports', { headers: a.headers, body: { report: 'payments.reconciliation', params, format: 'csv' } });
      expect(response.status, `${JSON.stringify(params)}: ${JSON.stringify(response.body)}`).toBe(422);
    }
    const run = await runReport(t, a, 'payments.reconciliation', { from: '2026-03-01', to: '2026-03-01' });
    expect(run.status).toBe('done'); // a finished run of A's: its download exists for A
    expect((await t.request('GET', `/api/v1/reports/${run.id}`, { headers: b.headers })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/reports/${run.id}/download`, { headers: b.headers })).status).toBe(404);
    const theirs = await runReport(t, b, 'payments.reconciliation', { from: '2026-03-01', to: '2026-03-01' });
    expect((await reportCsv(t, b, theirs.id)).slice(1).map((row) => [row[4], row[9]])).toEqual([['999.00', 'Not A’s']]);
  });
});
