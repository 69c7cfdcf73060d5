import type { Migration } from '../migrator.js';

/**
 * Host sign-in providers, identities linked to users, OpenID Connect flows (issue 23, H3). Host tables, read and
 * written on the system path only.
 * - `identity_providers`: what the host configured (Google, Microsoft, GitHub or any OpenID provider); the client
 *   secret is sealed by the secret box and never returned. `slug` is the `:provider` of the flow routes (`sso-…` is
 *   reserved for tenants' single sign-on).
 * - `user_identities`: a user's account at a provider — a host provider's (`provider_id`) or a tenant's single sign-on
 *   (`sso_tenant_id`), exactly one of the two; `subject` is the provider's `sub` (GitHub: the numeric user id).
 * - `oidc_flows`: one started sign-in or link: the state's hash, the nonce, the PKCE verifier (sealed); spent once
 *   (`used_at`), ten minutes; a sign-in's one-time completion code (its hash, 60 s) and whom it signed in.
 */
export const identityProviders: Migration = {
  name: '026-identity-providers',
  async up(db) {
    await db.schema.createTable('identity_providers', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('slug').notNullable().unique();
      table.text('kind').notNullable();
      table.text('name').notNullable();
      table.text('issuer').notNullable();
      table.text('client_id').notNullable();
      table.text('client_secret_enc');
      table.specificType('scopes', 'text[]').notNullable().defaultTo('{}');
      table.boolean('enabled').notNullable().defaultTo(true);
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.raw("alter table identity_providers add constraint identity_providers_kind_check check (kind in ('oidc', 'google', 'microsoft', 'github'))");
    await db.raw("alter table identity_providers add constraint identity_providers_slug_check check (slug ~ '^[a-z][a-z0-9-]{1,30}$' and slug !~ '^sso-')");

    await db.schema.createTable('user_identities', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.uuid('provider_id').references('id').inTable('identity_providers').onDelete('CASCADE');
      table.uuid('sso_tenant_id').references('id').inTable('tenants').onDelete('CASCADE');
      table.text('subject').notNullable();
      table.text('email');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('last_used_at', { useTz: true });
      table.unique(['provider_id', 'subject']);
      table.unique(['sso_tenant_id', 'subject']);
      table.index(['user_id']);
    });
    await db.raw('alter table user_identities add constraint user_identities_one_source check ((provider_id is null) <> (sso_tenant_id is null))');

    await db.schema.createTable('oidc_flows', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('state_hash').notNullable().unique();
      table.text('nonce').notNullable();
      table.text('code_verifier_enc').notNullable();
      table.text('provider_key').notNullable();
      table.text('purpose').notNullable();
      table.uuid('user_id').references('id').inTable('users').onDelete('CASCADE');
      table.text('return_to').notNullable().defaultTo('/');
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
      table.text('completion_code_hash').unique();
      table.timestamp('completion_expires_at', { useTz: true });
      table.uuid('result_user_id').references('id').inTable('users').onDelete('CASCADE');
      table.text('method');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.index(['expires_at']);
    });
    await db.raw("alter table oidc_flows add constraint oidc_flows_purpose_check check (purpose in ('sign_in', 'link'))");
    await db.raw("alter table oidc_flows add constraint oidc_flows_link_user check (purpose <> 'link' or user_id is not null)");

    await db.raw('grant select, insert, update, delete on identity_providers, user_identities, oidc_flows to plinth_system');
  },
  async down(db) {
    await db.schema.dropTable('oidc_flows');
    await db.schema.dropTable('user_identities');
    await db.schema.dropTable('identity_providers');
  },
};
