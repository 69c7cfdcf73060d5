import { shardReadyMigration, type ShardReadySpec } from '@plinth/sdk';

/**
 * The plugin's tenant tables become distributable by `tenant_id` (ADR 0014 of Plinth): primary keys `(id, tenant_id)`
 * and foreign keys between them `(tenant_id, x_id) → (tenant_id, id)`, so a row can only point at a row of its own
 * tenant. Every row is kept; the down restores the previous keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'payments_providers',
    'payments_customers',
    'payments_plans',
    'payments_intents',
    'payments_intent_history',
    'payments_refunds',
    'payments_transactions',
    'payments_subscriptions',
    'payments_idempotency_keys',
    'payments_webhook_events',
  ],
};

export const shardReadyKeys = shardReadyMigration('005-shard-ready-keys', spec);
