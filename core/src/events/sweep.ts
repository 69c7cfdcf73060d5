import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';
import type { Jobs } from '../jobs/jobs.js';
import { traceKey, type TraceCarrier } from '../telemetry/tracing.js';
import { dispatchJob } from './outbox.js';

/** The recurring job that queues stalled work again (events here; the plugin host adds the job outbox). */
export const sweepJob = 'core.events.sweep';
/**
 * An undispatched event with no dispatch job queued or running (its process died between the commit and the
 * queueing) is queued by the sweeper this long after it was written.
 */
export const sweepLostAfterSeconds = 10;
/** An undispatched event whose dispatch job gave up (retries used up) is tried again this long after it was last queued. */
const sweepFailedAfterMinutes = 10;

/**
 * Queues again the events whose delivery stalled: at once (after {@link sweepLostAfterSeconds}) when no dispatch
 * job of theirs is queued or running (a crash between the commit and the queueing), and every
 * {@link sweepFailedAfterMinutes} when their job gave up. Returns how many it queued.
 */
export async function sweepEvents(database: Database, jobs: Pick<Jobs, 'find' | 'enqueue'>): Promise<number> {
  const candidates = await runAsSystem(database, (db) =>
    db.query<{ id: string; tenant_id: string; failed: boolean; trace: TraceCarrier | null }>(
      `select id, tenant_id, trace, coalesce(enqueued_at, created_at) < now() - make_interval(mins => $2) as failed
         from plinth_events where dispatched_at is null and coalesce(enqueued_at, created_at) < now() - make_interval(secs => $1)
        order by created_at limit 1000`,
      [sweepLostAfterSeconds, sweepFailedAfterMinutes],
    ),
  );
  const jobsOf = await jobs.find(
    dispatchJob,
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
  // The delivery continues the trace the event was emitted in, not the sweeper's.
  for (const row of stalled) await jobs.enqueue(dispatchJob, { tenantId: row.tenant_id, eventId: row.id, ...(row.trace ? { [traceKey]: row.trace } : {}) });
  return stalled.length;
}
