import type { ShardReadySpec, TenantScopedUnique } from '@plinth/sdk';
import type { Knex } from 'knex';
import { hasTenantKey, isDistributedTable } from './tenant-tables.js';

export type { ShardReadySpec, TenantScopedUnique };

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

function quote(name: string): string {
  if (!identifier.test(name)) throw new Error(`${name} is not a plain lower-case identifier`);
  return `"${name}"`;
}

function columnList(columns: readonly string[]): string {
  return columns.map(quote).join(', ');
}

/** The primary key of a table: its name, its index and its columns in order (undefined when it has none). */
async function primaryKey(db: Knex.Transaction, table: string): Promise<{ name: string; index: number; columns: string[] } | undefined> {
  const row = (
    await db.raw(
      `select con.conname as name, con.conindid::int as index,
              array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, position)
                      join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.position) as columns
         from pg_constraint con where con.conrelid = to_regclass(?) and con.contype = 'p'`,
      [`public.${quote(table)}`],
    )
  ).rows[0] as { name: string; index: number; columns: string[] } | undefined;
  return row;
}

/** The foreign keys that depend on an index (those referencing the key it backs), with their definitions. */
async function foreignKeysOnIndex(db: Knex.Transaction, index: number): Promise<{ table: string; name: string; definition: string }[]> {
  return (
    await db.raw(
      `select con.conrelid::regclass::text as table, con.conname as name, pg_get_constraintdef(con.oid) as definition
         from pg_constraint con where con.contype = 'f' and con.conindid = ? order by 1, 2`,
      [index],
    )
  ).rows;
}

const foreignKeyShape = /^FOREIGN KEY \((.+?)\) REFERENCES (.+?)\((.+?)\)(.*)$/s;

/** `FOREIGN KEY (x) REFERENCES t(id) ON DELETE SET NULL` → `FOREIGN KEY (tenant_id, x) REFERENCES t(tenant_id, id) ON DELETE SET NULL (x)`. */
export function scopedForeignKeyDefinition(definition: string): string {
  const match = foreignKeyShape.exec(definition);
  if (!match) throw new Error(`unexpected foreign key definition: ${definition}`);
  const [, columns, target, referenced, actions] = match as unknown as [string, string, string, string, string];
  const tail = actions.replace(/ON DELETE SET (NULL|DEFAULT)(?! \()/, (action) => `${action} (${columns})`);
  return `FOREIGN KEY (tenant_id, ${columns}) REFERENCES ${target}(tenant_id, ${referenced})${tail}`;
}

/** The inverse of {@link scopedForeignKeyDefinition}. */
export function unscopedForeignKeyDefinition(definition: string): string {
  const match = foreignKeyShape.exec(definition);
  if (!match) throw new Error(`unexpected foreign key definition: ${definition}`);
  const [, columns, target, referenced, actions] = match as unknown as [string, string, string, string, string];
  const strip = (list: string) =>
    list
      .split(',')
      .map((column) => column.trim())
      .filter((column) => column !== 'tenant_id')
      .join(', ');
  const tail = actions.replace(/ON DELETE SET (NULL|DEFAULT) \([^)]*\)/, (action) => action.replace(/ \([^)]*\)$/, ''));
  return `FOREIGN KEY (${strip(columns)}) REFERENCES ${target}(${strip(referenced)})${tail}`;
}

/**
 * Makes existing tenant tables distributable by `tenant_id` (ADR 0014), keeping every row: swaps each table's
 * `primary key (id)` for `(id, tenant_id)`, recreates the foreign keys to it as `(tenant_id, x_id) → (tenant_id, id)`
 * (same names and actions; validating them proves no row points at another tenant's row), and scopes the listed
 * unique keys to the tenant. Tables already in that shape are left alone, so a fresh install (where
 * `createTenantTable` creates these keys) runs through it unchanged. Runs in the migration's transaction; rebuilding
 * a primary key takes an exclusive lock on the table for as long as its index takes to build.
 */
export async function makeShardReady(db: Knex.Transaction, spec: ShardReadySpec): Promise<void> {
  for (const table of spec.tables ?? []) {
    const key = await primaryKey(db, table);
    if (!key) throw new Error(`${table} has no primary key`);
    if (key.columns.includes('tenant_id')) continue;
    if (key.columns.join() !== 'id') throw new Error(`${table}: expected primary key (id), found (${key.columns.join(', ')})`);
    const dependents = await foreignKeysOnIndex(db, key.index);
    for (const foreignKey of dependents) {
      if (!(await isDistributedTable(db, foreignKey.table)))
        throw new Error(`${foreignKey.table}.${foreignKey.name}: a table without tenant_id references ${table}; it cannot be scoped to the tenant`);
      await db.raw(`alter table ${quote(foreignKey.table)} drop constraint ${quote(foreignKey.name)}`);
    }
    await db.raw(`alter table ${quote(table)} drop constraint ${quote(key.name)}`);
    await db.raw(`alter table ${quote(table)} add constraint ${quote(key.name)} primary key (id, tenant_id)`);
    for (const foreignKey of dependents)
      await db.raw(`alter table ${quote(foreignKey.table)} add constraint ${quote(foreignKey.name)} ${scopedForeignKeyDefinition(foreignKey.definition)}`);
  }
  for (const unique of spec.uniques ?? []) await scopeUnique(db, unique);
}

/** Restores what {@link makeShardReady} changed: `primary key (id)`, single-column foreign keys, host-wide unique keys. */
export async function revertShardReady(db: Knex.Transaction, spec: ShardReadySpec): Promise<void> {
  for (const unique of [...(spec.uniques ?? [])].reverse()) await unscopeUnique(db, unique);
  for (const table of [...(spec.tables ?? [])].reverse()) {
    const key = await primaryKey(db, table);
    if (!key || key.columns.join() !== 'id,tenant_id') continue;
    const dependents = await foreignKeysOnIndex(db, key.index);
    for (const foreignKey of dependents) await db.raw(`alter table ${quote(foreignKey.table)} drop constraint ${quote(foreignKey.name)}`);
    await db.raw(`alter table ${quote(table)} drop constraint ${quote(key.name)}`);
    await db.raw(`alter table ${quote(table)} add constraint ${quote(key.name)} primary key (id)`);
    // A key written `(tenant_id, x_id) → (tenant_id, id)` against the table's own `unique (tenant_id, id)` (units,
    // bio-sites) may have bound to the new primary key instead: it stays composite, bound to that unique key again (the
    // primary key is `(id)` by now, so any key on exactly `tenant_id` and `id` is that unique one).
    const composite = await hasTenantKey(db, table);
    for (const foreignKey of dependents) {
      const definition = composite ? foreignKey.definition : unscopedForeignKeyDefinition(foreignKey.definition);
      await db.raw(`alter table ${quote(foreignKey.table)} add constraint ${quote(foreignKey.name)} ${definition}`);
    }
  }
}

/** A unique key's kind (constraint or bare index), its key columns and its partial-index predicate. */
async function uniqueKey(
  db: Knex.Transaction,
  unique: TenantScopedUnique,
): Promise<{ constraint: boolean; columns: string[]; predicate: string | null } | undefined> {
  return (
    await db.raw(
      `select exists (select 1 from pg_constraint con where con.conindid = i.indexrelid and con.contype = 'u') as constraint,
              array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality k(attnum, position)
                      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum order by k.position) as columns,
              pg_get_expr(i.indpred, i.indrelid) as predicate
         from pg_index i
        where i.indexrelid = to_regclass(?) and i.indrelid = to_regclass(?) and i.indisunique`,
      [`public.${quote(unique.name)}`, `public.${quote(unique.table)}`],
    )
  ).rows[0];
}

async function scopeUnique(db: Knex.Transaction, unique: TenantScopedUnique): Promise<void> {
  const key = await uniqueKey(db, unique);
  if (!key) throw new Error(`${unique.table}: no unique key ${unique.name}`);
  if (key.columns.includes('tenant_id')) return;
  const table = quote(unique.table);
  const name = quote(unique.name);
  const where = key.predicate ? ` where ${key.predicate}` : '';
  if (key.constraint) {
    await db.raw(`alter table ${table} drop constraint ${name}`);
    await db.raw(`alter table ${table} add constraint ${name} unique (tenant_id, ${columnList(unique.columns)})`);
  } else {
    await db.raw(`drop index ${name}`);
    await db.raw(`create unique index ${name} on ${table} (tenant_id, ${columnList(unique.columns)})${where}`);
  }
  if (unique.lookup !== false) await db.raw(`create index ${quote(lookupName(unique))} on ${table} (${columnList(unique.columns)})${where}`);
}

async function unscopeUnique(db: Knex.Transaction, unique: TenantScopedUnique): Promise<void> {
  const key = await uniqueKey(db, unique);
  if (!key || !key.columns.includes('tenant_id')) return;
  const table = quote(unique.table);
  const name = quote(unique.name);
  const where = key.predicate ? ` where ${key.predicate}` : '';
  await db.raw(`drop index if exists ${quote(lookupName(unique))}`);
  if (key.constraint) {
    await db.raw(`alter table ${table} drop constraint ${name}`);
    await db.raw(`alter table ${table} add constraint ${name} unique (${columnList(unique.columns)})`);
  } else {
    await db.raw(`drop index ${name}`);
    await db.raw(`create unique index ${name} on ${table} (${columnList(unique.columns)})${where}`);
  }
}

function lookupName(unique: TenantScopedUnique): string {
  return `${unique.name.slice(0, 56)}_lookup`;
}
