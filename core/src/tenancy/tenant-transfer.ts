import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Moving one tenant between hosts (`plinth tenant export` / `plinth tenant import`, docs/operations/backups.md):
 * what both sides agree on — the manifest, the tables that move, and what the catalog says about them. Nothing here
 * names a plugin's table: tenant tables are the tables of `public` with a `tenant_id` column, their order comes from
 * their foreign keys, and the user columns from the foreign keys to `users`, so a plugin's tables (and changed keys)
 * move without core knowing them.
 */

/** What the archive says about itself; written last (`manifest.json`), checked first. */
export interface TransferManifest {
  format: typeof archiveFormat;
  version: 1;
  /** The exporting host's @plinth/core version. */
  plinth: string;
  created_at: string;
  tenant: { id: string; slug: string; name: string };
  /** Applied migrations by scope (`core` and each plugin): the target must have applied exactly these in each scope. */
  migrations: Record<string, string[]>;
  /** Installed plugins and their versions on the exporting host (informational). */
  plugins: Record<string, string>;
  /** Which encryption key sealed the tenant's secrets ({@link encryptionKeyId}); another key cannot open them. */
  encryption_key_id: string;
  /** Every part but the objects themselves, in archive order, with its row count, size and SHA-256. */
  parts: TransferPart[];
  /** The tenant's stored objects (originals and variants), each listed with its SHA-256 in the `objects.jsonl` part. */
  objects: { count: number; bytes: number };
  /** Tenant tables whose rows do not move (in-flight machinery and host operators' access), with the reason. */
  left_out: Record<string, string>;
}

export interface TransferPart {
  name: string;
  kind: 'tenant' | 'users' | 'table' | 'schedules' | 'objects';
  /** For `table` parts: the table. */
  table?: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** One line of `objects.jsonl`: an object's entry in the archive and its key under the tenant's prefix. */
export interface ArchivedObject {
  entry: string;
  key: string;
  size: number;
  sha256: string;
}

export const archiveFormat = 'plinth-tenant-archive';
export const manifestName = 'manifest.json';
export const objectsIndexName = 'objects.jsonl';
/** Where a tenant's objects live in the store: core builds every key under it (files/file-service.ts `storageKey`). */
export const tenantPrefix = (tenantId: string) => `t/${tenantId}/`;

/**
 * Tenant tables whose rows stay behind. They hold work in flight, which would run twice (once on each host), or grant
 * the source host's operators access; none holds the tenant's data. Pending one-off jobs are not moved either:
 * drain them (suspend the tenant, let the workers finish) before exporting.
 */
export const leftOutTables: Readonly<Record<string, string>> = {
  plinth_events: 'events not yet delivered would be delivered again on the new host',
  plinth_event_deliveries: 'delivery state of the events above',
  plinth_job_outbox: 'jobs not yet queued (pending one-off jobs are not moved)',
  plinth_job_keys: 'keys of queued jobs (pending one-off jobs are not moved)',
  plinth_job_effects: 'effects of job runs already done, kept so a retried job does not repeat them',
  support_sessions: "host operators' support access belongs to the source host",
};

/** A short, non-secret fingerprint of the host's encryption key: equal fingerprints open each other's sealed secrets. */
export function encryptionKeyId(key: string): string {
  return createHash('sha256').update(`plinth:key-id:${key}`).digest('hex').slice(0, 16);
}

/** Quotes a catalog name for SQL (names come from the catalog, but a quote never hurts). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A tenant table as the catalog describes it. */
export interface TenantTable {
  name: string;
  /** Columns a row is written with: every column but generated ones, in table order. */
  columns: string[];
}

/**
 * The tenant tables of `public` (a `tenant_id` column; `tenants` itself aside), parents before children: a table comes
 * after every table its foreign keys point at. Among tables free to go, those with triggers of their own go first: a
 * table their triggers fill (the CRM's contact words, written from the contacts) then comes after them, and its
 * archived rows replace what the triggers wrote. A cycle (none exists today) keeps its tables in that order at the end.
 */
export async function tenantTables(client: pg.ClientBase): Promise<TenantTable[]> {
  const { rows: tables } = await client.query<{ name: string; columns: string[] }>(
    `select c.relname as name,
       array(select a.attname::text from pg_attribute a
             where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum) as columns
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'tenants'
       and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
     order by exists (select 1 from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal) desc, c.relname`,
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `select distinct child.relname as child, parent.relname as parent
     from pg_constraint k join pg_class child on child.oid = k.conrelid join pg_class parent on parent.oid = k.confrelid
     where k.contype = 'f' and k.conrelid <> k.confrelid and k.connamespace = 'public'::regnamespace`,
  );
  const names = new Set(tables.map((table) => table.name));
  const parents = new Map(tables.map((table) => [table.name, new Set<string>()]));
  for (const edge of edges) if (names.has(edge.child) && names.has(edge.parent)) parents.get(edge.child)!.add(edge.parent);
  const ordered: TenantTable[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const table of tables) {
      if (placed.has(table.name) || [...parents.get(table.name)!].some((parent) => !placed.has(parent))) continue;
      ordered.push(table);
      placed.add(table.name);
      progress = true;
    }
  }
  return [...ordered, ...tables.filter((table) => !placed.has(table.name))];
}

/** The single-column foreign keys from tenant tables to `users`: `{ table, column }`. */
export async function userColumns(client: pg.ClientBase): Promise<{ table: string; column: string }[]> {
  const { rows } = await client.query<{ table: string; column: string }>(
    `select c.relname as table, a.attname as column
     from pg_constraint k join pg_class c on c.oid = k.conrelid
       join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
     where k.contype = 'f' and k.confrelid = 'public.users'::regclass and cardinality(k.conkey) = 1 and k.connamespace = 'public'::regnamespace
       and exists (select 1 from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id' and not t.attisdropped)
     order by 1, 2`,
  );
  return rows;
}

/** Applied migrations by scope, names in order. */
export async function appliedMigrations(client: pg.ClientBase): Promise<Record<string, string[]>> {
  const { rows } = await client.query<{ scope: string; name: string }>('select scope, name from plinth_migrations order by scope, name');
  const byScope: Record<string, string[]> = {};
  for (const row of rows) (byScope[row.scope] ??= []).push(row.name);
  return byScope;
}

/** The columns of a global table (`users`, `tenants`) a row is written with (generated ones aside). */
export async function tableColumns(client: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select a.attname as name from pg_attribute a
     where a.attrelid = ('public.' || quote_ident($1))::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum`,
    [table],
  );
  return rows.map((row) => row.name);
}

/** Cursors opened so far: each gets a name of its own. */
let cursors = 0;

/** Reads the text column `line` of a query through a cursor, `batch` rows at a time (the transaction must be open). */
export async function* cursorLines(client: pg.ClientBase, text: string, values: readonly unknown[], batch = 1000): AsyncGenerator<string> {
  const cursor = `plinth_transfer_${++cursors}`;
  await client.query(`declare ${cursor} no scroll cursor for ${text}`, values as unknown[]);
  try {
    for (;;) {
      const { rows } = await client.query<{ line: string }>(`fetch forward ${batch} from ${cursor}`);
      for (const row of rows) yield row.line;
      if (rows.length < batch) return;
    }
  } finally {
    await client.query(`close ${cursor}`).catch(() => undefined);
  }
}
