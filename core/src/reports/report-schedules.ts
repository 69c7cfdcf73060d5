import { ValidationError } from '@plinth/sdk';
import { CronExpressionParser } from 'cron-parser';
import { runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { RegisteredReport } from './report-registry.js';
import { runJob, type RunJobData } from './report-run.js';

/** Queues due scheduled runs (every minute). */
export const schedulesJob = 'core.reports.schedules';
/** Due schedules one sweep takes at most; the next sweep takes the rest. */
const sweepBatch = 100;

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The relative periods a schedule may report on instead of fixed dates. */
export const schedulePeriods = ['yesterday', 'last_7_days', 'last_week', 'last_month'] as const;
export type SchedulePeriod = (typeof schedulePeriods)[number];

/** Whether a report can take a period: its params have `from` and `to` date strings. */
export function takesPeriod(registered: RegisteredReport): boolean {
  const properties = registered.definition.params.properties as Record<string, { type?: unknown; format?: unknown } | undefined>;
  return ['from', 'to'].every((key) => properties[key]?.type === 'string' && properties[key]?.format === 'date');
}

const dayMs = 86_400_000;
const isoDay = (day: Date) => day.toISOString().slice(0, 10);

/**
 * The `from` and `to` days (`YYYY-MM-DD`, both included) of `period` for a slot at `at`, on the calendar of
 * `timeZone` (an IANA zone, checked by the caller): the day before; the seven days before; Monday to Sunday of the
 * week before; the calendar month before.
 */
export function periodRange(period: SchedulePeriod, at: Date, timeZone: string): { from: string; to: string } {
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)!.value);
  // The slot's day in the zone, as a UTC midnight: day arithmetic with no daylight saving in the way.
  const today = Date.UTC(part('year'), part('month') - 1, part('day'));
  const days = (from: number, to: number) => ({ from: isoDay(new Date(today + from * dayMs)), to: isoDay(new Date(today + to * dayMs)) });
  const day = new Date(today);
  switch (period) {
    case 'yesterday':
      return days(-1, -1);
    case 'last_7_days':
      return days(-7, -1);
    case 'last_week': {
      const sinceMonday = (day.getUTCDay() + 6) % 7;
      return days(-sinceMonday - 7, -sinceMonday - 1);
    }
    case 'last_month':
      return {
        from: isoDay(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() - 1, 1))),
        to: isoDay(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1) - dayMs)),
      };
  }
}

/**
 * The first time after `after` that a five-field cron expression (minute hour day-of-month month day-of-week) names,
 * read in `timeZone`. Throws a 422 naming `cron` (or `time_zone`) for an expression or zone it cannot read.
 */
export function nextRunAt(cron: string, timeZone: string, after: Date): Date {
  if (!isTimeZone(timeZone)) throw new ValidationError({ time_zone: ['must be an IANA time zone, such as Asia/Riyadh'] });
  if (cron.trim().split(/\s+/).length !== 5) throw new ValidationError({ cron: ['must have five fields: minute hour day-of-month month day-of-week'] });
  try {
    return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).next().toDate();
  } catch (error) {
    throw new ValidationError({ cron: [`is not a valid cron expression: ${(error as Error).message}`] });
  }
}

/**
 * Writes the run's job to the job outbox in `db`'s transaction and queues it once that commits; should the process
 * die in between, the sweeper queues it from the outbox (see plugin-work.ts): a run is never left queued for good.
 */
export async function queueRun(services: Pick<KernelServices, 'jobs' | 'database' | 'logger'>, db: ScopedDb, data: RunJobData): Promise<void> {
  const [intent] = await db.query<{ id: string }>('insert into plinth_job_outbox (tenant_id, name, data) values ($1, $2, $3) returning id', [
    data.tenantId,
    runJob,
    JSON.stringify(data),
  ]);
  db.afterCommit(async () => {
    try {
      await services.jobs.enqueue(runJob, data);
      await runInTenant(services.database, data.tenantId, (own) => own.query('delete from plinth_job_outbox where id = $1', [intent!.id]));
    } catch (error) {
      services.logger.warn({ err: error, job: runJob }, 'report run not queued yet; the sweeper will queue it');
    }
  });
}

/**
 * Queues a run of every due schedule: each due row is locked (`skip locked`: two sweeps at once take different rows),
 * its next time is advanced and its run inserted in the same transaction, so a slot runs once even if a sweep dies.
 * A schedule due several times over (the host was down) runs once, for now, for the first slot missed (its period's
 * dates are that slot's). Returns how many runs it queued.
 */
export async function queueDueSchedules(services: KernelServices): Promise<number> {
  const now = services.clock.now();
  return runAsSystem(services.database, async (db) => {
    const due = await db.query<{
      id: string;
      tenant_id: string;
      report: string;
      plugin: string;
      params: Record<string, unknown>;
      period: SchedulePeriod | null;
      format: string;
      cron: string;
      time_zone: string;
      created_by: string | null;
      next_run_at: Date;
    }>(
      `select s.id, s.tenant_id, s.report, s.plugin, s.params, s.period, s.format, s.cron, s.time_zone, s.created_by, s.next_run_at
         from report_schedules s join tenants t on t.id = s.tenant_id
        where s.enabled and s.next_run_at <= $1 and t.status = 'active'
        order by s.next_run_at limit $2 for update of s skip locked`,
      [now, sweepBatch],
    );
    for (const schedule of due) {
      let next: Date | null;
      try {
        next = nextRunAt(schedule.cron, schedule.time_zone, now);
      } catch {
        next = null;
      }
      await db.query('update report_schedules set next_run_at = $2, last_run_at = $3, updated_at = now() where id = $1', [schedule.id, next, now]);
      // The run reports on the period before its slot; its job checks the parameters as for any run.
      const params =
        schedule.period && isTimeZone(schedule.time_zone)
          ? { ...schedule.params, ...periodRange(schedule.period, schedule.next_run_at, schedule.time_zone) }
          : schedule.params;
      const [run] = await db.query<{ id: string }>(
        `insert into report_runs (tenant_id, report, plugin, params, format, requested_by, schedule_id) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [schedule.tenant_id, schedule.report, schedule.plugin, JSON.stringify(params), schedule.format, schedule.created_by, schedule.id],
      );
      await queueRun(services, db, { tenantId: schedule.tenant_id, runId: run!.id });
    }
    return due.length;
  });
}
