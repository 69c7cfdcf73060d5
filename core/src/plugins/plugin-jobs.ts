import type { Plugin } from '@plinth/sdk';
import { runInTenant } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { PluginMisuseError, type UnitOfWork } from './plugin-scope.js';

/** A plugin's `core.jobs`: its own jobs only, queued through the job outbox in the unit's transaction. */
export function pluginJobs(plugin: Plugin, unit: UnitOfWork, services: KernelServices) {
  const own = (name: string) => {
    if (!name.startsWith(`${plugin.name}.`) || !plugin.jobs.some((job) => job.name === name)) {
      throw new PluginMisuseError(`plugin \`${plugin.name}\` has no job ${name}`);
    }
  };
  const tenantId = unit.tenant.id;
  return {
    // The job is written to the outbox in the unit's transaction and handed to the job system once that commits;
    // should the process die in between, the sweeper queues it from the outbox (at least once, never lost).
    async enqueue(name: string, payload: unknown, options: { at?: Date; delayMs?: number } = {}) {
      own(name);
      const at = options.at ?? (options.delayMs ? new Date(Date.now() + options.delayMs) : undefined);
      const [intent] = await unit.db.query<{ id: string }>(
        'insert into plinth_job_outbox (tenant_id, name, data, run_at) values ($1, $2, $3, $4) returning id',
        [tenantId, name, JSON.stringify({ tenantId, payload }), at ?? null],
      );
      unit.db.afterCommit(async () => {
        try {
          await (at ? services.jobs.schedule(at, name, { tenantId, payload }) : services.jobs.enqueue(name, { tenantId, payload }));
          await runInTenant(services.database, tenantId, (db) => db.query('delete from plinth_job_outbox where id = $1', [intent!.id]));
        } catch (error) {
          services.logger.warn({ err: error, job: name, plugin: plugin.name }, 'job not queued yet; the sweeper will queue it');
        }
      });
    },
    // The schedule is marked in its data: matching on name and tenant alone would also catch (and rewrite, or
    // cancel) the tenant's one-off runs of the same job.
    async every(name: string, interval: string, payload: unknown) {
      own(name);
      unit.db.afterCommit(() =>
        services.jobs.every(interval, name, { tenantId, payload, schedule: true }, { name, 'data.tenantId': tenantId, 'data.schedule': 'true' }),
      );
    },
    async cancelEvery(name: string) {
      own(name);
      unit.db.afterCommit(() => services.jobs.cancel(name, { tenantId, schedule: true }));
    },
  };
}
