import type { Migration } from '../migrator.js';
import { createTenantTable, tenantPredicate } from '../tenant-tables.js';

/**
 * Organisation units (a tree per tenant: colleges, departments, teams, branches) and role assignments scoped to one
 * (`membership_roles.unit_id`: that unit and everything below it; null: the whole tenant).
 */
export const orgUnits: Migration = {
  name: '021-org-units',
  async up(db) {
    await createTenantTable(db, 'org_units', (table) => {
      table.uuid('parent_id');
      table.text('name').notNullable();
      table.text('kind').notNullable();
      table.unique(['tenant_id', 'id']);
    });
    await db.raw(`alter table org_units add constraint org_units_parent_fk foreign key (tenant_id, parent_id) references org_units (tenant_id, id)`);
    await db.raw('create index org_units_parent_idx on org_units (tenant_id, parent_id)');
    await db.raw('create unique index org_units_sibling_name_unique on org_units (tenant_id, parent_id, lower(name)) nulls not distinct');
    await db.raw(`alter table org_units add constraint org_units_name_check check (length(name) between 1 and 120)`);
    await db.raw(`alter table org_units add constraint org_units_kind_check check (length(kind) between 1 and 40)`);
    await db.raw(`alter table org_units add constraint org_units_not_own_parent check (parent_id is distinct from id)`);

    // The units of each scope a request may be limited to, keyed by a digest (the session holds only the key): the
    // unit tables' policies look rows up here. Written by the kernel on the system path; readable, never writable,
    // by tenant work, so a plugin cannot widen its own scope.
    await db.raw(`create table org_unit_scopes (
      tenant_id uuid not null references tenants (id) on delete cascade,
      scope text not null,
      unit_id uuid not null,
      seen_at timestamptz not null default now(),
      primary key (tenant_id, scope, unit_id))`);
    await db.raw('alter table org_unit_scopes enable row level security');
    await db.raw('alter table org_unit_scopes force row level security');
    // The tenant policy as on every tenant table; the grants below keep tenant work to reading.
    await db.raw(`create policy tenant_isolation on org_unit_scopes using (${tenantPredicate}) with check (${tenantPredicate})`);
    await db.raw('create policy system_access on org_unit_scopes to plinth_system using (true) with check (true)');
    await db.raw('grant select on org_unit_scopes to plinth_app');
    await db.raw('grant select, insert, update, delete on org_unit_scopes to plinth_system');

    await db.raw('alter table membership_roles add column unit_id uuid');
    await db.raw('alter table membership_roles add constraint membership_roles_unit_fk foreign key (tenant_id, unit_id) references org_units (tenant_id, id)');
    await db.raw('alter table membership_roles drop constraint membership_roles_tenant_id_membership_id_role_id_unique');
    await db.raw('create unique index membership_roles_assignment_unique on membership_roles (tenant_id, membership_id, role_id, unit_id) nulls not distinct');
  },
  async down(db) {
    await db.raw('drop index membership_roles_assignment_unique');
    await db.raw('delete from membership_roles where unit_id is not null');
    await db.raw('alter table membership_roles drop column unit_id');
    await db.raw(
      'alter table membership_roles add constraint membership_roles_tenant_id_membership_id_role_id_unique unique (tenant_id, membership_id, role_id)',
    );
    await db.schema.dropTable('org_unit_scopes');
    await db.schema.dropTable('org_units');
  },
};
