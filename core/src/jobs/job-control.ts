import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';
import { jobStateSql, type JobState } from './job-states.js';

/**
 * Host administrators' actions on jobs: retry a failed or dead job now, cancel one that waits, discard a failed or
 * dead one. Each is one conditional statement on `plinth_jobs`, so a job a worker locks meanwhile (running) is left
 * alone: agenda, which holds it, would otherwise save its outcome over the change or into a row that is gone.
 */

export const jobActions = ['retry', 'cancel', 'discard'] as const;
export type JobAction = (typeof jobActions)[number];

/** The states each action takes (a failed job waits for its retry: it can be cancelled as well as retried now). */
export const actionStates: Record<JobAction, readonly JobState[]> = {
  retry: ['dead', 'failed'],
  cancel: ['scheduled', 'failed'],
  discard: ['dead', 'failed'],
};

/** Why a job was not acted on: unknown, running, a recurring schedule (its plugin owns it), or in a state the action does not take. */
export type SkipReason = 'not_found' | 'running' | 'recurring' | 'wrong_state';

/** A job acted on. */
export interface ActedJob {
  id: string;
  name: string;
  tenant_id: string | null;
}

export interface ActionResult {
  done: ActedJob[];
  skipped: { id: string; reason: SkipReason; state: JobState | null }[];
}

/** The most jobs one call acts on. */
export const maxJobsPerAction = 500;

interface ChangedRow {
  id: string;
  name: string;
  priority: number;
  data: { tenantId?: unknown; key?: unknown; token?: unknown } | null;
}

/** The jobs of `ids` the action may take now, as a query to update or delete. */
function actionable(knex: Knex, action: JobAction, ids: readonly string[]) {
  const query = knex('plinth_jobs')
    .whereIn('id', [...ids])
    .whereNull('locked_at')
    .whereRaw(`${jobStateSql} = any(?::text[])`, [`{${actionStates[action].join(',')}}`]);
  return action === 'cancel' ? query.whereNull('repeat_interval') : query;
}

/** Acts on the jobs `ids` (at most {@link maxJobsPerAction}); the others are skipped with the reason. */
export async function actOnJobs(database: Database, action: JobAction, ids: readonly string[]): Promise<ActionResult> {
  const { knex } = database;
  const unique = [...new Set(ids)];
  const columns = ['id', 'name', 'priority', 'data'];
  const changed: ChangedRow[] =
    action === 'retry'
      ? await actionable(knex, action, unique).update({ next_run_at: knex.fn.now(), updated_at: knex.fn.now() }).returning(columns)
      : await actionable(knex, action, unique).delete().returning(columns);
  await followKeys(database, action, changed);
  if (action === 'retry') await announce(knex, changed);
  const done = new Set(changed.map((row) => row.id));
  return {
    done: changed.map((row) => ({ id: row.id, name: row.name, tenant_id: typeof row.data?.tenantId === 'string' ? row.data.tenantId : null })),
    skipped: await skipReasons(
      knex,
      action,
      unique.filter((id) => !done.has(id)),
    ),
  };
}

/** Why each of `ids` was left: gone, running, recurring (cancel), or in another state. */
async function skipReasons(knex: Knex, action: JobAction, ids: string[]): Promise<ActionResult['skipped']> {
  if (ids.length === 0) return [];
  const rows: { id: string; state: JobState; recurring: boolean }[] = await knex('plinth_jobs')
    .whereIn('id', ids)
    .select('id', knex.raw(`${jobStateSql} as state`), knex.raw('repeat_interval is not null as recurring'));
  const found = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => {
    const row = found.get(id);
    if (!row) return { id, reason: 'not_found', state: null };
    const reason: SkipReason = row.state === 'running' ? 'running' : row.recurring && action === 'cancel' ? 'recurring' : 'wrong_state';
    return { id, reason, state: row.state };
  });
}

/**
 * Keeps keyed jobs' keys (plinth_job_keys) in step: a retried run stays the key's current run (its key is put back
 * if the sweeper forgot it; a key enqueued again meanwhile keeps its newer run), a cancelled or discarded one frees it.
 */
async function followKeys(database: Database, action: JobAction, rows: readonly ChangedRow[]): Promise<void> {
  const keyed = rows.flatMap((row) => {
    const { tenantId, key, token } = row.data ?? {};
    return typeof tenantId === 'string' && typeof key === 'string' && typeof token === 'string' ? [{ id: row.id, name: row.name, tenantId, key, token }] : [];
  });
  if (keyed.length === 0) return;
  await runAsSystem(database, async (db) => {
    for (const run of keyed) {
      if (action === 'retry') {
        await db.query(
          `insert into plinth_job_keys (tenant_id, name, key, token, job_id, started_at) values ($1, $2, $3, $4, $5, now())
           on conflict (tenant_id, name, key) do nothing`,
          [run.tenantId, run.name, run.key, run.token, run.id],
        );
      } else {
        await db.query('delete from plinth_job_keys where tenant_id = $1 and name = $2 and key = $3 and token = $4', [
          run.tenantId,
          run.name,
          run.key,
          run.token,
        ]);
      }
    }
  });
}

/** Wakes the workers for retried jobs at once (as agenda announces a new job), rather than at their next poll. */
async function announce(knex: Knex, rows: readonly ChangedRow[]): Promise<void> {
  const timestamp = new Date().toISOString();
  for (const row of rows) {
    const payload = JSON.stringify({ jobId: row.id, jobName: row.name, nextRunAt: timestamp, priority: row.priority, timestamp });
    await knex.raw('select pg_notify(?, ?)', ['plinth_jobs', payload]);
  }
}

/** Up to {@link maxJobsPerAction} ids of the jobs matching `filter`, oldest first. */
export async function jobIdsMatching(database: Database, filter: { state: JobState; name?: string; tenantId?: string }): Promise<string[]> {
  const query = database.knex('plinth_jobs').whereRaw(`${jobStateSql} = ?`, [filter.state]);
  if (filter.name) query.where('name', filter.name);
  if (filter.tenantId) query.whereRaw(`data->>'tenantId' = ?`, [filter.tenantId]);
  const rows: { id: string }[] = await query.select('id').orderBy('created_at').limit(maxJobsPerAction);
  return rows.map((row) => row.id);
}
