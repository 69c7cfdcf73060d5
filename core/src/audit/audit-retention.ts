import { runAsSystem } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';

/** Deletes tenants' audit entries older than the host's retention (`PLINTH_AUDIT_RETENTION_DAYS`), daily. */
export const retentionJob = 'core.audit.retention';

/** Entries deleted per statement: a long-neglected log is cleared in short transactions, not one that locks it all. */
const batchRows = 10_000;

type RetentionServices = Pick<KernelServices, 'jobs' | 'database' | 'logger' | 'config' | 'clock'>;

/**
 * Deletes every audit entry older than the retention, on the system path (tenant work has no delete on the log),
 * measured from the kernel's clock. Returns how many went.
 */
export async function deleteExpiredAudit(services: Omit<RetentionServices, 'jobs' | 'logger'>): Promise<number> {
  const cutoff = new Date(services.clock.now().getTime() - services.config.auditRetentionDays * 86_400_000);
  let deleted = 0;
  for (;;) {
    const [gone] = await runAsSystem(services.database, (db) =>
      db.query<{ n: number }>(
        'with gone as (delete from audit_log where id in (select id from audit_log where created_at < $1 limit $2) returning 1) select count(*)::int as n from gone',
        [cutoff, batchRows],
      ),
    );
    deleted += gone!.n;
    if (gone!.n < batchRows) return deleted;
  }
}

/** Defines the retention job (every role: an API process only queues, but the job system wants the names known). */
export function defineAuditWork(services: RetentionServices): void {
  services.jobs.define(
    retentionJob,
    async () => {
      const deleted = await deleteExpiredAudit(services);
      if (deleted > 0) services.logger.info({ deleted, retentionDays: services.config.auditRetentionDays }, 'deleted expired audit entries');
    },
    { concurrency: 1 },
  );
}

/** Schedules the daily retention run (one schedule for the host, whatever the number of workers). */
export async function scheduleAuditWork(services: RetentionServices): Promise<void> {
  await services.jobs.every('1 day', retentionJob, {}, { name: retentionJob });
}
