import type { ScopedDb } from '../db/scoped-db.js';
import type { Jobs } from '../jobs/jobs.js';
import type { Logger } from '../logger.js';
import { traceCarrier, traceKey } from '../telemetry/tracing.js';

/** The job that delivers one event from the outbox: `{ tenantId, eventId }`. */
export const dispatchJob = 'core.events.dispatch';

/** What emitting needs: the job system to queue the delivery, a logger for when it cannot. */
export interface OutboxServices {
  jobs: Pick<Jobs, 'enqueue'>;
  logger: Pick<Logger, 'warn'>;
}

/**
 * Writes an event to the outbox in the unit's transaction and queues its delivery once that commits. The trace
 * context of the emitter is kept with the event (and its dispatch job), so its delivery continues that trace.
 */
export async function emitEvent(db: ScopedDb, services: OutboxServices, tenantId: string, name: string, payload: unknown, emittedBy: string): Promise<void> {
  const trace = traceCarrier();
  const [event] = await db.query<{ id: string }>(
    'insert into plinth_events (tenant_id, name, payload, emitted_by, enqueued_at, trace) values ($1, $2, $3, $4, now(), $5) returning id',
    [tenantId, name, JSON.stringify(payload ?? {}), emittedBy, trace ? JSON.stringify(trace) : null],
  );
  const delivery = { tenantId, eventId: event!.id, ...(trace ? { [traceKey]: trace } : {}) };
  db.afterCommit(() =>
    services.jobs
      .enqueue(dispatchJob, delivery)
      .catch((error: unknown) => services.logger.warn({ err: error, eventId: event!.id }, 'event dispatch not queued; the sweeper will retry')),
  );
}
