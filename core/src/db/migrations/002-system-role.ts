import type { Migration } from '../migrator.js';

/**
 * The role of the explicit cross-tenant path (tenant resolution by domain,
 * host administration, job dispatch): NOLOGIN, no BYPASSRLS; tenant tables
 * grant it a policy of its own. Only core switches to it; plugins never can.
 */
export const systemRole: Migration = {
  name: '002-system-role',
  async up(db) {
    await db.raw(`do $$ begin
      create role plinth_system nologin nosuperuser nobypassrls noinherit;
    exception when duplicate_object or unique_violation then null;
    end $$`);
    await db.raw(`do $$ begin
      if not pg_has_role(current_user, 'plinth_system', 'member') then
        execute format('grant plinth_system to %I', current_user);
      end if;
    end $$`);
    await db.raw('grant usage on schema public to plinth_system');
  },
  async down(db) {
    await db.raw('revoke usage on schema public from plinth_system');
  },
};
