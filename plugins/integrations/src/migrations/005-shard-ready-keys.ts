import { shardReadyMigration, type ShardReadySpec } from '@plinth/sdk';

/**
 * The plugin's tenant tables become distributable by `tenant_id` (ADR 0014 of Plinth): primary keys `(id, tenant_id)`
 * and foreign keys between them `(tenant_id, x_id) → (tenant_id, id)`, so a row can only point at a row of its own
 * tenant. Every row is kept; the down restores the previous keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'integrations_endpoints',
    'integrations_deliveries',
    'integrations_delivery_attempts',
    'integrations_templates',
    'integrations_channels',
    'integrations_rules',
    'integrations_sends',
    'integrations_inbound_sources',
    'integrations_inbound_messages',
    'integrations_woo_connections',
    'integrations_woo_records',
  ],
};

export const shardReadyKeys = shardReadyMigration('005-shard-ready-keys', spec);
