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
export async function createTenantTable(db: Knex | Knex.Transaction, name: string, columns: (table: Knex.CreateTableBuilder) => void): Promise<void> {
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
