import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/**
 * Customers (issue 19, ADR 0007): a customer is a host user with a membership of kind `customer`, holding the
 * built-in role `customer` and nothing else. Staff lists (`tenant_users`) keep to staff; `tenant_accounts` shows
 * both kinds to core's customer code. Passwordless users become possible (a customer signs in by emailed link,
 * and may set a password through the reset flow). Single-use sign-in links and page sessions are tenant tables
 * (forced RLS) holding SHA-256 hashes of their secrets, never the secrets.
 */
export const customers: Migration = {
  name: '017-customers',
  async up(db) {
    await db.raw("alter table memberships add column kind text not null default 'staff'");
    await db.raw("alter table memberships add constraint memberships_kind_check check (kind in ('staff', 'customer'))");
    await db.raw('alter table users alter column password_hash drop not null');
    // Every tenant, existing ones too, gets the built-in `customer` role (new tenants get it from tenant-setup).
    await db.raw(`insert into roles (tenant_id, name, builtin, description)
      select t.id, 'customer', 'customer', 'Built-in role' from tenants t
      where not exists (select 1 from roles r where r.tenant_id = t.id and lower(r.name) = 'customer')`);

    await db.raw('drop view tenant_users');
    await db.raw(`create view tenant_users with (security_barrier = true) as
      select m.tenant_id, m.id as membership_id, u.id as user_id, u.email, u.name, m.created_at as joined_at
      from memberships m join users u on u.id = m.user_id
      where m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid and m.kind = 'staff'`);
    await db.raw('grant select on tenant_users to plinth_app, plinth_system');
    await db.raw(`create view tenant_accounts with (security_barrier = true) as
      select m.tenant_id, m.id as membership_id, u.id as user_id, u.email, u.name, m.kind, m.created_at as joined_at
      from memberships m join users u on u.id = m.user_id
      where m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`);
    await db.raw('grant select on tenant_accounts to plinth_app, plinth_system');

    await createTenantTable(db, 'sign_in_links', (table) => {
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('token_hash').notNullable().unique();
      table.text('next').notNullable();
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
    });
    await createTenantTable(db, 'page_sessions', (table) => {
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('token_hash').notNullable().unique();
      table.integer('token_version').notNullable();
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('revoked_at', { useTz: true });
      table.text('ip');
      table.text('user_agent');
      table.index(['tenant_id', 'user_id']);
    });
  },
  async down(db) {
    await db.schema.dropTable('page_sessions');
    await db.schema.dropTable('sign_in_links');
    await db.raw('drop view tenant_accounts');
    await db.raw('drop view tenant_users');
    await db.raw(`create view tenant_users with (security_barrier = true) as
      select m.tenant_id, m.id as membership_id, u.id as user_id, u.email, u.name, m.created_at as joined_at
      from memberships m join users u on u.id = m.user_id
      where m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`);
    await db.raw('grant select on tenant_users to plinth_app, plinth_system');
    await db.raw("delete from memberships where kind = 'customer'");
    await db.raw("delete from roles where builtin = 'customer'");
    await db.raw("update users set password_hash = '!' where password_hash is null");
    await db.raw('alter table users alter column password_hash set not null');
    await db.raw('alter table memberships drop column kind');
  },
};
