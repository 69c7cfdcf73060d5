/**
 * Where a job stands, read from agenda's columns of `plinth_jobs`; the API, the console and the metrics share these
 * conditions so that they count the same jobs.
 */

/** The states the API shows: `failed` will be retried, `dead` has used up its retries and waits for a person. */
export const jobStates = ['dead', 'failed', 'running', 'scheduled', 'completed'] as const;
export type JobState = (typeof jobStates)[number];

/** The last run failed (no success since): it is `failed` or `dead`. */
const lastRunFailed = 'failed_at is not null and (last_finished_at is null or failed_at >= last_finished_at)';

/**
 * A dead job: its last attempt failed and agenda scheduled no retry (its retries are used up), nor is it running.
 * A recurring job never dies: its next run is always scheduled. Use it as a `where` condition on `plinth_jobs`.
 */
export const deadJobSql = `(locked_at is null and next_run_at is null and ${lastRunFailed})`;

/** The state of a job, as an SQL expression on `plinth_jobs`: running, dead, failed (a retry is due), scheduled, or completed. */
export const jobStateSql = `(case
  when locked_at is not null then 'running'
  when next_run_at is null and ${lastRunFailed} then 'dead'
  when ${lastRunFailed} then 'failed'
  when next_run_at is not null then 'scheduled'
  else 'completed' end)`;

/** A job's priority as its name (agenda stores a number: -20, -10, 0, 10, 20). */
export const jobPrioritySql = `(case
  when priority >= 20 then 'highest'
  when priority >= 10 then 'high'
  when priority > -10 then 'normal'
  when priority > -20 then 'low'
  else 'lowest' end)`;
