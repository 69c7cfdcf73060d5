import type { DeliveredEvent, EventName, Plugin, TenantInfo } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import type { JobRun } from '../jobs/jobs.js';
import { PluginFailure } from './plugin-hooks.js';
import { resolveDeps, type ScopeHost, type UnitOfWork } from './plugin-scope.js';
import type { TenantPlugins } from './tenant-plugins.js';

/** How long a job of a plugin the tenant has disabled waits before it looks again. */
const pauseMs = 5 * 60_000;
/**
 * An undispatched event with no dispatch job queued or running, or a plugin's job still in the job outbox (its
 * process died between the commit and the queueing), is queued by the sweeper this long after it was written.
 */
const sweepLostAfterSeconds = 10;
/** An undispatched event whose dispatch job gave up (retries used up) is tried again this long after it was last queued. */
const sweepFailedAfterMinutes = 10;
/** How long effects recorded by `once` are remembered: longer than any job keeps retrying. */
const effectsKeptDays = 30;

export interface PluginWorkHost extends ScopeHost {
  tenantPlugins: TenantPlugins;
  onFailure(failure: PluginFailure): void;
}

interface EventRow {
  id: string;
  name: EventName;
  payload: unknown;
  created_at: Date;
  dispatched_at: Date | null;
}

/**
 * Delivers one event to every handler of the plugins the tenant has enabled.
 * Each handler runs in its own tenant transaction that also records it as
 * done for this event, so a redelivery skips it and a failure in one handler
 * neither undoes nor blocks the others; when any failed, the job throws and is
 * retried with backoff (only the failed handlers run again).
 */
export async function dispatchEvent(host: PluginWorkHost, tenantId: string, eventId: string): Promise<void> {
  const { database } = host.services;
  const tenant = await host.services.tenants.byId(tenantId);
  if (!tenant) return;
  const event = await runInTenant(database, tenantId, (db) =>
    db.one<EventRow>('select id, name, payload, created_at, dispatched_at from plinth_events where id = $1', [eventId]),
  );
  if (!event || event.dispatched_at) return;
  const state = await host.tenantPlugins.state(tenantId);
  const info: TenantInfo = { id: tenant.id, slug: tenant.slug, name: tenant.name };
  const delivered: DeliveredEvent = { id: event.id, name: event.name, payload: event.payload as never, occurredAt: new Date(event.created_at).toISOString() };
  let failures = 0;
  for (const plugin of host.plugins.values()) {
    if (!(plugin.name in state.settings)) continue;
    for (const handler of plugin.eventHandlers.filter((candidate) => candidate.event === event.name || candidate.event === '*')) {
      const handlerId = `${plugin.name}:${handler.id ?? handler.event}`;
      try {
        await runInTenant(database, tenantId, async (db) => {
          const claimed = await db.query(
            'insert into plinth_event_deliveries (tenant_id, event_id, handler) values ($1, $2, $3) on conflict do nothing returning id',
            [tenantId, event.id, handlerId],
          );
          if (claimed.length === 0) return;
          const unit: UnitOfWork = { tenant: info, db, state, built: new Map() };
          await handler.handle({ event: delivered, deps: resolveDeps(plugin, unit, host), ctx: { tenant: info, settings: state.settings[plugin.name] } });
        });
      } catch (error) {
        failures++;
        host.onFailure(new PluginFailure(plugin.name, 'event', error));
      }
    }
  }
  if (failures > 0) throw new Error(`${failures} handler(s) of ${event.name} (${event.id}) failed; the event will be delivered again`);
  await runInTenant(database, tenantId, (db) => db.query('update plinth_events set dispatched_at = now() where id = $1', [event.id]));
}

/**
 * Queues again the events whose delivery stalled: at once (after {@link sweepLostAfterSeconds}) when no dispatch
 * job of theirs is queued or running (a crash between the commit and the queueing), and every
 * {@link sweepFailedAfterMinutes} when their job gave up; queues the plugins' jobs a crash left in the job
 * outbox; and forgets effects recorded by `once` long ago.
 */
export async function sweepEvents(host: PluginWorkHost): Promise<number> {
  const { database, jobs } = host.services;
  const candidates = await runAsSystem(database, (db) =>
    db.query<{ id: string; tenant_id: string; failed: boolean }>(
      `select id, tenant_id, coalesce(enqueued_at, created_at) < now() - make_interval(mins => $2) as failed
         from plinth_events where dispatched_at is null and coalesce(enqueued_at, created_at) < now() - make_interval(secs => $1)
        order by created_at limit 1000`,
      [sweepLostAfterSeconds, sweepFailedAfterMinutes],
    ),
  );
  const jobsOf = await jobs.find(
    'core.events.dispatch',
    'eventId',
    candidates.map((event) => event.id),
  );
  // An event whose job is still queued, retrying or running is left to it; one whose job gave up is tried again
  // now and then; one without a job (lost between commit and queueing) is queued at once.
  const stalled = candidates.filter((event) => {
    const job = jobsOf.get(event.id);
    return job === undefined || (job === 'done' && event.failed);
  });
  if (stalled.length) {
    await runAsSystem(database, (db) =>
      db.query('update plinth_events set enqueued_at = now() where id = any($1::uuid[])', [stalled.map((event) => event.id)]),
    );
  }
  for (const row of stalled) await jobs.enqueue('core.events.dispatch', { tenantId: row.tenant_id, eventId: row.id });
  await sweepJobOutbox(host);
  await runAsSystem(database, (db) =>
    db.query(
      `delete from plinth_job_effects where id in (select id from plinth_job_effects where created_at < now() - make_interval(days => $1) limit 10000)`,
      [effectsKeptDays],
    ),
  );
  return stalled.length;
}

/** Queues the plugins' jobs left in the job outbox by a process that died after its commit (at least once: a job queued just before the crash may run twice). */
async function sweepJobOutbox(host: PluginWorkHost): Promise<void> {
  const { database, jobs } = host.services;
  const left = await runAsSystem(database, (db) =>
    db.query<{ id: string; name: string; data: { tenantId: string; payload: unknown }; run_at: Date | null }>(
      `select id, name, data, run_at from plinth_job_outbox where created_at < now() - make_interval(secs => $1) order by created_at limit 1000`,
      [sweepLostAfterSeconds],
    ),
  );
  for (const intent of left) {
    if (intent.run_at && intent.run_at.getTime() > Date.now()) await jobs.schedule(intent.run_at, intent.name, intent.data);
    else await jobs.enqueue(intent.name, intent.data);
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
export async function runPluginJob(host: PluginWorkHost, plugin: Plugin, jobName: string, run: JobRun<{ tenantId: string; payload: unknown }>): Promise<void> {
  const { tenantId, payload } = run.data;
  const tenant = await host.services.tenants.byId(tenantId);
  if (!tenant) return;
  const state = await host.tenantPlugins.state(tenantId);
  if (!(plugin.name in state.settings) || tenant.status === 'suspended') {
    if (!run.repeating) await host.services.jobs.schedule(new Date(Date.now() + pauseMs), jobName, run.data);
    return;
  }
  const job = plugin.jobs.find((candidate) => candidate.name === jobName)!;
  const info: TenantInfo = { id: tenant.id, slug: tenant.slug, name: tenant.name };
  try {
    await runInTenant(host.services.database, tenantId, (db) => {
      const unit: UnitOfWork = { tenant: info, db, state, built: new Map() };
      return job.run({
        payload: payload as never,
        deps: resolveDeps(plugin, unit, host),
        ctx: {
          tenant: info,
          settings: state.settings[plugin.name],
          jobId: run.id,
          attempt: run.attempt,
          touch: run.touch,
          once: (key: string, effect: (db: ScopedDb) => Promise<void>) => runOnce(host.services.database, tenantId, `${plugin.name}:${key}`, effect),
        },
      });
    });
  } catch (error) {
    host.onFailure(new PluginFailure(plugin.name, 'job', error));
    throw error;
  }
}
