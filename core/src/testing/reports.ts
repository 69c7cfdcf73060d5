import type { TestKernel } from './test-kernel.js';

/** A report run as `GET /api/v1/reports/:id` answers it. */
export interface TestReportRun {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  rows_done: number;
  rows_total: number | null;
  error: string | null;
  file: { name: string; size: number } | null;
}

/**
 * Asks for a report as `user` (`POST /api/v1/reports`) and lets it run to its end, draining the jobs and polling the run
 * with a deadline; answers the run, done or failed. Throws when the request is refused (not 202) or the run is still
 * going at the deadline.
 *
 * @example
 * ```ts
 * const run = await runReport(t, owner, 'shop.sales-by-day', { from: '2026-03-01', to: '2026-03-31' });
 * expect(run.status).toBe('done');
 * expect(parseCsv((await reportFile(t, owner, run.id)).toString())).toEqual([…]);
 * ```
 */
export async function runReport(
  t: TestKernel,
  user: { headers: Record<string, string> },
  report: string,
  params: Record<string, unknown>,
  format: 'csv' | 'xlsx' | 'pdf' = 'csv',
  timeoutMs = 30_000,
): Promise<TestReportRun> {
  const queued = await t.request('POST', '/api/v1/reports', { headers: user.headers, body: { report, params, format } });
  if (queued.status !== 202) throw new Error(`POST /api/v1/reports answered ${queued.status}: ${JSON.stringify(queued.body)}`);
  const id = queued.body.data.id as string;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await t.drainJobs();
    const run = (await t.request('GET', `/api/v1/reports/${id}`, { headers: user.headers })).body.data as TestReportRun;
    if (run.status === 'done' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`report ${report} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A finished run's file, downloaded as `user` through the signed link `GET /api/v1/reports/:id/download` gives. */
export async function reportFile(t: TestKernel, user: { headers: Record<string, string> }, runId: string): Promise<Buffer> {
  const link = await t.request('GET', `/api/v1/reports/${runId}/download`, { headers: user.headers });
  if (link.status !== 200) throw new Error(`the download of run ${runId} answered ${link.status}: ${JSON.stringify(link.body)}`);
  const file = await fetch(new URL(link.body.data.url as string, t.url));
  if (file.status !== 200) throw new Error(`the signed link of run ${runId} answered ${file.status}`);
  return Buffer.from(await file.arrayBuffer());
}

/** Parses RFC 4180 CSV as reports write it (a UTF-8 byte-order mark, CRLF line ends, quoted fields) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!;
    if (quoted) {
      if (char === '"' && body[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && body[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

/** A finished run's CSV, downloaded as `user` and parsed into rows of fields (the heading first). */
export async function reportCsv(t: TestKernel, user: { headers: Record<string, string> }, runId: string): Promise<string[][]> {
  return parseCsv((await reportFile(t, user, runId)).toString('utf8'));
}
