import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * A tenant's own identity provider and email domains (issue 23, H4). `tenant_sso` is one row per tenant: the
 * OpenID provider (`issuer`, `client_id`, the secret sealed by the secret box), the email domains it answers for,
 * whether members of those domains may still use a password, and the role new members get. Each domain proves the
 * tenant controls it by a DNS TXT record (`tenant_sso_domains`, one row per domain of the configuration, kept in step
 * with `domains`); once verified, a domain belongs to one tenant only (a unique index across tenants, which Row Level
 * Security does not hide). Both are tenant tables; sign-in discovery reads them on the system path.
 */
export const tenantSso: Migration = {
  name: '027-tenant-sso',
  async up(db) {
    await createTenantTable(db, 'tenant_sso', (table) => {
      table.text('issuer').notNullable();
      table.text('client_id').notNullable();
      table.text('client_secret_enc');
      table.specificType('domains', 'text[]').notNullable().defaultTo('{}');
      table.boolean('password_allowed').notNullable().defaultTo(true);
      // Null, or a role deleted since: new members get the built-in `member` role.
      table.uuid('default_role_id').references('id').inTable('roles').onDelete('SET NULL');
      table.boolean('enabled').notNullable().defaultTo(false);
      // When the issuer last changed: identities linked before it came from another provider and no longer count.
      table.timestamp('issuer_set_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.unique(['tenant_id']);
    });
    await db.raw('alter table tenant_sso add constraint tenant_sso_domains_lower check (domains = lower(domains::text)::text[])');

    await createTenantTable(db, 'tenant_sso_domains', (table) => {
      table.text('domain').notNullable();
      table.text('verification_token').notNullable();
      table.timestamp('verified_at', { useTz: true });
      table.unique(['tenant_id', 'domain']);
    });
    await db.raw('create unique index tenant_sso_domains_verified_unique on tenant_sso_domains (domain) where verified_at is not null');
    await db.raw('alter table tenant_sso_domains add constraint tenant_sso_domains_lower check (domain = lower(domain))');
  },
  async down(db) {
    await db.schema.dropTable('tenant_sso_domains');
    await db.schema.dropTable('tenant_sso');
  },
};
