import type { DeliveredEvent, EventName, Plugin, TenantInfo } from '@plinth/sdk';
import { runAsSystem, runInTenant } from '../db/scoped-db.js';
import type { JobRun } from '../jobs/jobs.js';
import { PluginFailure } from './plugin-hooks.js';
import { resolveDeps, type ScopeHost, type UnitOfWork } from './plugin-scope.js';
import type { TenantPlugins } from './tenant-plugins.js';

/** How long a job of a plugin the tenant has disabled waits before it looks again. */
const pauseMs = 5 * 60_000;
/** An event not dispatched this long after it was last queued is queued again by the sweeper. */
const sweepAfterMinutes = 10;

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

/** Queues again the events whose delivery stalled (a crash between commit and queueing, or retries used up). */
export async function sweepEvents(host: PluginWorkHost): Promise<number> {
  const stalled = await runAsSystem(host.services.database, (db) =>
    db.query<{ id: string; tenant_id: string }>(
      `update plinth_events set enqueued_at = now()
        where id in (select id from plinth_events where dispatched_at is null and coalesce(enqueued_at, created_at) < now() - make_interval(mins => $1) limit 1000)
        returning id, tenant_id`,
      [sweepAfterMinutes],
    ),
  );
  for (const row of stalled) await host.services.jobs.enqueue('core.events.dispatch', { tenantId: row.tenant_id, eventId: row.id });
  return stalled.length;
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
        ctx: { tenant: info, settings: state.settings[plugin.name], jobId: run.id, attempt: run.attempt, touch: run.touch },
      });
    });
  } catch (error) {
    host.onFailure(new PluginFailure(plugin.name, 'job', error));
    throw error;
  }
}
