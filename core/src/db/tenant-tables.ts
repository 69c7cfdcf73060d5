import type { Knex } from 'knex';

/** The Row Level Security predicate every tenant table carries. */
export const tenantPredicate = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid";

/**
 * Creates a tenant-owned table with everything isolation needs, in one call:
 * `id uuid` primary key, `tenant_id uuid not null` referencing the tenant
 * (defaulting to the transaction's tenant),
 * `created_at`/`updated_at`, an index led by `tenant_id`, Row Level Security
 * enabled and forced, and the policies — tenant work (`plinth_app`) sees only
 * rows of `app.tenant_id`; the explicit system path (`plinth_system`) sees all.
 *
 * @example
 * ```ts
 * await createTenantTable(db, 'crm_contacts', (table) => {
 *   table.text('email').notNullable();
 *   table.unique(['tenant_id', 'email']);
 * });
 * ```
 */
export async function createTenantTable(
  db: Knex | Knex.Transaction,
  name: string,
  columns: (table: Knex.CreateTableBuilder) => void,
  options: { units?: boolean } = {},
): Promise<void> {
  await db.schema.createTable(name, (table) => {
    table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
    // Defaults to the transaction's tenant, so tenant work can insert without naming it (RLS checks it either way).
    table
      .uuid('tenant_id')
      .notNullable()
      .defaultTo(db.raw(`nullif(current_setting('app.tenant_id', true), '')::uuid`))
      .references('id')
      .inTable('tenants')
      .onDelete('CASCADE');
    columns(table);
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.index(['tenant_id', 'created_at']);
  });
  await enableTenantRls(db, name);
  if (options.units) await enableUnitScope(db, name);
}

/** Enables and forces RLS on an existing table with a `tenant_id` column, and adds the tenant and system policies. */
export async function enableTenantRls(db: Knex | Knex.Transaction, name: string): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`table name ${name} must be lower-case letters, digits and underscores`);
  const table = `"${name}"`;
  await db.raw(`alter table ${table} enable row level security`);
  await db.raw(`alter table ${table} force row level security`);
  await db.raw(`create policy tenant_isolation on ${table} using (${tenantPredicate}) with check (${tenantPredicate})`);
  await db.raw(`create policy system_access on ${table} to plinth_system using (true) with check (true)`);
  await db.raw(`grant select, insert, update, delete on ${table} to plinth_app, plinth_system`);
}

/**
 * The Row Level Security predicate of a table with units: every row for a whole-tenant request (`app.unit_scope`
 * empty); for a request scoped to units, only rows whose `unit_id` is in the scope the setting names — the rows of
 * `org_unit_scopes` the kernel wrote for it (a row of no unit is the whole tenant's). The scope is a short key, not
 * the list: a list of hundreds of units parsed by every statement cost more than the read (ADR 0010); here each row
 * checked is one probe of the scopes' primary key. The setting is read in scalar subqueries, once per statement.
 */
export function unitPredicate(table: string): string {
  const scope = "(select nullif(current_setting('app.unit_scope', true), ''))";
  // `offset 0` keeps PostgreSQL from turning the `exists` into a hashed subplan, which reads every unit of the scope
  // for each statement (0.3 ms for 550 units) even when one row is checked; this way each row is one index probe.
  return `(${scope} is null or exists (select 1 from org_unit_scopes s where s.scope = ${scope} and s.unit_id = "${table}".unit_id offset 0))`;
}

/**
 * Gives a tenant table organisation units: a nullable `unit_id` that can only name a unit of the row's own tenant
 * (and keeps that unit from being deleted while it holds rows), an index, and a restrictive policy for the runtime
 * role that limits reads and writes to the request's units ({@link unitPredicate}), on top of the tenant policy.
 */
export async function enableUnitScope(db: Knex | Knex.Transaction, name: string): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`table name ${name} must be lower-case letters, digits and underscores`);
  const table = `"${name}"`;
  await db.raw(`alter table ${table} add column unit_id uuid`);
  await db.raw(`alter table ${table} add constraint "${name.slice(0, 50)}_unit_fk" foreign key (tenant_id, unit_id) references org_units (tenant_id, id)`);
  await db.raw(`create index "${name.slice(0, 50)}_unit_idx" on ${table} (tenant_id, unit_id)`);
  await db.raw(`create policy unit_scope on ${table} as restrictive to plinth_app using (${unitPredicate(name)}) with check (${unitPredicate(name)})`);
}
