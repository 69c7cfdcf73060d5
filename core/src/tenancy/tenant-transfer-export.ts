import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { ObjectStorage } from '../files/storage.js';
import { version } from '../version.js';
import { hashed, linesOf, TransferError, writeArchive, type ArchiveEntry } from './tenant-transfer-archive.js';
import {
  appliedMigrations,
  archiveFormat,
  cursorLines,
  encryptionKeyId,
  ident,
  leftOutTables,
  manifestName,
  objectsIndexName,
  tenantPrefix,
  tenantTables,
  userColumns,
  type ArchivedObject,
  type TransferManifest,
  type TransferPart,
} from './tenant-transfer.js';

export interface ExportOptions {
  /** The database, as its owner (the role that runs migrations); rows are read as `plinth_system`. */
  databaseUrl: string;
  storage: ObjectStorage;
  encryptionKey: string;
  /** The tenant's slug or id. */
  tenant: string;
  /** The archive to write; it must not exist. */
  out: string;
}

export interface ExportSummary {
  manifest: TransferManifest;
  file: string;
  bytes: number;
}

/**
 * Writes one tenant to a .tar.gz archive: its row, the accounts its rows name, every row of every tenant table (but
 * {@link leftOutTables}), its recurring job schedules and every stored object under its prefix; then a manifest with
 * the host's migration state and each part's SHA-256. Rows are read in one repeatable-read transaction (a consistent
 * snapshot) through cursors and spooled one part at a time to a temporary file beside the archive, so memory stays
 * flat whatever the tenant's size. The archive appears under its name only once complete. Nothing is changed.
 */
export async function exportTenant(options: ExportOptions): Promise<ExportSummary> {
  const out = path.resolve(options.out);
  const exists = (file: string) =>
    stat(file).then(
      () => true,
      () => false,
    );
  if (await exists(out)) throw new TransferError(`${options.out} exists; name a new file (an export never overwrites)`);
  if (!(await exists(path.dirname(out)))) throw new TransferError(`the folder of ${options.out} does not exist`);
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'plinth-tenant-export' });
  await client.connect();
  const scratch = await mkdtemp(path.join(path.dirname(out), '.plinth-export-'));
  const partial = path.join(scratch, 'archive.tar.gz');
  try {
    await client.query('begin isolation level repeatable read read only');
    const manifest = await startManifest(client, options);
    const jobs = await schedules(client, manifest.tenant.id);
    // Every read below is the system role's, under Row Level Security like any other.
    await client.query("select set_config('role', 'plinth_system', true), set_config('app.tenant_id', '', true)");
    await writeArchive(partial, archiveEntries(client, options.storage, manifest, jobs, scratch));
    await client.query('commit');
    await rename(partial, out);
    return { manifest, file: out, bytes: (await stat(out)).size };
  } finally {
    await client.end().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The manifest's header: the tenant, the host's schema, and what is left out (parts and objects are added as written). */
async function startManifest(client: pg.Client, options: ExportOptions): Promise<TransferManifest> {
  const { rows } = await client.query<{ id: string; slug: string; name: string }>('select id, slug, name from tenants where slug = $1 or id::text = $1', [
    options.tenant,
  ]);
  const tenant = rows[0];
  if (!tenant) throw new TransferError(`no tenant has the slug or id "${options.tenant}"`);
  const { rows: plugins } = await client.query<{ name: string; version: string }>('select name, version from plinth_plugins order by name');
  return {
    format: archiveFormat,
    version: 1,
    plinth: version,
    created_at: new Date().toISOString(),
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    migrations: await appliedMigrations(client),
    plugins: Object.fromEntries(plugins.map((plugin) => [plugin.name, plugin.version])),
    encryption_key_id: encryptionKeyId(options.encryptionKey),
    parts: [],
    objects: { count: 0, bytes: 0 },
    left_out: { ...leftOutTables },
  };
}

/** The archive's entries in the order import needs them: the tenant, accounts, tables parents first, schedules, objects, manifest. */
async function* archiveEntries(
  client: pg.Client,
  storage: ObjectStorage,
  manifest: TransferManifest,
  jobs: readonly string[],
  scratch: string,
): AsyncGenerator<ArchiveEntry> {
  const tenantId = manifest.tenant.id;
  const spool = (name: string, kind: TransferPart['kind'], lines: AsyncIterable<string>, table?: string) =>
    spooledPart(scratch, manifest, { name, kind, ...(table ? { table } : {}) }, lines);

  yield* spool('tenant.json', 'tenant', cursorLines(client, 'select to_jsonb(t)::text as line from tenants t where t.id = $1', [tenantId]));
  yield* spool('users.jsonl', 'users', cursorLines(client, await usersQuery(client), [tenantId]));
  for (const table of await tenantTables(client)) {
    if (table.name in leftOutTables) continue;
    const query = `select to_jsonb(t)::text as line from public.${ident(table.name)} t where t.tenant_id = $1`;
    yield* spool(`tables/${table.name}.jsonl`, 'table', cursorLines(client, query, [tenantId]), table.name);
  }
  yield* spool('schedules.jsonl', 'schedules', Readable.from(jobs));

  const index = path.join(scratch, 'objects.index');
  const handle = await open(index, 'wx');
  try {
    const prefix = tenantPrefix(tenantId);
    for await (const object of storage.list(prefix)) {
      const body = await storage.get(object.key);
      if (!body) continue; // deleted since it was listed
      const hash = createHash('sha256');
      const relative = object.key.slice(prefix.length);
      const entry = `objects/${relative}`;
      yield { name: entry, size: object.size, body: hashed(body, hash) };
      const line: ArchivedObject = { entry, key: relative, size: object.size, sha256: hash.digest('hex') };
      await handle.write(`${JSON.stringify(line)}\n`);
      manifest.objects.count++;
      manifest.objects.bytes += object.size;
    }
  } finally {
    await handle.close();
  }
  yield* spool(objectsIndexName, 'objects', linesOf(createReadStream(index)));
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  yield { name: manifestName, size: body.length, body: Readable.from([body]) };
}

/**
 * The accounts the tenant needs: every user a single-column foreign key of a moving tenant table points at (members
 * and customers through `memberships`, and e.g. the inviter of a pending invitation). Host flags stay behind (an
 * operator of the source host is an ordinary account on the target), and an avatar of another tenant's is dropped.
 */
async function usersQuery(client: pg.Client): Promise<string> {
  const references = (await userColumns(client))
    .filter((column) => !(column.table in leftOutTables))
    .map((column) => `select ${ident(column.column)} from public.${ident(column.table)} where tenant_id = $1`);
  if (references.length === 0) references.push('select null::uuid');
  return `select ((to_jsonb(u) - 'is_super_admin')
      || case when u.avatar_tenant_id is distinct from $1 then '{"avatar_file_id": null, "avatar_tenant_id": null}'::jsonb else '{}'::jsonb end)::text as line
    from users u where u.id in (${references.join(' union ')}) order by u.id`;
}

/**
 * The tenant's recurring job schedules (name, interval, data) as `jobs.every` saved them, as JSON lines; none before
 * the job table exists. Read as the database owner, before the system role: the job table is agenda's, not a tenant table.
 */
async function schedules(client: pg.Client, tenantId: string): Promise<string[]> {
  const { rows: found } = await client.query<{ found: string | null }>("select to_regclass('public.plinth_jobs')::text as found");
  if (!found[0]?.found) return [];
  const { rows } = await client.query<{ line: string }>(
    `select jsonb_build_object('name', name, 'interval', repeat_interval, 'data', data)::text as line from plinth_jobs
     where repeat_interval is not null and data @> jsonb_build_object('tenantId', $1::text, 'schedule', true) order by name`,
    [tenantId],
  );
  return rows.map((row) => row.line);
}

/** Writes `lines` to a temporary file (hashing and counting), yields it as an archive entry, then deletes it. */
async function* spooledPart(
  scratch: string,
  manifest: TransferManifest,
  part: Pick<TransferPart, 'name' | 'kind' | 'table'>,
  lines: AsyncIterable<string>,
): AsyncGenerator<ArchiveEntry> {
  const file = path.join(scratch, `part-${manifest.parts.length}`);
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    let batch: string[] = [];
    let size = 0;
    const flush = () => {
      const chunk = Buffer.from(`${batch.join('\n')}\n`);
      hash.update(chunk);
      bytes += chunk.length;
      batch = [];
      size = 0;
      return chunk;
    };
    for await (const line of lines) {
      rows++;
      batch.push(line);
      size += line.length;
      if (size >= 64 * 1024) yield flush();
    }
    if (batch.length > 0) yield flush();
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file, { flags: 'wx' }));
  manifest.parts.push({ ...part, rows, bytes, sha256: hash.digest('hex') });
  yield { name: part.name, size: bytes, body: createReadStream(file) };
  await rm(file, { force: true });
}
