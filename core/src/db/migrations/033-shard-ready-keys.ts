import type { Migration } from '../migrator.js';
import { makeShardReady, revertShardReady, type ShardReadySpec } from '../shard-keys.js';
import { markReferenceTable, unmarkReferenceTable } from '../tenant-tables.js';

/**
 * Core's tenant tables become distributable by `tenant_id` (issue 25, ADR 0014): primary keys `(id, tenant_id)`,
 * foreign keys between tenant tables `(tenant_id, x_id) → (tenant_id, id)`, and the token hashes unique per tenant
 * (a 256-bit random value never repeats; a plain index keeps the lookup by hash alone). The domain tables stay
 * unique host-wide: they route a host name (or a sign-in address) to its tenant before the tenant is known, so they
 * are declared reference tables. Every row is kept; the down restores the previous keys.
 */
const spec: ShardReadySpec = {
  tables: [
    'tenant_domains',
    'memberships',
    'roles',
    'membership_roles',
    'invitations',
    'api_tokens',
    'audit_log',
    'tenant_plugins',
    'plinth_events',
    'plinth_event_deliveries',
    'plinth_job_effects',
    'plinth_job_keys',
    'plinth_job_outbox',
    'files',
    'storage_usage',
    'page_sessions',
    'sign_in_links',
    'phone_verifications',
    'org_units',
    'support_sessions',
    'tenant_sso',
    'tenant_sso_domains',
    'notifications',
    'notification_items',
    'notification_deliveries',
    'notification_preferences',
    'notification_defaults',
    'report_schedules',
    'report_runs',
  ],
  uniques: [
    { table: 'api_tokens', name: 'api_tokens_token_hash_unique', columns: ['token_hash'] },
    { table: 'invitations', name: 'invitations_token_hash_unique', columns: ['token_hash'] },
    { table: 'page_sessions', name: 'page_sessions_token_hash_unique', columns: ['token_hash'] },
    { table: 'sign_in_links', name: 'sign_in_links_token_hash_unique', columns: ['token_hash'] },
  ],
};

const referenceTables = {
  tenant_domains: 'A verified domain routes its host name to one tenant, before the tenant is known',
  tenant_sso_domains: 'A verified sign-in domain belongs to one tenant; sign-in discovery reads it before the tenant is known',
};

export const shardReadyKeys: Migration = {
  name: '033-shard-ready-keys',
  async up(db) {
    await makeShardReady(db, spec);
    for (const [table, reason] of Object.entries(referenceTables)) await markReferenceTable(db, table, reason);
  },
  async down(db) {
    for (const table of Object.keys(referenceTables)) await unmarkReferenceTable(db, table);
    await revertShardReady(db, spec);
  },
};
