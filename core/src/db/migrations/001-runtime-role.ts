import type { Migration } from '../migrator.js';

/**
 * The role tenant work runs as: NOLOGIN, no BYPASSRLS, owner of nothing, so
 * Row Level Security holds even when the pool connects as a superuser.
 * Roles are cluster-wide, so creation tolerates a concurrent or earlier one.
 * It gets privileges table by table, never by default.
 */
export const runtimeRole: Migration = {
  name: '001-runtime-role',
  async up(db) {
    await db.raw(`do $$ begin
      create role plinth_app nologin nosuperuser nobypassrls noinherit;
    exception when duplicate_object or unique_violation then null;
    end $$`);
    await db.raw('alter role plinth_app nologin nosuperuser nobypassrls');
    await db.raw(`do $$ begin
      if not pg_has_role(current_user, 'plinth_app', 'member') then
        execute format('grant plinth_app to %I', current_user);
      end if;
    end $$`);
    // Privileges are granted table by table (tenant tables get them from createTenantTable): never by default,
    // so the runtime role cannot read a global table (users, jobs) that nobody meant to share.
    await db.raw('grant usage on schema public to plinth_app');
  },
  async down(db) {
    await db.raw('revoke usage on schema public from plinth_app');
  },
};
