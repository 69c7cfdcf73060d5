import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import { deadJobSql } from '../jobs/job-states.js';
import { withTimeout } from '../util/timeout.js';

/** The jobs of one name in `plinth_jobs`, as {@link readJobStats} counts them. */
export interface JobStatsRow {
  name: string;
  /** Due and not locked: waiting for a worker. */
  queued: number;
  /** Locked by a worker. */
  running: number;
  /** Not locked, next run in the future (delayed, recurring, waiting to retry). */
  scheduled: number;
  /** Failed for the last time: no next run, and the last outcome was a failure. */
  dead: number;
  /** Seconds since the oldest queued job became due; null when none is queued. */
  oldestQueuedSeconds: number | null;
}

/** What the job metrics record as jobs are defined and finish, and read from the table at scrape time. */
export interface JobMetrics {
  /** A job type this process knows: the `name` label takes these values (any other name is `other`). */
  defined(name: string): void;
  /** A run finished: its duration (agenda's last run → last finished), by name and outcome. */
  finished(name: string, outcome: 'succeeded' | 'failed', seconds: number | undefined): void;
}

/** How long a scrape waits for the job counts before answering without them. */
export const jobStatsTimeoutMs = 2000;

// One pass over the rows that are not completed, per name; "dead" as the jobs API counts it (job-states.ts).
const statsQuery = `select name,
    count(*) filter (where locked_at is null and next_run_at <= now()) as queued,
    count(*) filter (where locked_at is not null) as running,
    count(*) filter (where locked_at is null and next_run_at > now()) as scheduled,
    count(*) filter (where ${deadJobSql}) as dead,
    extract(epoch from now() - min(next_run_at) filter (where locked_at is null and next_run_at <= now()))::float8 as "oldestQueuedSeconds"
  from plinth_jobs
  where next_run_at is not null or locked_at is not null or failed_at is not null
  group by name`;

/**
 * Counts the jobs of `plinth_jobs` by name and state in one statement, bounded by a statement timeout on the
 * server and {@link jobStatsTimeoutMs} here: `/metrics` never hangs on a database that is slow or down.
 */
export async function readJobStats(database: Database, timeoutMs = jobStatsTimeoutMs): Promise<JobStatsRow[]> {
  const read = database.knex.transaction(async (trx) => {
    await trx.raw(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    const result = await trx.raw<{ rows: JobStatsRow[] }>(statsQuery);
    return result.rows;
  });
  return withTimeout(read, timeoutMs, 'job metrics query');
}

const durationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
const other = 'other';

/**
 * Job metrics by job type: a duration histogram fed by agenda's outcome events, and gauges read from the jobs table
 * when Prometheus scrapes (the table is shared, so every process reports the same cluster-wide counts: aggregate
 * them with `max`, not `sum`). A failing or slow query leaves the gauges empty for that scrape.
 */
export function createJobMetrics(registry: Registry, stats: (() => Promise<JobStatsRow[]>) | undefined, onError: (error: unknown) => void): JobMetrics {
  const known = new Set<string>();
  const label = (name: string) => (known.has(name) ? name : other);
  const duration = new Histogram({
    name: 'plinth_jobs_duration_seconds',
    help: 'Duration of job runs by name and outcome (succeeded, failed)',
    labelNames: ['name', 'outcome'] as const,
    buckets: durationBuckets,
    registers: [registry],
  });
  let pending: Promise<JobStatsRow[] | undefined> | undefined;
  /**
   * The counts of this scrape: prom-client collects every gauge at once, so they share one query in flight (and so
   * do scrapes that overlap it: a slow database never gets more than one of these at a time).
   */
  const current = () => {
    if (!stats) return Promise.resolve(undefined);
    pending ??= stats()
      .catch((error: unknown) => {
        onError(error);
        return undefined;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const gauge = (name: string, help: string, read: (row: JobStatsRow) => number | null, total: 'sum' | 'max') =>
    new Gauge({
      name,
      help,
      labelNames: ['name'] as const,
      registers: [registry],
      async collect() {
        const rows = await current();
        this.reset();
        if (!rows) return;
        const values = new Map<string, number>([...known].map((name) => [name, 0]));
        for (const row of rows) {
          const value = read(row);
          if (value === null) continue;
          const key = label(row.name);
          const before = values.get(key) ?? 0;
          values.set(key, total === 'sum' ? before + value : Math.max(before, value));
        }
        for (const [name, value] of values) this.set({ name }, value);
      },
    });
  gauge('plinth_jobs_queued', 'Jobs due and waiting for a worker, by name (cluster-wide)', (row) => row.queued, 'sum');
  gauge('plinth_jobs_running', 'Jobs locked by a worker, by name (cluster-wide)', (row) => row.running, 'sum');
  gauge('plinth_jobs_scheduled', 'Jobs waiting for a future run time (delayed, recurring, retrying), by name (cluster-wide)', (row) => row.scheduled, 'sum');
  gauge('plinth_jobs_dead', 'Jobs that failed their last attempt and will not run again, by name (cluster-wide)', (row) => row.dead, 'sum');
  gauge(
    'plinth_jobs_oldest_queued_age_seconds',
    'Seconds the oldest due job has waited for a worker, by name; 0 when none waits (cluster-wide)',
    (row) => row.oldestQueuedSeconds,
    'max',
  );
  return {
    defined: (name) => known.add(name),
    finished(name, outcome, seconds) {
      if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) duration.observe({ name: label(name), outcome }, seconds);
    },
  };
}
