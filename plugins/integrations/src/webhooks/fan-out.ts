import type { DeliveredEvent } from '@plinth/sdk';
import type { Deps } from '../deps.js';
import { newMessageId } from '../util.js';
import { subscribes } from './schedule.js';

/**
 * Turns an event into one delivery per enabled endpoint subscribed to it (idempotent per event and endpoint),
 * each queued for its first attempt. The body follows Standard Webhooks: `{ type, timestamp, data }`.
 */
export async function fanOutEvent(deps: Pick<Deps, 'db' | 'jobs' | 'clock'>, event: DeliveredEvent): Promise<void> {
  const endpoints = await deps.db.query<{ id: string; events: string[] }>('select id, events from integrations_endpoints where enabled');
  const wanted = endpoints.filter((endpoint) => subscribes(endpoint.events, event.name));
  if (wanted.length === 0) return;
  const body = JSON.stringify({ type: event.name, timestamp: event.occurredAt, data: event.payload });
  const now = deps.clock.now();
  for (const endpoint of wanted) {
    const [delivery] = await deps.db.query<{ id: string }>(
      `insert into integrations_deliveries (endpoint_id, message_id, event_id, event_name, body, next_attempt_at)
       values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id, endpoint_id, event_id) do nothing returning id`,
      [endpoint.id, newMessageId(), event.id, event.name, body, now],
    );
    if (delivery) await deps.jobs.enqueue('integrations.webhook.deliver', { deliveryId: delivery.id });
  }
}
