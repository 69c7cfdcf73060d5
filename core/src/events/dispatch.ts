import type { DeliveredEvent, EventName, TenantInfo } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import { tenantInfo, type TenantDirectory } from '../tenancy/tenant-directory.js';
import { deliverySpan } from '../telemetry/spans.js';

/** One handler an event is delivered to: recorded as done under `id` (`<plugin>:<handler id>`). */
export interface EventHandlerSlot {
  plugin: string;
  id: string;
  /** Runs the handler inside `db`, the tenant transaction that also records it as done. */
  handle(db: ScopedDb, event: DeliveredEvent, tenant: TenantInfo): Promise<void>;
}

/** What delivering needs: the database, the tenants, and whoever knows the handlers (the plugin host). */
export interface EventDeliveryHost {
  database: Database;
  tenants: Pick<TenantDirectory, 'byId'>;
  /** The handlers of `event`, of the plugins the tenant has enabled, in delivery order. */
  handlers(tenantId: string, event: EventName): Promise<readonly EventHandlerSlot[]>;
  /** A handler threw: counted and logged naming its plugin; the event is delivered again. */
  onFailure(plugin: string, error: unknown): void;
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
export async function dispatchEvent(host: EventDeliveryHost, tenantId: string, eventId: string): Promise<void> {
  const { database } = host;
  const tenant = await host.tenants.byId(tenantId);
  if (!tenant) return;
  const event = await runInTenant(database, tenantId, (db) =>
    db.one<EventRow>('select id, name, payload, created_at, dispatched_at from plinth_events where id = $1', [eventId]),
  );
  if (!event || event.dispatched_at) return;
  const handlers = await host.handlers(tenantId, event.name);
  const info = tenantInfo(tenant);
  const delivered: DeliveredEvent = { id: event.id, name: event.name, payload: event.payload as never, occurredAt: new Date(event.created_at).toISOString() };
  let failures = 0;
  for (const handler of handlers) {
    try {
      await deliverySpan(event, handler, tenantId, () =>
        runInTenant(database, tenantId, async (db) => {
          const claimed = await db.query(
            'insert into plinth_event_deliveries (tenant_id, event_id, handler) values ($1, $2, $3) on conflict do nothing returning id',
            [tenantId, event.id, handler.id],
          );
          if (claimed.length === 0) return;
          await handler.handle(db, delivered, info);
        }),
      );
    } catch (error) {
      failures++;
      host.onFailure(handler.plugin, error);
    }
  }
  if (failures > 0) throw new Error(`${failures} handler(s) of ${event.name} (${event.id}) failed; the event will be delivered again`);
  await runInTenant(database, tenantId, (db) => db.query('update plinth_events set dispatched_at = now() where id = $1', [event.id]));
}

/** Delivers every event not yet dispatched, now, in this process (tests, `plinth` maintenance). */
export async function drainEvents(host: EventDeliveryHost): Promise<{ delivered: number; failed: number }> {
  const pending = await runAsSystem(host.database, (db) =>
    db.query<{ id: string; tenant_id: string }>('select id, tenant_id from plinth_events where dispatched_at is null order by created_at'),
  );
  let failed = 0;
  for (const event of pending) await dispatchEvent(host, event.tenant_id, event.id).catch(() => failed++);
  return { delivered: pending.length - failed, failed };
}
