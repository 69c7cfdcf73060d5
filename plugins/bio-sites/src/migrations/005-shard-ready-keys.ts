import { shardReadyMigration, type ShardReadySpec } from '@plinth/sdk';

/**
 * The plugin's tenant tables become distributable by `tenant_id` (ADR 0014 of Plinth): primary keys `(id, tenant_id)`
 * and foreign keys between them `(tenant_id, x_id) → (tenant_id, id)`, so a row can only point at a row of its own
 * tenant. The registries of slugs, short codes and domains stay global (reference tables): they find the tenant of a
 * public URL. Every row is kept; the down restores the previous keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'bio_sites_sites',
    'bio_sites_blocks',
    'bio_sites_short_links',
    'bio_sites_subscribers',
    'bio_sites_hits',
    'bio_sites_salts',
    'bio_sites_daily_stats',
    'bio_sites_daily_uniques',
    'bio_sites_daily_breakdown',
  ],
};

export const shardReadyKeys = shardReadyMigration('005-shard-ready-keys', spec);
