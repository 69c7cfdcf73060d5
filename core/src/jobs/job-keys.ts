import type { Database } from '../db/database.js';
import { runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';

/**
 * Keyed jobs: at most one pending run per (tenant, job name, key). `plinth_job_keys` holds the token of the run
 * that may go ahead; every queued copy carries its token in its data, and a run whose token is no longer there
 * (replaced, cancelled) skips. The replace or cancel is a row change in the unit's transaction, so it takes
 * effect exactly when that commits, and no handover that comes late (after-commit or sweeper) can bring a
 * superseded run back: the database, not the order of arrival, decides.
 */

/** Where a keyed job is: the data every queued copy of it carries. */
export interface JobKey {
  tenantId: string;
  name: string;
  key: string;
}

/** One queued run of a keyed job. */
export interface KeyedRun extends JobKey {
  token: string;
}

const whereKey = 'tenant_id = $1 and name = $2 and key = $3';

/**
 * Makes `token` the key's current run, in the unit's transaction, and drops job-outbox intents of the key not yet
 * handed over (they are superseded). Returns the token it replaced, if any, for the queued copy to be discarded.
 */
export async function replaceKey(db: ScopedDb, job: JobKey, token: string): Promise<string | undefined> {
  const values = [job.tenantId, job.name, job.key];
  // Locks the key: two units replacing it at once commit one after the other, the later one's token winning.
  const [previous] = await db.query<{ token: string }>(`select token from plinth_job_keys where ${whereKey} for update`, values);
  await db.query(
    `insert into plinth_job_keys (tenant_id, name, key, token) values ($1, $2, $3, $4)
     on conflict (tenant_id, name, key) do update set token = excluded.token, job_id = null, started_at = null, updated_at = now()`,
    [...values, token],
  );
  await db.query(`delete from plinth_job_outbox where tenant_id = $1 and name = $2 and data->>'key' = $3`, values);
  return previous?.token;
}

/** Cancels the key's pending run in the unit's transaction (none once a run has started); returns its token, if one was pending. */
export async function cancelKey(db: ScopedDb, job: JobKey): Promise<string | undefined> {
  const values = [job.tenantId, job.name, job.key];
  const [removed] = await db.query<{ token: string }>(`delete from plinth_job_keys where ${whereKey} and started_at is null returning token`, values);
  if (removed) await db.query(`delete from plinth_job_outbox where tenant_id = $1 and name = $2 and data->>'key' = $3`, values);
  return removed?.token;
}

/**
 * Claims the key for the agenda job `jobId` carrying the run's token, committed at once: true when that run may go ahead
 * (again, after a retry or a crash). False when the token was replaced or cancelled, or another copy of the same
 * run (a handover done twice) claimed it first.
 */
export async function claimKey(database: Database, run: KeyedRun, jobId: string): Promise<boolean> {
  const claimed = await runInTenant(database, run.tenantId, (db) =>
    db.query(
      `update plinth_job_keys set started_at = coalesce(started_at, now()), job_id = $5, updated_at = now()
        where ${whereKey} and token = $4 and (job_id is null or job_id = $5) returning id`,
      [run.tenantId, run.name, run.key, run.token, jobId],
    ),
  );
  return claimed.length > 0;
}

/** Frees the key once its run succeeded, in the run's transaction (a key enqueued again meanwhile has another token and stays). */
export async function releaseKey(db: ScopedDb, run: KeyedRun): Promise<void> {
  await db.query(`delete from plinth_job_keys where ${whereKey} and token = $4`, [run.tenantId, run.name, run.key, run.token]);
}

/** Forgets keys whose run started long ago and never succeeded (its retries used up); enqueuing again would replace them anyway. */
export async function sweepStaleKeys(database: Database, olderThanDays: number): Promise<void> {
  await runAsSystem(database, (db) =>
    db.query(`delete from plinth_job_keys where id in (select id from plinth_job_keys where started_at < now() - make_interval(days => $1) limit 10000)`, [
      olderThanDays,
    ]),
  );
}
