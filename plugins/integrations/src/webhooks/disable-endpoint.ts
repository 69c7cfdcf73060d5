import { auditedEndpoint, recordChange } from '../audit.js';
import type { Deps } from '../deps.js';
import { integrationsPermissions } from '../permissions.js';
import type { EndpointRow } from './endpoint-store.js';

/** Why an endpoint was disabled: it answered 410 Gone, or every delivery failed for `hours`. */
export type DisableReason = { kind: 'gone' } | { kind: 'failing'; hours: number };

/**
 * Disables an endpoint (410 Gone, or sustained failure), emits `integrations.endpoint.disabled`, and notifies the
 * members who manage webhooks (template `integrations.endpoint-disabled`: in their inbox and by email, in each
 * reader's language, as their preferences say).
 */
export async function disableEndpoint(
  deps: Pick<Deps, 'db' | 'events' | 'logger' | 'audit' | 'notify'>,
  endpoint: { id: string; url: string },
  reason: DisableReason,
  now: Date,
): Promise<void> {
  const stored = reason.kind === 'gone' ? 'the receiver answered 410 Gone' : `every delivery failed for ${reason.hours} hours`;
  const before = await deps.db.one<EndpointRow>('select * from integrations_endpoints where id = $1 and enabled for update', [endpoint.id]);
  if (!before) return;
  const [after] = await deps.db.query<EndpointRow>(
    'update integrations_endpoints set enabled = false, disabled_reason = $2, disabled_at = $3, updated_at = now() where id = $1 returning *',
    [endpoint.id, stored, now],
  );
  // Disabled by the delivery job: the entry has no actor, and says why.
  await recordChange(deps.audit, auditedEndpoint, 'disabled', { before, after: after!, data: { reason: stored } });
  await deps.events.emit('integrations.endpoint.disabled', { endpointId: endpoint.id, url: endpoint.url, reason: stored });
  await deps.notify.send({
    to: { permission: integrationsPermissions['webhooks.manage'].name },
    template: 'integrations.endpoint-disabled',
    data: { url: endpoint.url, reason: reason.kind, hours: reason.kind === 'failing' ? reason.hours : null },
    link: `/webhooks/${endpoint.id}`,
    // Once per disabling: an endpoint enabled again and disabled later is notified again.
    key: `endpoint-disabled:${endpoint.id}:${now.toISOString()}`,
  });
  deps.logger.info({ endpointId: endpoint.id, reason: stored }, 'webhook endpoint disabled');
}
