import type { Knex } from 'knex';

/** How a table would be placed when the database is sharded by tenant (Citus). */
export type ShardRole = 'distributed' | 'reference';

/** What keeps a table from being distributed by `tenant_id` (or a reference table from being replicated). */
export type ShardProblemKind = 'primary-key' | 'unique' | 'unique-index' | 'exclusion' | 'foreign-key' | 'reference-foreign-key';

/** One problem found by {@link shardReadiness}. */
export interface ShardProblem {
  table: string;
  /** The constraint's or index's name. */
  constraint: string;
  kind: ShardProblemKind;
  /** What is wrong, with the definition. */
  detail: string;
  /** How to fix it, in one line. */
  fix: string;
}

/** One table of {@link shardLayout}: its placement and its problems (none: ready). */
export interface ShardTable {
  table: string;
  role: ShardRole;
  /** Whether it has a `tenant_id` column (a reference table with one is declared global). */
  tenantColumn: boolean;
  problems: ShardProblem[];
  /** The tables its foreign keys reference (in `public`, other than itself). */
  references: string[];
}

interface TableRow {
  oid: number;
  table: string;
  tenant: boolean;
  declared: boolean;
}

interface KeyRow {
  table: string;
  name: string;
  type: 'p' | 'u' | 'x' | 'f' | 'i';
  definition: string;
  columns: string[];
  referenced: string | null;
  referenced_columns: string[] | null;
}

/**
 * The placement of every table of `public` when sharded by tenant, read from the catalog (ADR 0014): a table with a
 * `tenant_id` column is distributed by it unless declared global in `plinth_global_tables` (plugins:
 * `declareGlobalTable()`; core: `markReferenceTable()`); every other table is a reference table. A distributed
 * table's primary key, unique constraints, unique indexes and exclusion constraints must hold `tenant_id`, and its
 * foreign keys to another distributed table must pair `tenant_id` with `tenant_id`; a reference table must not
 * reference a distributed table.
 */
export async function shardLayout(knex: Knex | Knex.Transaction): Promise<ShardTable[]> {
  const registry = (await knex.raw(`select to_regclass('public.plinth_global_tables') is not null as found`)).rows[0].found as boolean;
  const tables: TableRow[] = (
    await knex.raw(
      `select c.oid::int as oid, c.relname as table,
              exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and a.attnum > 0 and not a.attisdropped) as tenant,
              ${registry ? 'exists (select 1 from plinth_global_tables g where g.table_name = c.relname)' : 'false'} as declared
         from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
        order by c.relname`,
    )
  ).rows;
  const keys: KeyRow[] = (
    await knex.raw(
      `select con.conrelid::regclass::text as table, con.conname as name, con.contype as type, pg_get_constraintdef(con.oid) as definition,
              array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, position)
                      join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.position) as columns,
              case when con.contype = 'f' then con.confrelid::regclass::text end as referenced,
              case when con.contype = 'f' then array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, position)
                      join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.position) end as referenced_columns
         from pg_constraint con join pg_class c on c.oid = con.conrelid
        where c.relnamespace = 'public'::regnamespace and con.contype in ('p', 'u', 'x', 'f')
       union all
       select c.relname, ic.relname, 'i', pg_get_indexdef(i.indexrelid),
              array(select coalesce(a.attname::text, '(expression)') from unnest(i.indkey::int2[]) with ordinality k(attnum, position)
                      left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                     where k.position <= i.indnkeyatts order by k.position),
              null, null
         from pg_index i join pg_class c on c.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid
        where c.relnamespace = 'public'::regnamespace and i.indisunique
          and not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x'))
        order by 1, 2`,
    )
  ).rows;
  const roles = new Map(tables.map((row) => [row.table, row.tenant && !row.declared ? ('distributed' as const) : ('reference' as const)]));
  return tables.map((row) => {
    const role = roles.get(row.table)!;
    const own = keys.filter((key) => key.table === row.table);
    return {
      table: row.table,
      role,
      tenantColumn: row.tenant,
      problems: own.flatMap((key) => problemsOf(key, role, roles)),
      references: [
        ...new Set(own.filter((key) => key.type === 'f' && key.referenced !== row.table && roles.has(key.referenced!)).map((key) => key.referenced!)),
      ],
    };
  });
}

/** Every problem that keeps a table from being distributed by `tenant_id`; empty when the schema is shard-ready. */
export async function shardReadiness(knex: Knex | Knex.Transaction): Promise<ShardProblem[]> {
  return (await shardLayout(knex)).flatMap((table) => table.problems);
}

const fixes: Record<ShardProblemKind, string> = {
  'primary-key': 'make the primary key (id, tenant_id): createTenantTable() does; for an existing table, makeShardReady({ tables: [...] })',
  unique: 'add tenant_id to the unique key (unique (tenant_id, …)), or declare the table global if the value must be unique host-wide',
  'unique-index': 'add tenant_id to the unique index, or declare the table global if the value must be unique host-wide',
  exclusion: 'add tenant_id with = to the exclusion constraint',
  'foreign-key': 'reference (tenant_id, id) from (tenant_id, <column>): createTenantTable() does for .references("id"); existing keys: makeShardReady()',
  'reference-foreign-key': 'a global (reference) table cannot reference a distributed table: drop the foreign key or make both tenant tables',
};

function problem(key: KeyRow, kind: ShardProblemKind, detail: string): ShardProblem {
  return { table: key.table, constraint: key.name, kind, detail, fix: fixes[kind] };
}

function problemsOf(key: KeyRow, role: ShardRole, roles: Map<string, ShardRole>): ShardProblem[] {
  if (key.type === 'f') {
    const target = key.referenced === null ? undefined : roles.get(key.referenced);
    if (target !== 'distributed') return [];
    if (role === 'reference') return [problem(key, 'reference-foreign-key', `references the distributed table ${key.referenced}: ${key.definition}`)];
    const paired = key.columns.some((column, index) => column === 'tenant_id' && key.referenced_columns?.[index] === 'tenant_id');
    return paired ? [] : [problem(key, 'foreign-key', `references ${key.referenced} without pairing tenant_id: ${key.definition}`)];
  }
  if (role === 'reference' || key.columns.includes('tenant_id')) return [];
  const kind = ({ p: 'primary-key', u: 'unique', x: 'exclusion', i: 'unique-index' } as const)[key.type];
  return [problem(key, kind, `does not include tenant_id: ${key.definition}`)];
}

/**
 * The statements that shard a migrated database with Citus, in dependency order: every reference table
 * (`create_reference_table`) — referenced ones first — then every distributed table by `tenant_id`, co-located with
 * the first, referenced ones first. Refuses (throws) while {@link shardReadiness} finds problems.
 */
export async function citusStatements(knex: Knex | Knex.Transaction): Promise<string[]> {
  const layout = await shardLayout(knex);
  const problems = layout.flatMap((table) => table.problems);
  if (problems.length > 0) throw new Error(`${problems.length} table key(s) are not shard-ready; run the check and fix them first`);
  const statements: string[] = [];
  for (const role of ['reference', 'distributed'] as const) {
    const ordered = dependencyOrder(layout.filter((table) => table.role === role));
    const first = ordered[0]?.table;
    for (const table of ordered) {
      if (role === 'reference') statements.push(`select create_reference_table('${table.table}');`);
      else if (table.table === first) statements.push(`select create_distributed_table('${table.table}', 'tenant_id');`);
      else statements.push(`select create_distributed_table('${table.table}', 'tenant_id', colocate_with => '${first}');`);
    }
  }
  return statements;
}

/** Tables ordered so that each comes after the tables (of the same list) it references; alphabetical otherwise. */
function dependencyOrder(tables: ShardTable[]): ShardTable[] {
  const byName = new Map(tables.map((table) => [table.table, table]));
  const done = new Set<string>();
  const ordered: ShardTable[] = [];
  const visit = (table: ShardTable, path: Set<string>) => {
    if (done.has(table.table) || path.has(table.table)) return;
    path.add(table.table);
    for (const name of table.references) {
      const referenced = byName.get(name);
      if (referenced) visit(referenced, path);
    }
    done.add(table.table);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}
