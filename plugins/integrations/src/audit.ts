import type { PluginAudit } from '@plinth/sdk';
import type { ChannelRow } from './channels/channel-store.js';
import type { SourceRow } from './inbound/source-store.js';
import type { EndpointRow } from './webhooks/endpoint-store.js';
import type { ConnectionRow } from './woocommerce/connection-store.js';

/**
 * How the audit log shows one kind of record: its entity name, the snapshot compared before and after, and the
 * snapshot's fields that hold secrets. A secret is compared sealed: it is re-sealed only when it changes, so the
 * entry says "changed" exactly then, and never what to.
 */
export interface AuditedKind<Row> {
  entity: string;
  snapshot(row: Row): Record<string, unknown>;
  redact?: readonly string[];
}

export const auditedEndpoint: AuditedKind<EndpointRow> = {
  entity: 'endpoint',
  snapshot: ({ secret_sealed, previous_secret_sealed: _previous, ...row }) => ({ ...row, secret: secret_sealed }),
  redact: ['secret'],
};

export const auditedChannel: AuditedKind<ChannelRow> = {
  entity: 'channel',
  snapshot: ({ credentials_sealed, ...row }) => ({ ...row, credentials: credentials_sealed }),
  redact: ['credentials'],
};

export const auditedSource: AuditedKind<SourceRow> = {
  entity: 'inbound_source',
  snapshot: ({ secret_sealed, ...row }) => ({ ...row, secret: secret_sealed }),
  redact: ['secret'],
};

/** A store connection: its consumer key and secret are the store's API credentials, the webhook secret signs its calls. */
export const auditedConnection: AuditedKind<ConnectionRow> = {
  entity: 'woo_connection',
  snapshot: ({ consumer_secret_sealed, webhook_secret_sealed, ...row }) => ({
    ...row,
    consumer_secret: consumer_secret_sealed,
    webhook_secret: webhook_secret_sealed,
  }),
  redact: ['consumer_key', 'consumer_secret', 'webhook_secret'],
};

/** Records a change of one record in the tenant's audit log, in the unit of work's transaction. */
export async function recordChange<Row extends { id: string }>(
  audit: PluginAudit,
  kind: AuditedKind<Row>,
  verb: string,
  change: { before?: Row | undefined; after?: Row | undefined; data?: Record<string, unknown> },
): Promise<void> {
  const { before, after, data } = change;
  await audit.record({
    entity: kind.entity,
    verb,
    target: (after ?? before)!.id,
    ...(before ? { before: kind.snapshot(before) } : {}),
    ...(after ? { after: kind.snapshot(after) } : {}),
    ...(kind.redact ? { redact: kind.redact } : {}),
    ...(data ? { data } : {}),
  });
}

/** A kind whose whole row is safe to keep (templates, rules). */
export function plainKind<Row extends object>(entity: string): AuditedKind<Row> {
  return { entity, snapshot: (row) => ({ ...(row as Record<string, unknown>) }) };
}
