import type { EnqueueOptions, Plugin } from '@plinth/sdk';
import { randomUUID } from 'node:crypto';
import { runInTenant } from '../db/scoped-db.js';
import { cancelKey, replaceKey } from '../jobs/job-keys.js';
import { jobPriorities, type Jobs } from '../jobs/jobs.js';
import type { KernelServices } from '../kernel.js';
import { PluginMisuseError, type UnitOfWork } from './plugin-scope.js';
import { withTraceOf } from '../telemetry/tracing.js';

/** What a plugin's job carries in the job system: its tenant and payload, and for a keyed job its key and the token of this run. */
export interface PluginJobData {
  tenantId: string;
  /** The organisation units of the request that queued the job; absent: the whole tenant. */
  units?: string[];
  payload: unknown;
  key?: string;
  token?: string;
}

/**
 * Saves a plugin's recurring job for its tenant (one per job and tenant), a cron expression read in `timeZone`. The
 * schedule is marked in its data: matching on name and tenant alone would also catch (and rewrite, or cancel) the
 * tenant's one-off runs of the same job.
 */
function saveSchedule(jobs: Jobs, name: string, interval: string, data: PluginJobData & { schedule: true }, timeZone: string) {
  return jobs.every(interval, name, data, { name, 'data.tenantId': data.tenantId, 'data.schedule': 'true' }, timeZone);
}

/** Saves a tenant's schedules again in its new time zone (the owner changed it): the next run of each is re-timed. */
export async function retimeSchedules(jobs: Jobs, tenantId: string, timeZone: string): Promise<void> {
  for (const schedule of await jobs.schedules({ tenantId, schedule: true })) {
    await saveSchedule(jobs, schedule.name, schedule.interval, schedule.data as PluginJobData & { schedule: true }, timeZone);
  }
}

/** Longest job key (an id, or a few joined). */
const maxKeyLength = 200;

/** A plugin's `core.jobs`: its own jobs only, queued through the job outbox in the unit's transaction. */
export function pluginJobs(plugin: Plugin, unit: UnitOfWork, services: KernelServices) {
  const own = (name: string) => {
    if (!name.startsWith(`${plugin.name}.`) || !plugin.jobs.some((job) => job.name === name)) {
      throw new PluginMisuseError(`plugin \`${plugin.name}\` has no job ${name}`);
    }
  };
  const tenantId = unit.tenant.id;
  const checkKey = (key: string) => {
    if (typeof key !== 'string' || key.length === 0 || key.length > maxKeyLength) {
      throw new PluginMisuseError(`plugin \`${plugin.name}\` gave a job key that is not a string of 1–${maxKeyLength} characters`);
    }
  };
  // A superseded run's queued copy is removed once the change commits; should that fail, the copy still skips when it comes up.
  const discard = (name: string, token: string | undefined) => {
    if (!token) return;
    unit.db.afterCommit(() =>
      services.jobs.discard(name, { tenantId, token }).then(
        () => undefined,
        (error: unknown) => services.logger.warn({ err: error, job: name, plugin: plugin.name }, 'superseded job not removed; it will skip when it comes up'),
      ),
    );
  };
  return {
    // The job is written to the outbox in the unit's transaction and handed to the job system once that commits;
    // should the process die in between, the sweeper queues it from the outbox (at least once, never lost).
    async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}) {
      own(name);
      const at = options.at ?? (options.delayMs ? new Date(Date.now() + options.delayMs) : undefined);
      if (options.key !== undefined) checkKey(options.key);
      const priority = options.priority ?? plugin.jobs.find((job) => job.name === name)?.priority;
      if (priority !== undefined && !Object.hasOwn(jobPriorities, priority)) {
        throw new PluginMisuseError(
          `plugin \`${plugin.name}\` gave job ${name} the priority ${String(priority)}; use one of ${Object.keys(jobPriorities).join(', ')}`,
        );
      }
      const keyed = options.key === undefined ? undefined : { key: options.key, token: randomUUID() };
      // The trace context goes with the job from here (the outbox too), so a run the sweeper queues continues the request's trace.
      const data = withTraceOf<PluginJobData>({ tenantId, payload, ...keyed, ...(unit.unitScope ? { units: [...unit.unitScope.ids] } : {}) });
      if (keyed) discard(name, await replaceKey(unit.db, { tenantId, name, key: keyed.key }, keyed.token));
      const [intent] = await unit.db.query<{ id: string }>(
        'insert into plinth_job_outbox (tenant_id, name, data, run_at, priority) values ($1, $2, $3, $4, $5) returning id',
        [tenantId, name, JSON.stringify(data), at ?? null, priority ?? null],
      );
      unit.db.afterCommit(async () => {
        try {
          const queue = priority ? { priority } : {};
          await (at ? services.jobs.schedule(at, name, data, queue) : services.jobs.enqueue(name, data, queue));
          await runInTenant(services.database, tenantId, (db) => db.query('delete from plinth_job_outbox where id = $1', [intent!.id]));
        } catch (error) {
          services.logger.warn({ err: error, job: name, plugin: plugin.name }, 'job not queued yet; the sweeper will queue it');
        }
      });
    },
    async cancel(name: string, key: string) {
      own(name);
      checkKey(key);
      discard(name, await cancelKey(unit.db, { tenantId, name, key }));
    },
    // A cron expression is read in the tenant's time zone.
    async every(name: string, interval: string, payload: unknown) {
      own(name);
      unit.db.afterCommit(() => saveSchedule(services.jobs, name, interval, { tenantId, payload, schedule: true }, unit.tenant.timeZone));
    },
    async cancelEvery(name: string) {
      own(name);
      unit.db.afterCommit(() => services.jobs.cancel(name, { tenantId, schedule: true }));
    },
  };
}
