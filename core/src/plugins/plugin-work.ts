import type { JobContext, JobPriority, Plugin, TenantInfo } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { namespacedDb, runAsSystem, runInTenant, unitScopeOf, type ScopedDb } from '../db/scoped-db.js';
import type { EventDeliveryHost, EventHandlerSlot } from '../events/dispatch.js';
import { sweepEvents } from '../events/sweep.js';
import { claimKey, releaseKey, sweepStaleKeys } from '../jobs/job-keys.js';
import type { JobRun } from '../jobs/jobs.js';
import type { PluginJobData } from './plugin-jobs.js';
import { PluginFailure } from './plugin-hooks.js';
import { resolveDeps, type ScopeHost, type UnitOfWork } from './plugin-scope.js';
import { tenantInfo } from '../tenancy/tenant-directory.js';
import type { TenantPlugins } from './tenant-plugins.js';

/** How long a job of a plugin the tenant has disabled waits before it looks again. */
const pauseMs = 5 * 60_000;
/** How long effects recorded by `once` are remembered: longer than any job keeps retrying. */
const effectsKeptDays = 30;
/** A plugin's job still in the job outbox (its process died between the commit and the queueing) is queued by the sweeper this long after it was written. */
const jobOutboxLostAfterSeconds = 10;

export interface PluginWorkHost extends ScopeHost {
  tenantPlugins: TenantPlugins;
  onFailure(failure: PluginFailure): void;
}

/**
 * The plugin side of event delivery (core/src/events/dispatch.ts): the handlers of the plugins a tenant has
 * enabled, each run with its plugin's deps in the delivery's transaction; failures counted against the plugin.
 */
export function eventDelivery(host: PluginWorkHost): EventDeliveryHost {
  return {
    database: host.services.database,
    tenants: host.services.tenants,
    async handlers(tenantId, event) {
      const state = await host.tenantPlugins.state(tenantId);
      const slots: EventHandlerSlot[] = [];
      for (const plugin of host.plugins.values()) {
        if (!(plugin.name in state.settings)) continue;
        for (const handler of plugin.eventHandlers.filter((candidate) => candidate.event === event || candidate.event === '*')) {
          slots.push({
            plugin: plugin.name,
            id: `${plugin.name}:${handler.id ?? handler.event}`,
            handle(db, delivered, tenant) {
              const unit: UnitOfWork = { tenant, db, state, built: new Map() };
              return handler.handle({ event: delivered, deps: resolveDeps(plugin, unit, host), ctx: { tenant, settings: state.settings[plugin.name] } });
            },
          });
        }
      }
      return slots;
    },
    onFailure: (plugin, error) => host.onFailure(new PluginFailure(plugin, 'event', error)),
  };
}

/**
 * The sweeper's round: stalled events (core/src/events/sweep.ts), the plugins' jobs a crash left in the job outbox,
 * and effects recorded by `once` and job keys whose run gave up long ago. Returns how many events it queued again.
 */
export async function sweepWork(host: PluginWorkHost): Promise<number> {
  const { database, jobs } = host.services;
  const stalled = await sweepEvents(database, jobs);
  await sweepJobOutbox(host);
  await sweepStaleKeys(database, effectsKeptDays);
  await runAsSystem(database, (db) =>
    db.query(
      `delete from plinth_job_effects where id in (select id from plinth_job_effects where created_at < now() - make_interval(days => $1) limit 10000)`,
      [effectsKeptDays],
    ),
  );
  return stalled;
}

/** Queues the plugins' jobs left in the job outbox by a process that died after its commit (at least once: a job queued just before the crash may run twice). */
async function sweepJobOutbox(host: PluginWorkHost): Promise<void> {
  const { database, jobs } = host.services;
  const left = await runAsSystem(database, (db) =>
    db.query<{ id: string; name: string; data: PluginJobData; run_at: Date | null; priority: JobPriority | null }>(
      `select id, name, data, run_at, priority from plinth_job_outbox where created_at < now() - make_interval(secs => $1) order by created_at limit 1000`,
      [jobOutboxLostAfterSeconds],
    ),
  );
  for (const intent of left) {
    const queue = intent.priority ? { priority: intent.priority } : {};
    if (intent.run_at && intent.run_at.getTime() > Date.now()) await jobs.schedule(intent.run_at, intent.name, intent.data, queue);
    else await jobs.enqueue(intent.name, intent.data, queue);
    await runAsSystem(database, (db) => db.query('delete from plinth_job_outbox where id = $1', [intent.id]));
  }
}

/**
 * Runs `effect` once per `key` of a tenant: in a transaction of its own that records the key with whatever the
 * effect writes, so a retried job skips keys already done. A second caller with the same key waits on the
 * first's uncommitted record, then skips. Returns whether the effect ran.
 */
export async function runOnce(database: Database, tenantId: string, key: string, effect: (db: ScopedDb) => Promise<void>): Promise<boolean> {
  return runInTenant(database, tenantId, async (db) => {
    const claimed = await db.query('insert into plinth_job_effects (tenant_id, key) values ($1, $2) on conflict do nothing returning id', [tenantId, key]);
    if (claimed.length === 0) return false;
    await effect(db);
    return true;
  });
}

/** Runs one of a plugin's jobs for its tenant, paused while the tenant has the plugin disabled or is suspended. */
/** The `ctx` of a run of a plugin's job, or of a report it declares, for the tenant `tenant`. */
export function jobContext(database: Database, plugin: Plugin, tenant: TenantInfo, settings: unknown, run: JobRun<unknown>): JobContext<unknown> {
  return {
    tenant,
    settings,
    jobId: run.id,
    attempt: run.attempt,
    touch: run.touch,
    once: (effectKey: string, effect: (db: ScopedDb) => Promise<void>) =>
      runOnce(database, tenant.id, `${plugin.name}:${effectKey}`, (db) => effect(namespacedDb(db, plugin.name))),
  };
}

export async function runPluginJob(host: PluginWorkHost, plugin: Plugin, jobName: string, run: JobRun<PluginJobData>): Promise<void> {
  const { tenantId, payload, key, token, units } = run.data;
  const keyed = key !== undefined && token !== undefined ? { tenantId, name: jobName, key, token } : undefined;
  const tenant = await host.services.tenants.byId(tenantId);
  if (!tenant) return;
  const state = await host.tenantPlugins.state(tenantId);
  if (!(plugin.name in state.settings) || tenant.status === 'suspended') {
    if (!run.repeating) await host.services.jobs.schedule(new Date(Date.now() + pauseMs), jobName, run.data);
    return;
  }
  // A keyed run goes ahead only while its token is the key's current one (not replaced, not cancelled).
  if (keyed && !(await claimKey(host.services.database, keyed, run.id))) return;
  const job = plugin.jobs.find((candidate) => candidate.name === jobName)!;
  // A job queued by a request limited to organisation units works in those units only.
  const scope = units === undefined ? undefined : unitScopeOf(units);
  if (scope) await host.services.orgUnits.ensure(tenantId, scope);
  const info = tenantInfo(tenant);
  try {
    await runInTenant(
      host.services.database,
      tenantId,
      async (db) => {
        const unit: UnitOfWork = { tenant: info, db, state, built: new Map() };
        await job.run({
          payload: payload as never,
          deps: resolveDeps(plugin, unit, host),
          ctx: jobContext(host.services.database, plugin, info, state.settings[plugin.name], run),
        });
        if (keyed) await releaseKey(db, keyed);
      },
      scope,
    );
  } catch (error) {
    host.onFailure(new PluginFailure(plugin.name, 'job', error));
    throw error;
  }
}
