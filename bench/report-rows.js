// Report rows benchmark: `plinth start` (production, every first-party plugin) writes the payments reconciliation
// report of BENCH_ROWS transactions (default 1,000,000) as CSV, while the server's resident memory is sampled every
// 100 ms from /proc. Prints the idle RSS (before any report, and after a one-day warm-up run of the same report), the
// peak and its growth over idle (the target: under 50 MB, the rows never held at once), the report's rows per second,
// and as the floor the rows per second of a plain `COPY (the same select) TO STDOUT` through pg (pg-copy-streams) in
// the same run. Needs `npm run build`; Linux. Run it on an idle machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { scratchDatabase } from './lib/database.js';
import { call } from './lib/kernel.js';
import { benchTenant, enablePlugins, firstPartyPackages, hostEnvironment, repo } from './lib/plinth-hosts.js';
import { processRss } from './lib/proc.js';
import { startPlinth } from './lib/server.js';
import { seedReconciliation } from '../plugins/payments/test/reconciliation-seed.js';

const requestedRows = Number(process.env.BENCH_ROWS ?? 1_000_000);
// Five payments give six transaction rows (every fifth is refunded): as many payments as make the rows asked for.
const payments = Math.ceil((requestedRows * 5) / 6);
const rssTargetBytes = 50 * 1024 * 1024;
const range = { from: '2026-01-01', to: '2026-12-31' };

/** Seeds the payments tables with `payments` payments (a refund for every fifth) straight into the database, as its owner. */
async function seed(databaseUrl, tenantId, payments) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const seeded = await seedReconciliation(client, { tenantId, payments, start: new Date('2026-01-01T00:00:00Z'), spacingSeconds: 25 });
    await client.query('analyze payments_intents, payments_transactions, payments_refunds');
    return seeded.transactions;
  } finally {
    await client.end();
  }
}

/** Rows per second of `COPY (the report's select) TO STDOUT`, the bytes thrown away: what PostgreSQL and pg alone manage. */
async function copyRate(databaseUrl, tenantId, rows) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    const copy = client.query(
      // The report's select (plugins/payments/src/reports/reconciliation.report.ts), the tenant named instead of set.
      copyStreams.to(`copy (select t.created_at as date, t.provider,
          case when t.type = 'refund' then r.provider_ref else coalesce(i.provider_payment_ref, i.provider_ref) end as provider_reference,
          t.type as kind, case when t.type = 'refund' then -t.amount else t.amount end as amount, t.fee,
          case when t.type = 'refund' then -t.amount else t.amount end - coalesce(t.fee, 0) as net,
          t.currency, t.intent_id as payment_id, i.description as reference
        from payments_transactions t join payments_intents i on i.id = t.intent_id left join payments_refunds r on r.id = t.refund_id
        where t.tenant_id = '${tenantId}' order by t.created_at, t.id) to stdout with csv`),
    );
    await pipeline(copy, new Writable({ write: (_chunk, _encoding, done) => done() }));
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const database = await scratchDatabase('plinth_bench_reports');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-reports-'));
let plinth;
try {
  const { plinthEnv } = hostEnvironment(database.url, scratch);
  const env = plinthEnv('reports', firstPartyPackages);
  plinth = await startPlinth({ cwd: repo, env });
  const { tenantId, headers } = await benchTenant(plinth, env);
  await enablePlugins(plinth, headers, ['payments']);
  process.stderr.write(`seeding ${payments} payments…\n`);
  const rows = await seed(database.url, tenantId, payments);

  /** Runs the report over `period` as the bench owner, polling until it ends; returns the run. */
  const runReport = async (period) => {
    const { data } = await call(plinth, 'POST', '/api/v1/reports', { report: 'payments.reconciliation', params: period, format: 'csv' }, await headers());
    let run = data;
    while (run.status === 'queued' || run.status === 'running') {
      await delay(200);
      run = (await call(plinth, 'GET', `/api/v1/reports/${run.id}`, undefined, await headers())).data;
    }
    return run;
  };
  const settledRss = async () => {
    let rss = 0;
    for (let sample = 0; sample < 10; sample++) {
      rss = Math.max(rss, processRss(plinth.pid));
      await delay(100);
    }
    return rss;
  };
  const cold = await settledRss();
  // Idle is measured once the server has run the report over one day: loading the writer, compiling the path and
  // growing the young generation happen once per process, whatever the number of rows, and are not what is measured.
  const warm = await runReport({ from: range.from, to: range.from });
  if (warm.status !== 'done') throw new Error(`the warm-up report ended ${warm.status}: ${warm.error}`);
  const idle = await settledRss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, processRss(plinth.pid))), 100);
  const started = performance.now();
  const run = await runReport(range);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (run.status !== 'done' || run.rows_done !== rows) throw new Error(`the report ended ${run.status} with ${run.rows_done} rows: ${run.error}`);
  const copied = await copyRate(database.url, tenantId, rows);

  const results = {
    rows,
    file_bytes: run.file.size,
    seconds: Number(seconds.toFixed(2)),
    rows_per_second: Math.round(rows / seconds),
    copy_rows_per_second: Math.round(copied),
    cold_rss_bytes: cold,
    idle_rss_bytes: idle,
    peak_rss_bytes: peak,
    rss_growth_bytes: peak - idle,
  };
  if (process.env.BENCH_JSON) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`report rows (payments.reconciliation, CSV, ${rows} rows, ${mb(run.file.size)} file)`);
    console.log(`  report      ${results.rows_per_second.toLocaleString('en')} rows/s (${results.seconds} s, job to downloadable file)`);
    console.log(`  COPY floor  ${results.copy_rows_per_second.toLocaleString('en')} rows/s`);
    console.log(`  RSS before any report ${mb(cold)}; idle after a one-day warm-up report ${mb(idle)}, peak ${mb(peak)}, growth ${mb(peak - idle)}`);
    console.log(`  verdict: RSS growth ${peak - idle < rssTargetBytes ? 'under' : 'OVER'} the 50 MB target`);
  }
} finally {
  await plinth?.stop();
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
