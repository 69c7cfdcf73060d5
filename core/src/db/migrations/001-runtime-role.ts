import type { Migration } from '../migrator.js';

/**
 * The role tenant work runs as: NOLOGIN, no BYPASSRLS, owner of nothing, so
 * Row Level Security holds even when the pool connects as a superuser.
 * Roles are cluster-wide, so creation tolerates a concurrent or earlier one.
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
    await db.raw('grant usage on schema public to plinth_app');
    await db.raw('alter default privileges in schema public grant select, insert, update, delete on tables to plinth_app');
    await db.raw('alter default privileges in schema public grant usage, select on sequences to plinth_app');
  },
  async down(db) {
    await db.raw('alter default privileges in schema public revoke select, insert, update, delete on tables from plinth_app');
    await db.raw('alter default privileges in schema public revoke usage, select on sequences from plinth_app');
    await db.raw('revoke usage on schema public from plinth_app');
  },
};
