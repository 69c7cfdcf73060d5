import { shardReadyMigration, type ShardReadySpec } from '@plinth/sdk';

/**
 * The plugin's tenant tables become distributable by `tenant_id` (ADR 0014 of Plinth): primary keys `(id, tenant_id)`
 * and foreign keys between them `(tenant_id, x_id) → (tenant_id, id)`, so a row can only point at a row of its own
 * tenant. Unsubscribe and tracking tokens (two random UUIDs) become unique per tenant, with a plain index for the
 * lookup by token; a recipient is unique per (campaign, contact) of the tenant. Every row is kept; the down restores
 * the previous keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'crm_contacts',
    'crm_interactions',
    'crm_segments',
    'crm_imports',
    'crm_templates',
    'crm_campaigns',
    'crm_campaign_recipients',
    'crm_contact_words',
    'crm_unsubscribes',
  ],
  uniques: [
    { table: 'crm_campaign_recipients', name: 'crm_campaign_recipients_token_unique', columns: ['token'] },
    { table: 'crm_campaign_recipients', name: 'crm_campaign_recipients_campaign_id_contact_id_unique', columns: ['campaign_id', 'contact_id'], lookup: false },
  ],
};

export const shardReadyKeys = shardReadyMigration('011-shard-ready-keys', spec);
