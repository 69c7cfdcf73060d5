import type { Knex } from 'knex';
import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

const timestamps = (db: Knex.Transaction, table: Knex.CreateTableBuilder) => {
  table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
};

/** Users, tenants and everything tenant-owned of core: memberships, roles, invitations, API tokens, domains, audit. */
export const tenancy: Migration = {
  name: '003-tenancy',
  async up(db) {
    // Global: a user exists once on the host and may belong to many tenants.
    await db.schema.createTable('users', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('email').notNullable();
      table.text('name').notNullable();
      table.text('password_hash').notNullable();
      table.text('status').notNullable().defaultTo('active');
      table.boolean('is_super_admin').notNullable().defaultTo(false);
      table.integer('token_version').notNullable().defaultTo(1);
      table.text('totp_secret');
      table.text('totp_pending_secret');
      table.boolean('totp_enabled').notNullable().defaultTo(false);
      table.bigInteger('totp_last_step');
      timestamps(db, table);
    });
    await db.raw('create unique index users_email_unique on users (lower(email))');
    await db.raw("alter table users add constraint users_status_check check (status in ('active', 'disabled'))");

    await db.schema.createTable('tenants', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('slug').notNullable().unique();
      table.text('name').notNullable();
      table.text('status').notNullable().defaultTo('active');
      table.text('plan').notNullable().defaultTo('free');
      table.jsonb('settings').notNullable().defaultTo('{}');
      table.jsonb('quotas').notNullable().defaultTo('{}');
      timestamps(db, table);
    });
    await db.raw("alter table tenants add constraint tenants_status_check check (status in ('active', 'suspended'))");

    await db.schema.createTable('refresh_tokens', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.uuid('family_id').notNullable();
      table.text('token_hash').notNullable().unique();
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
      table.timestamp('revoked_at', { useTz: true });
      table.text('ip');
      table.text('user_agent');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.index(['user_id']);
      table.index(['family_id']);
    });

    await db.schema.createTable('password_resets', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('token_hash').notNullable().unique();
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });

    await db.schema.createTable('recovery_codes', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('code_hash').notNullable();
      table.timestamp('used_at', { useTz: true });
      table.index(['user_id']);
    });

    // Host-level audit (sign-ins, host administration); tenant events go to the tenant's audit_log.
    await db.schema.createTable('host_audit_log', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('actor_user_id');
      table.uuid('subject_tenant');
      table.text('action').notNullable();
      table.text('target_type');
      table.text('target_id');
      table.jsonb('data').notNullable().defaultTo('{}');
      table.text('ip');
      table.text('user_agent');
      table.text('request_id');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.index(['created_at']);
    });

    await db.schema.createTable('mail_outbox', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('to').notNullable();
      table.text('subject').notNullable();
      table.text('text').notNullable();
      table.text('html');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });

    await createTenantTable(db, 'tenant_domains', (table) => {
      table.text('domain').notNullable().unique();
      table.boolean('verified').notNullable().defaultTo(false);
      table.text('verification_token').notNullable();
    });

    await createTenantTable(db, 'memberships', (table) => {
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.unique(['tenant_id', 'user_id']);
    });

    await createTenantTable(db, 'roles', (table) => {
      table.text('name').notNullable();
      table.text('builtin');
      table.specificType('permissions', 'text[]').notNullable().defaultTo('{}');
      table.text('description');
    });
    await db.raw('create unique index roles_tenant_name_unique on roles (tenant_id, lower(name))');

    await createTenantTable(db, 'membership_roles', (table) => {
      table.uuid('membership_id').notNullable().references('id').inTable('memberships').onDelete('CASCADE');
      table.uuid('role_id').notNullable().references('id').inTable('roles').onDelete('CASCADE');
      table.unique(['tenant_id', 'membership_id', 'role_id']);
    });

    await createTenantTable(db, 'invitations', (table) => {
      table.text('email').notNullable();
      table.specificType('role_ids', 'uuid[]').notNullable().defaultTo('{}');
      table.text('token_hash').notNullable().unique();
      table.uuid('invited_by').references('id').inTable('users').onDelete('SET NULL');
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('accepted_at', { useTz: true });
      table.timestamp('revoked_at', { useTz: true });
    });

    await createTenantTable(db, 'api_tokens', (table) => {
      table.text('name').notNullable();
      table.text('token_hash').notNullable().unique();
      table.text('prefix').notNullable();
      table.specificType('permissions', 'text[]').notNullable().defaultTo('{}');
      table.uuid('created_by').references('id').inTable('users').onDelete('SET NULL');
      table.timestamp('expires_at', { useTz: true });
      table.timestamp('last_used_at', { useTz: true });
      table.timestamp('revoked_at', { useTz: true });
    });

    await db.raw(
      'grant select, insert, update, delete on users, tenants, refresh_tokens, password_resets, recovery_codes, host_audit_log, mail_outbox to plinth_system',
    );

    await createTenantTable(db, 'audit_log', (table) => {
      table.uuid('actor_user_id');
      table.uuid('actor_token_id');
      table.text('action').notNullable();
      table.text('target_type');
      table.text('target_id');
      table.jsonb('data').notNullable().defaultTo('{}');
      table.text('ip');
      table.text('user_agent');
      table.text('request_id');
    });

    // The members of the current tenant with their names and emails, for tenant work that cannot read `users`.
    await db.raw(`create view tenant_users with (security_barrier = true) as
      select m.tenant_id, m.id as membership_id, u.id as user_id, u.email, u.name, m.created_at as joined_at
      from memberships m join users u on u.id = m.user_id
      where m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`);
    await db.raw('grant select on tenant_users to plinth_app, plinth_system');
  },
  async down(db) {
    await db.raw('drop view tenant_users');
    for (const table of ['audit_log', 'api_tokens', 'invitations', 'membership_roles', 'roles', 'memberships', 'tenant_domains'])
      await db.schema.dropTable(table);
    for (const table of ['mail_outbox', 'host_audit_log', 'recovery_codes', 'password_resets', 'refresh_tokens', 'tenants', 'users'])
      await db.schema.dropTable(table);
  },
};
