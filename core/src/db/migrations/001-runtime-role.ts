import type { Migration } from '../migrator.js';

/**
 * The role tenant work runs as: NOLOGIN, no BYPASSRLS, owner of nothing, so
 * Row Level Security holds even when the pool connects as a superuser.
 * Roles are cluster-wide, so creation tolerates a concurrent or earlier one.
 * It gets privileges table by table, never by default.
 *
 * Several processes may migrate databases of one server at once: the role is
 * altered only when its attributes are wrong (an unconditional ALTER ROLE
 * rewrites the shared catalog row, and two at once fail with "tuple
 * concurrently updated"), and a concurrent fix of the same row is as good as ours.
 */
export const runtimeRole: Migration = {
  name: '001-runtime-role',
  // The checksum this migration had before it learnt to boot concurrently (issue 15): its effect is unchanged,
  // so databases that applied the earlier code keep booting.
  checksum: '9dfd218d941f454b',
  async up(db) {
    await db.raw(`do $$ begin
      create role plinth_app nologin nosuperuser nobypassrls noinherit;
    exception when duplicate_object or unique_violation then null;
    end $$`);
    await db.raw(`do $$ begin
      if exists (select 1 from pg_roles where rolname = 'plinth_app' and (rolcanlogin or rolsuper or rolbypassrls)) then
        alter role plinth_app nologin nosuperuser nobypassrls;
      end if;
    exception when internal_error then
      if sqlerrm <> 'tuple concurrently updated' then raise; end if;
    end $$`);
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
