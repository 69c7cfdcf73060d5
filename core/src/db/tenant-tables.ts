import type { Knex } from 'knex';

/** The Row Level Security predicate every tenant table carries. */
export const tenantPredicate = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid";

/**
 * Creates a tenant-owned table with everything isolation needs, in one call:
 * `id uuid`, `tenant_id uuid not null` referencing the tenant
 * (defaulting to the transaction's tenant), the primary key `(id, tenant_id)`,
 * `created_at`/`updated_at`, an index led by `tenant_id`, Row Level Security
 * enabled and forced, and the policies — tenant work (`plinth_app`) sees only
 * rows of `app.tenant_id`; the explicit system path (`plinth_system`) sees all.
 *
 * The keys are shard-ready (ADR 0014): the primary key holds `tenant_id`, and a foreign key declared in `columns` as
 * `.references('id').inTable(<another tenant table>)` is created as `(tenant_id, column) → (tenant_id, id)`, so a row
 * can only point at a row of its own tenant and the table can be distributed by `tenant_id` (Citus). Foreign keys to
 * global tables (`users`, `tenants`) stay as written.
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
  const builder = db.schema.createTable(name, (table) => {
    table.uuid('id').notNullable().defaultTo(db.raw('gen_random_uuid()'));
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
    table.primary(['id', 'tenant_id'], { constraintName: `${name}_pkey` });
  });
  for (const statement of builder.toSQL()) {
    const foreignKey = parseForeignKey(statement.sql);
    const scoped =
      foreignKey &&
      (foreignKey.references === name || ((await isDistributedTable(db, foreignKey.references)) && (await hasTenantKey(db, foreignKey.references))));
    await db.raw(scoped ? tenantScopedForeignKey(foreignKey) : statement.sql, statement.bindings);
  }
  await enableTenantRls(db, name);
  if (options.units) await enableUnitScope(db, name);
}

/**
 * Whether `table` has a primary or unique key on exactly `tenant_id` and `id`, which a tenant-scoped foreign key
 * needs. A table whose keys an older migration made (or a down of the shard-ready migration restored) has not: a key
 * to it stays on `id` until that migration runs again.
 */
export async function hasTenantKey(db: Knex | Knex.Transaction, table: string): Promise<boolean> {
  const row = (
    await db.raw(
      `select exists (
         select 1 from pg_index i
          where i.indrelid = to_regclass(?) and i.indisunique and i.indpred is null and i.indnkeyatts = 2
            and (select array_agg(a.attname::text order by a.attname) from pg_attribute a
                  where a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])) = array['id', 'tenant_id']) as found`,
      [`public."${table}"`],
    )
  ).rows[0] as { found: boolean };
  return row.found;
}

/** A single-column foreign key to `id` as knex writes it for PostgreSQL. */
interface IdForeignKey {
  table: string;
  name: string;
  column: string;
  references: string;
  /** What follows the referenced columns: `on delete cascade`, …; may be empty. */
  actions: string;
}

function parseForeignKey(sql: string): IdForeignKey | undefined {
  const match = /^alter table "(\w+)" add constraint "([^"]+)" foreign key \("(\w+)"\) references "(\w+)" \("id"\)(.*)$/is.exec(sql);
  if (!match) return undefined;
  const [, table, name, column, references, actions] = match as unknown as [string, string, string, string, string, string];
  return { table, name, column, references, actions };
}

/** The foreign key with `tenant_id` on both sides; `set null`/`set default` name the column, so `tenant_id` stays. */
function tenantScopedForeignKey(key: IdForeignKey): string {
  const actions = key.actions.replace(/on delete set (null|default)/i, (action) => `${action} ("${key.column}")`);
  return `alter table "${key.table}" add constraint "${key.name}" foreign key ("tenant_id", "${key.column}") references "${key.references}" ("tenant_id", "id")${actions}`;
}

/**
 * Whether a table is distributed by tenant when sharded: it has a `tenant_id` column and is not declared global
 * (a reference table, listed in `plinth_global_tables`; see {@link markReferenceTable}).
 */
export async function isDistributedTable(db: Knex | Knex.Transaction, name: string): Promise<boolean> {
  const row = (
    await db.raw(
      `select exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = ? and column_name = 'tenant_id') as tenant,
              to_regclass('public.plinth_global_tables') is not null as registry`,
      [name],
    )
  ).rows[0] as { tenant: boolean; registry: boolean };
  if (!row.tenant) return false;
  if (!row.registry) return true;
  return (await db('plinth_global_tables').where({ table_name: name }).first('table_name')) === undefined;
}

/**
 * Declares a core table with `tenant_id` a reference table: copied whole to every node when the database is sharded,
 * because its uniqueness is host-wide (a domain routes a host name to its tenant before the tenant is known). The
 * declaration is a row of `plinth_global_tables`, the same registry plugins write with `declareGlobalTable()`;
 * the shard-readiness check exempts such a table from the tenant-key rules (it must not reference a distributed one).
 */
export async function markReferenceTable(db: Knex | Knex.Transaction, name: string, reason: string): Promise<void> {
  await db.raw(
    'insert into plinth_global_tables (table_name, plugin, reason) values (?, ?, ?) on conflict (table_name) do update set reason = excluded.reason',
    [name, 'core', reason],
  );
}

/** Undoes {@link markReferenceTable}. */
export async function unmarkReferenceTable(db: Knex | Knex.Transaction, name: string): Promise<void> {
  await db('plinth_global_tables').where({ table_name: name, plugin: 'core' }).delete();
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
