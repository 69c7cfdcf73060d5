import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import pg from 'pg';
import { assertKey } from '../files/storage-keys.js';
import type { ObjectStorage } from '../files/storage.js';
import { reservedSlugs } from './tenant-setup.js';
import { hashed, linesOf, readArchive, TransferError, type ReadEntry } from './tenant-transfer-archive.js';
import { adaptBillingRows } from '../billing/transfer-billing.js';
import {
  appliedMigrations,
  archiveFormat,
  encryptionKeyId,
  ident,
  manifestName,
  objectsIndexName,
  tableColumns,
  tenantPrefix,
  tenantTables,
  type ArchivedObject,
  type TransferManifest,
  type TransferPart,
} from './tenant-transfer.js';

/** A recurring job schedule to save again on the target (`jobs.every` with the tenant's unique key). */
export interface TransferSchedule {
  name: string;
  interval: string;
  data: Record<string, unknown>;
}

export interface ImportOptions {
  /** The target database, as its owner; rows are written as `plinth_system`. */
  databaseUrl: string;
  storage: ObjectStorage;
  encryptionKey: string;
  file: string;
  /** Import under this slug instead of the archive's. */
  slug?: string | undefined;
  /** Saves the tenant's recurring schedules once the rows are committed (the CLI saves them through the job system). */
  saveSchedules(schedules: TransferSchedule[], timeZone: string): Promise<void>;
}

export interface ImportSummary {
  tenant: { id: string; slug: string; name: string; status: string };
  tables: number;
  rows: number;
  accounts: { created: number; merged: number };
  objects: { count: number; bytes: number };
  schedules: number;
  /** What the operator should know: a different encryption key, plugin versions, a suspended tenant. */
  warnings: string[];
}

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Imports a tenant archive ({@link exportTenant}'s) into this host. First it reads the whole archive and checks every
 * part against the manifest, the host's migrations against the archive's, and that neither the tenant's id nor its
 * slug exists here: a refusal changes nothing. Then, in ONE transaction, it writes the tenant row, the accounts (an
 * email already here is the existing account, and every reference to the old id in the tenant's rows is rewritten),
 * every table parents first (a table that triggers of an earlier one filled is replaced by the archived rows), and
 * stores the objects under the same keys; a failure rolls the rows back and deletes the objects stored. The
 * recurring schedules are saved after the commit.
 */
export async function importTenant(options: ImportOptions): Promise<ImportSummary> {
  const archive = await verifyArchive(options.file);
  const { manifest } = archive;
  const slug = options.slug ?? manifest.tenant.slug;
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'plinth-tenant-import' });
  await client.connect();
  try {
    await checkTarget(client, manifest, slug, options.slug !== undefined);
    const summary = await applyArchive(client, options, archive, slug);
    const { rows: plugins } = await client.query<{ name: string; version: string }>('select name, version from plinth_plugins');
    summary.warnings.push(...warningsFor(manifest, options.encryptionKey, summary, new Map(plugins.map((plugin) => [plugin.name, plugin.version]))));
    return summary;
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface VerifiedArchive {
  manifest: TransferManifest;
  /** The objects by archive entry name. */
  objects: Map<string, ArchivedObject>;
}

/** Reads the archive through once, checking each part's size and SHA-256 against the manifest, and each object's against the index. */
async function verifyArchive(file: string): Promise<VerifiedArchive> {
  const seen = new Map<string, { sha256: string; bytes: number }>();
  const objects = new Map<string, ArchivedObject>();
  let manifestText: string | undefined;
  for await (const entry of readArchive(file)) {
    if (manifestText !== undefined) throw new TransferError(`the archive has ${entry.name} after its manifest; it was not written by "plinth tenant export"`);
    if (seen.has(entry.name)) throw new TransferError(`the archive holds ${entry.name} twice`);
    if (entry.name === manifestName) {
      if (entry.size > 64 * 1024 * 1024) throw new TransferError('the archive has a manifest too large to be one');
      const chunks: Buffer[] = [];
      for await (const chunk of entry.body) chunks.push(chunk);
      manifestText = Buffer.concat(chunks).toString('utf8');
      continue;
    }
    const hash = createHash('sha256');
    if (entry.name === objectsIndexName) {
      for await (const line of linesOf(hashed(entry.body, hash))) {
        const object = parseJson<ArchivedObject>(line, objectsIndexName);
        objects.set(object.entry, object);
      }
    } else for await (const chunk of entry.body) hash.update(chunk);
    seen.set(entry.name, { sha256: hash.digest('hex'), bytes: entry.size });
  }
  if (manifestText === undefined) throw new TransferError('the archive has no manifest: it is incomplete, or not a file "plinth tenant export" wrote');
  const manifest = parseManifest(manifestText);
  for (const part of manifest.parts) {
    const found = seen.get(part.name);
    if (!found) throw new TransferError(`the archive lacks ${part.name}, which its manifest lists`);
    if (found.sha256 !== part.sha256 || found.bytes !== part.bytes) throw damaged(part.name);
    seen.delete(part.name);
  }
  for (const [name, found] of seen) {
    const object = objects.get(name);
    if (!object) throw new TransferError(`the archive holds ${name}, which its manifest does not list`);
    if (object.sha256 !== found.sha256 || object.size !== found.bytes) throw damaged(name);
  }
  if (seen.size !== objects.size || objects.size !== manifest.objects.count) throw new TransferError('the archive lacks objects its index lists');
  return { manifest, objects };
}

function damaged(name: string): TransferError {
  return new TransferError(`the archive is damaged or was changed: ${name} does not match its SHA-256 in the manifest; nothing was imported`);
}

function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new TransferError(`the archive's ${where} is not valid JSON`);
  }
}

function parseManifest(text: string): TransferManifest {
  const manifest = parseJson<Partial<TransferManifest>>(text, manifestName);
  if (manifest.format !== archiveFormat) throw new TransferError('the file is not a Plinth tenant archive (its manifest names another format)');
  if (manifest.version !== 1)
    throw new TransferError(`the archive has format version ${String(manifest.version)}; this Plinth reads version 1: upgrade Plinth`);
  const tenant = manifest.tenant;
  if (!tenant || typeof tenant.id !== 'string' || !/^[0-9a-f-]{36}$/.test(tenant.id) || typeof tenant.slug !== 'string' || typeof tenant.name !== 'string')
    throw new TransferError("the archive's manifest names no valid tenant");
  if (!Array.isArray(manifest.parts) || typeof manifest.migrations !== 'object' || !manifest.objects)
    throw new TransferError("the archive's manifest is incomplete");
  return manifest as TransferManifest;
}

/** Refuses a host whose schema differs, and a tenant id or slug that exists here. Changes nothing. */
async function checkTarget(client: pg.Client, manifest: TransferManifest, slug: string, slugGiven: boolean): Promise<void> {
  if (slugGiven && (!slugPattern.test(slug) || reservedSlugs.has(slug)))
    throw new TransferError(`--slug ${slug} is not a usable slug (lower-case letters, digits and hyphens, 1–63 characters, not a reserved word)`);
  const here = await appliedMigrations(client);
  const differences: string[] = [];
  for (const [scope, names] of Object.entries(manifest.migrations)) {
    const local = here[scope] ?? [];
    const missing = names.filter((name) => !local.includes(name));
    const extra = local.filter((name) => !names.includes(name));
    if (local.length === 0) differences.push(`${scope} is not installed here`);
    else if (missing.length > 0 || extra.length > 0)
      differences.push(
        `${scope}: ${[missing.length ? `not applied here: ${missing.join(', ')}` : '', extra.length ? `applied here only: ${extra.join(', ')}` : ''].filter(Boolean).join('; ')}`,
      );
  }
  if (differences.length > 0)
    throw new TransferError(
      `this host's schema differs from the archive's (exported by Plinth ${manifest.plinth}): ${differences.join(' | ')}. Install the same plugins and versions and run "plinth migrate"; nothing was imported`,
    );
  const local = new Set((await tenantTables(client)).map((table) => table.name));
  const unknown = manifest.parts.filter((part) => part.kind === 'table' && !local.has(part.table ?? ''));
  if (unknown.length > 0) throw new TransferError(`this host has no tenant table ${unknown.map((part) => part.table).join(', ')}; nothing was imported`);
  const { rows } = await client.query<{ id: string; slug: string }>('select id, slug from tenants where id = $1 or slug = $2', [manifest.tenant.id, slug]);
  const sameId = rows.find((row) => row.id === manifest.tenant.id);
  if (sameId)
    throw new TransferError(
      `the tenant ${manifest.tenant.id} already exists on this host (slug "${sameId.slug}"): it was imported before, or this is its source host; nothing was imported`,
    );
  if (rows.length > 0) throw new TransferError(`the slug "${slug}" is taken on this host; import under another with --slug <new-slug>; nothing was imported`);
}

/** State of the import transaction. */
interface Applying {
  client: pg.Client;
  tenantId: string;
  /** Old account id → the id on this host, for accounts merged into an existing one (or given a new id). */
  remap: Map<string, string>;
  summary: ImportSummary;
  schedules: TransferSchedule[];
  /** This host's tenant tables' columns (read once). */
  columns?: Map<string, string[]>;
}

/** Writes the rows in one transaction and the objects beside it; on failure rolls back and deletes what it stored. */
async function applyArchive(client: pg.Client, options: ImportOptions, archive: VerifiedArchive, slug: string): Promise<ImportSummary> {
  const { manifest } = archive;
  const parts = new Map(manifest.parts.map((part) => [part.name, part]));
  const state: Applying = {
    client,
    tenantId: manifest.tenant.id,
    remap: new Map(),
    schedules: [],
    summary: {
      tenant: { ...manifest.tenant, slug, status: 'active' },
      tables: 0,
      rows: 0,
      accounts: { created: 0, merged: 0 },
      objects: { count: 0, bytes: 0 },
      schedules: 0,
      warnings: [],
    },
  };
  const stored: string[] = [];
  await client.query('begin');
  try {
    await client.query("select set_config('role', 'plinth_system', true), set_config('app.tenant_id', '', true)");
    await client.query('create temp table plinth_transfer_rows (line jsonb not null) on commit drop');
    await client.query('create temp table plinth_transfer_users (old_id uuid primary key, new_id uuid not null, merged boolean not null) on commit drop');
    let applied = 0;
    for await (const entry of readArchive(options.file)) {
      if (entry.name === manifestName || entry.name === objectsIndexName) continue;
      const part = parts.get(entry.name);
      if (part) {
        await applyPart(state, part, entry, slug);
        applied++;
      } else await storeObject(state, options.storage, entry, archive.objects.get(entry.name), stored);
    }
    if (applied !== manifest.parts.length - 1) throw new TransferError('the archive changed while it was imported; nothing was imported');
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    await Promise.allSettled(stored.map((key) => options.storage.delete(key)));
    throw error;
  }
  const timeZone = (await client.query<{ time_zone: string }>('select time_zone from tenants where id = $1', [state.tenantId])).rows[0]?.time_zone ?? 'UTC';
  if (state.schedules.length > 0) await options.saveSchedules(state.schedules, timeZone);
  state.summary.schedules = state.schedules.length;
  return state.summary;
}

/** Applies one part (its lines checked against the manifest's SHA-256 as they are read). */
async function applyPart(state: Applying, part: TransferPart, entry: ReadEntry, slug: string): Promise<void> {
  const hash = createHash('sha256');
  const lines = linesOf(hashed(entry.body, hash));
  const verify = () => {
    if (hash.digest('hex') !== part.sha256) throw damaged(part.name);
  };
  if (part.kind === 'tenant') {
    const rows: string[] = [];
    for await (const line of lines) rows.push(line);
    verify();
    await insertTenant(state, rows, slug);
  } else if (part.kind === 'users') {
    await stage(state, lines, (line) => line);
    verify();
    await mergeAccounts(state);
  } else if (part.kind === 'table') {
    const count = await stage(state, lines, (line) => rewrite(state, line));
    verify();
    if (count !== part.rows) throw damaged(part.name);
    await insertTable(state, part.table!, count);
  } else if (part.kind === 'schedules') {
    for await (const line of lines) state.schedules.push(parseJson<TransferSchedule>(rewrite(state, line), part.name));
    verify();
  }
}

/** Rewrites the ids of merged accounts wherever they appear in a row: a UUID names one thing, so any match is that account. */
function rewrite(state: Applying, line: string): string {
  return state.remap.size === 0 ? line : line.replace(uuidPattern, (id) => state.remap.get(id) ?? id);
}

async function insertTenant(state: Applying, rows: string[], slug: string): Promise<void> {
  if (rows.length !== 1) throw new TransferError('the archive holds no tenant row');
  const tenant = { ...parseJson<Record<string, unknown>>(rows[0]!, 'tenant.json'), id: state.tenantId, slug };
  const columns = (await tableColumns(state.client, 'tenants')).map(ident);
  const { rows: inserted } = await state.client.query<{ status: string }>(
    `insert into tenants (${columns.join(', ')}) select ${columns.map((column) => `r.${column}`).join(', ')} from jsonb_populate_record(null::tenants, $1::jsonb) r
     on conflict do nothing returning status`,
    [JSON.stringify(tenant)],
  );
  if (!inserted[0]) throw new TransferError(`the tenant's id or the slug "${slug}" was taken on this host meanwhile; nothing was imported`);
  state.summary.tenant.status = inserted[0].status;
}

/** Loads JSON lines into the staging table (1,000 at a time); returns how many. */
async function stage(state: Applying, lines: AsyncIterable<string>, transform: (line: string) => string): Promise<number> {
  await state.client.query('truncate plinth_transfer_rows');
  let batch: string[] = [];
  let size = 0;
  let count = 0;
  const flush = async () => {
    await state.client.query('insert into plinth_transfer_rows (line) select value from jsonb_array_elements($1::jsonb)', [`[${batch.join(',')}]`]);
    batch = [];
    size = 0;
  };
  for await (const line of lines) {
    if (line === '') continue;
    batch.push(transform(line));
    count++;
    size += line.length;
    if (batch.length >= 1000 || size >= 4 * 1024 * 1024) await flush();
  }
  if (batch.length > 0) await flush();
  return count;
}

/**
 * The staged accounts: an email already on this host is that account (merged); an id already taken by another email
 * gets a new id; the rest are created with their ids (and password hashes: members sign in with their passwords).
 */
async function mergeAccounts(state: Applying): Promise<void> {
  const { client } = state;
  await client.query(`insert into plinth_transfer_users (old_id, new_id, merged)
    select (s.line->>'id')::uuid, u.id, true from plinth_transfer_rows s join users u on lower(u.email) = lower(s.line->>'email')`);
  await client.query(`insert into plinth_transfer_users (old_id, new_id, merged)
    select u.id, gen_random_uuid(), false from plinth_transfer_rows s join users u on u.id = (s.line->>'id')::uuid
    where not exists (select 1 from plinth_transfer_users m where m.old_id = u.id)`);
  const columns = (await tableColumns(client, 'users')).filter((column) => column !== 'is_super_admin').map(ident);
  const created = await client.query(
    `insert into users (${columns.join(', ')})
     select ${columns.map((column) => `r.${column}`).join(', ')} from plinth_transfer_rows s
       left join plinth_transfer_users m on m.old_id = (s.line->>'id')::uuid
       cross join lateral jsonb_populate_record(null::users, s.line || case when m.new_id is null then '{}'::jsonb else jsonb_build_object('id', m.new_id) end) r
     where m.merged is not true`,
  );
  const { rows } = await client.query<{ old_id: string; new_id: string; merged: boolean }>('select old_id, new_id, merged from plinth_transfer_users');
  for (const row of rows) if (row.old_id !== row.new_id) state.remap.set(row.old_id, row.new_id);
  state.summary.accounts = { created: created.rowCount ?? 0, merged: rows.filter((row) => row.merged).length };
}

/**
 * Inserts a table's staged rows in one statement (so a row may name a parent row of its own table staged after it),
 * as the tenant's whatever the archive says. Rows triggers of an earlier table wrote for the tenant are replaced.
 */
async function insertTable(state: Applying, table: string, count: number): Promise<void> {
  const { client, tenantId } = state;
  state.columns ??= new Map((await tenantTables(client)).map((candidate) => [candidate.name, candidate.columns]));
  const columns = state.columns.get(table)!.map(ident);
  const warning = await adaptBillingRows(client, table, tenantId);
  if (warning) state.summary.warnings.push(warning);
  try {
    await client.query(`delete from public.${ident(table)} where tenant_id = $1`, [tenantId]);
    const inserted = await client.query(
      `insert into public.${ident(table)} (${columns.join(', ')})
       select ${columns.map((column) => `r.${column}`).join(', ')} from plinth_transfer_rows s
         cross join lateral jsonb_populate_record(null::public.${ident(table)}, s.line || jsonb_build_object('tenant_id', $1::text)) r`,
      [tenantId],
    );
    if (inserted.rowCount !== count) throw new TransferError(`${table}: ${inserted.rowCount} of ${count} rows were written; nothing was imported`);
  } catch (error) {
    throw describeWriteError(error, table);
  }
  if (count > 0) state.summary.tables++;
  state.summary.rows += count;
}

/** A unique or foreign key violation said in the operator's terms. */
function describeWriteError(error: unknown, table: string): unknown {
  const failure = error as { code?: string; constraint?: string; detail?: string };
  // PostgreSQL leaves out the key's value (the detail) on tables under Row Level Security.
  const which = `${failure.constraint ?? 'a key'}${failure.detail ? `: ${failure.detail}` : ''}`;
  if (failure.code === '23505')
    return new TransferError(
      `a row of ${table} conflicts with one already on this host (${which}): a value unique over the host is taken here; nothing was imported`,
    );
  if (failure.code === '23503') return new TransferError(`a row of ${table} names a row that is not there (${which}); nothing was imported`);
  return error;
}

/** Stores one object under the tenant's prefix, checking its SHA-256 as it streams. */
async function storeObject(state: Applying, storage: ObjectStorage, entry: ReadEntry, object: ArchivedObject | undefined, stored: string[]): Promise<void> {
  if (!object || object.entry !== `objects/${object.key}`) throw new TransferError(`the archive holds ${entry.name}, which its index does not list`);
  const key = `${tenantPrefix(state.tenantId)}${object.key}`;
  try {
    assertKey(key);
  } catch {
    throw new TransferError(`the archive holds an object with the key ${JSON.stringify(object.key)}, which is not a storage key`);
  }
  const hash = createHash('sha256');
  stored.push(key);
  await storage.put(key, Readable.from(hashed(entry.body, hash)), { contentType: await contentTypeOf(state, key) });
  if (hash.digest('hex') !== object.sha256) throw damaged(entry.name);
  state.summary.objects.count++;
  state.summary.objects.bytes += object.size;
}

/** The content type the `files` row gives an object (an original, or one of its variants `<key>.<variant>`). */
async function contentTypeOf(state: Applying, key: string): Promise<string> {
  const dot = key.indexOf('.', key.lastIndexOf('/'));
  const base = dot < 0 ? key : key.slice(0, dot);
  const { rows } = await state.client.query<{ content_type: string; variants: Record<string, { content_type?: string }> }>(
    'select content_type, variants from files where tenant_id = $1 and storage_key = $2',
    [state.tenantId, base],
  );
  const file = rows[0];
  const type = dot < 0 ? file?.content_type : file?.variants?.[key.slice(dot + 1)]?.content_type;
  return type ?? 'application/octet-stream';
}

function warningsFor(manifest: TransferManifest, encryptionKey: string, summary: ImportSummary, installed: Map<string, string>): string[] {
  const warnings: string[] = [];
  for (const [name, version] of Object.entries(manifest.plugins)) {
    const here = installed.get(name);
    if (here === undefined) warnings.push(`the plugin ${name} (${version} on the source) is not installed here: the tenant's use of it waits until it is`);
    else if (here !== version) warnings.push(`the plugin ${name} is ${here} here and was ${version} on the source (same migrations)`);
  }
  if (manifest.encryption_key_id !== encryptionKeyId(encryptionKey))
    warnings.push(
      "this host's PLINTH_ENCRYPTION_KEY is not the source's: secrets sealed there (two-factor secrets, payment, integration and SSO credentials) cannot be opened here; use the same key, or have them entered again",
    );
  if (summary.tenant.status !== 'active')
    warnings.push(`the tenant is ${summary.tenant.status}, as it was when exported: POST /api/v1/admin/tenants/${summary.tenant.id}/unsuspend reactivates it`);
  return warnings;
}
