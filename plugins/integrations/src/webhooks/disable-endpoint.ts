import type { Deps } from '../deps.js';
import { addToInbox } from '../notifications/inbox.js';
import { integrationsPermissions } from '../permissions.js';

/**
 * Disables an endpoint (410 Gone, or sustained failure), emits `integrations.endpoint.disabled`, and tells the
 * members who manage webhooks: in their in-app inbox, and by email once the transaction commits.
 */
export async function disableEndpoint(
  deps: Pick<Deps, 'db' | 'events' | 'members' | 'mailer' | 'logger'>,
  endpoint: { id: string; url: string },
  reason: string,
  now: Date,
): Promise<void> {
  const [changed] = await deps.db.query(
    'update integrations_endpoints set enabled = false, disabled_reason = $2, disabled_at = $3, updated_at = now() where id = $1 and enabled returning id',
    [endpoint.id, reason, now],
  );
  if (!changed) return;
  await deps.events.emit('integrations.endpoint.disabled', { endpointId: endpoint.id, url: endpoint.url, reason });
  const admins = await deps.members.list({ permission: integrationsPermissions['webhooks.manage'].name });
  const title = 'A webhook endpoint was disabled';
  const body = `Deliveries to ${endpoint.url} stopped: ${reason}. Fix the receiver, then enable the endpoint again and redeliver what it missed.`;
  await addToInbox(
    deps.db,
    admins.map((admin) => admin.userId),
    { title, body, eventName: 'integrations.endpoint.disabled' },
  );
  deps.db.afterCommit(async () => {
    for (const admin of admins) {
      await deps.mailer
        .send({ to: admin.email, subject: title, text: body })
        .catch((error: unknown) => deps.logger.warn({ err: error, endpointId: endpoint.id }, 'endpoint-disabled mail not sent'));
    }
  });
  deps.logger.info({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
}
