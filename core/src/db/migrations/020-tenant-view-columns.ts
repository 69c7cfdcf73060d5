import type { Knex } from 'knex';
import type { Migration } from '../migrator.js';

/**
 * `tenant_users` and `tenant_accounts` carry `email_key` (`lower(email)`) and the user's `locale` (migration 019:
 * plugins write to a member in their own language). They are security-barrier views, and
 * PostgreSQL does not push a condition with a non-leakproof function (`lower(email) = $1`) into them: a lookup by
 * email joined every membership of the tenant to every user (a sequential scan of `users` per sign-in link).
 * `email_key = $1` is leakproof, goes into the view, and becomes an index probe of `users` by `lower(email)`.
 */
function createViews(db: Knex, emailKey: string): Promise<unknown> {
  return db.raw(`
    create or replace view tenant_users with (security_barrier = true) as
      select m.tenant_id, m.id as membership_id, u.id as user_id, u.email, u.name, m.created_at as joined_at${emailKey}
      from memberships m join users u on u.id = m.user_id
      where m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid and m.kind = 'staff';
    create or replace view tenant_accounts with (security_barrier = true) as
      select m.tenant_id, m.id as membership_id, u.id as user_id, u.email, u.name, m.kind, m.created_at as joined_at${emailKey}
      from memberships m join users u on u.id = m.user_id
      where m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid`);
}

export const tenantViewColumns: Migration = {
  name: '020-tenant-view-columns',
  async up(db) {
    await createViews(db, ', lower(u.email) as email_key, u.locale');
  },
  async down(db) {
    // `create or replace view` cannot drop a column: the views are made again as 017 left them.
    await db.raw('drop view tenant_users, tenant_accounts');
    await createViews(db, '');
    await db.raw('grant select on tenant_users, tenant_accounts to plinth_app, plinth_system');
  },
};
