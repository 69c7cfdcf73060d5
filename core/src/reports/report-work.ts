import { runAsSystem } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { executeRun, runJob, type RunJobData } from './report-run.js';
import { reportFileOwner } from './report-runs.js';
import { queueDueSchedules, schedulesJob } from './report-schedules.js';

/** Deletes the files of expired runs and marks them expired (hourly). */
export const expirySweepJob = 'core.reports.expire';

/** Marks runs past their expiry `expired` and deletes their files (the bytes once that commits). Returns how many. */
export async function expireRuns(services: KernelServices): Promise<number> {
  return runAsSystem(services.database, async (db) => {
    const expired = await db.query<{ id: string; tenant_id: string; file_id: string | null }>(
      `select id, tenant_id, file_id from report_runs where status = 'done' and expires_at <= $1 order by expires_at limit 1000 for update skip locked`,
      [services.clock.now()],
    );
    for (const run of expired) {
      await db.query(`update report_runs set status = 'expired', file_id = null, updated_at = now() where id = $1`, [run.id]);
      if (run.file_id) await services.files.delete({ tenantId: run.tenant_id, db, ownerPlugin: reportFileOwner }, run.file_id);
    }
    return expired.length;
  });
}

/** Defines the report jobs (every role: an API process only queues, but agenda wants the names known). */
export function defineReportWork(services: KernelServices): void {
  // A killed worker's run is taken over once its lock lapses and starts again from scratch; a run that fails is
  // recorded as failed by the handler, so retries are for crashes only.
  services.jobs.define<RunJobData>(runJob, (run) => executeRun(services, run), { concurrency: 2, maxRetries: 3 });
  services.jobs.define(schedulesJob, async () => void (await queueDueSchedules(services)), { concurrency: 1 });
  services.jobs.define(
    expirySweepJob,
    async () => {
      const expired = await expireRuns(services);
      if (expired > 0) services.logger.info({ expired }, 'expired report files deleted');
    },
    { concurrency: 1 },
  );
}

/** Schedules the per-minute schedule sweep and the hourly expiry sweep (one schedule each for the host). */
export async function scheduleReportWork(services: KernelServices): Promise<void> {
  await services.jobs.every('1 minute', schedulesJob, {}, { name: schedulesJob });
  await services.jobs.every('1 hour', expirySweepJob, {}, { name: expirySweepJob });
}
