import type { ReportFormat } from '@plinth/sdk';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runInTenant, unitScopeOf, type ScopedDb } from '../db/scoped-db.js';
import type { FileRecord } from '../files/file-service.js';
import type { JobRun } from '../jobs/jobs.js';
import type { KernelServices } from '../kernel.js';
import { jobContext } from '../plugins/plugin-work.js';
import { resolveDeps, type UnitOfWork } from '../plugins/plugin-scope.js';
import { tenantInfo, type Tenant } from '../tenancy/tenant-directory.js';
import type { RunJobData } from './report-run.js';
import type { RegisteredReport } from './report-registry.js';
import { reportFileOwner, translate } from './report-runs.js';
import { formatFiles, OutputClosed, writerFor, type WriterColumn } from './writers/index.js';

/** Progress is written at least this often, and every {@link progressRows} rows. */
const progressMs = 1000;
const progressRows = 10_000;
/**
 * Rows a report's cursor fetches at a time, whatever the plugin asks (`deps.db.stream`'s `batchSize`, capped). A small
 * batch is written out before the next young-generation collection, so its rows are never promoted to the old
 * generation, which would grow the process by the report's size until a full collection: measured on a 500,000-row
 * CSV, 5,000-row batches grew the resident memory by ~70 MB, 200-row batches by 10–30 MB, at ~90% of the throughput.
 */
const reportBatchRows = 200;
/**
 * Rows between two full garbage collections during a run. Each row leaves a few kilobytes of short-lived objects
 * (the driver's parsing, the async iterators, the cells); the few in flight at each young-generation collection are
 * promoted, and V8 lets that promoted garbage grow the old generation to a multiple of the live heap before a full
 * collection: a million-row CSV grew `plinth start` by 186 MB with nothing live (bench/report-rows.js). A full
 * collection every this many rows (~15 ms on a server's heap) held it to 37 MB over idle, for ~15% of the throughput
 * (80,000 → 67,000 rows/s); every 50,000 rows gave 45 MB, every 20,000 32 MB at −22%.
 */
const collectEveryRows = 30_000;
let fullCollection: (() => void) | undefined;
/** V8's full collection, as `--expose-gc` would give it, obtained once without starting the process with the flag. */
function collectGarbage(): void {
  if (!fullCollection) {
    setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}
/** A logo larger than this is left out of PDFs. */
const maxLogoBytes = 2 * 1024 * 1024;

/** Carries the stored file out of the rows' transaction, which is rolled back (the report only reads). */
class Rollback {
  constructor(readonly file: FileRecord) {}
}

/** A run as its job claimed it: what to write, for whom. */
export interface ClaimedRun {
  report: string;
  plugin: string;
  params: Record<string, unknown>;
  format: ReportFormat;
  requested_by: string | null;
  schedule_id: string | null;
  /** The units the requester reached when asking (null: the whole tenant); a scheduled run's are worked out when it runs. */
  unit_ids: string[] | null;
}

/** The language of a person's file: their own, else the tenant's. */
export async function languageOf(db: ScopedDb, userId: string | null, tenant: Pick<Tenant, 'locale'>): Promise<string> {
  const row = userId ? await db.one<{ locale: string | null }>('select locale from tenant_users where user_id = $1', [userId]) : undefined;
  return row?.locale || tenant.locale || 'en';
}

async function logoOf(services: KernelServices, tenant: Tenant): Promise<Buffer | undefined> {
  if (!tenant.logo_file_id) return undefined;
  const file = await services.files.get({ tenantId: tenant.id, ownerPlugin: '*' }, tenant.logo_file_id);
  if (!file || !['image/png', 'image/jpeg'].includes(file.content_type) || Number(file.size) > maxLogoBytes) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of await services.files.open(file)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A file name: the report's title in the language of the file, safe characters, and the day. */
function fileName(title: string, format: ReportFormat, day: string): string {
  const base =
    [...title]
      .map((character) => (character < ' ' || '\\/:*?"<>|'.includes(character) ? ' ' : character))
      .join('')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 80) || 'report';
  return `${base} ${day}.${formatFiles[format].extension}`;
}

/**
 * Streams the report's rows into the format's writer into the files service, with the plugin's deps in a transaction
 * of the run (limited to `units`) that is rolled back; progress is written on the side. Returns the stored file.
 */
export async function writeReport(
  services: KernelServices,
  run: JobRun<RunJobData>,
  tenant: Tenant,
  registered: RegisteredReport,
  claimed: ClaimedRun,
  units: string[] | null,
): Promise<FileRecord> {
  const { database } = services;
  const { tenantId, runId } = run.data;
  // Row Level Security limits the rows to the units, as for a request of the requester's.
  const scope = units === null ? undefined : unitScopeOf(units);
  if (scope) await services.orgUnits.ensure(tenantId, scope);
  const { plugin, definition } = registered;
  const host = services.plugins.workHost();
  const state = await host.tenantPlugins.state(tenantId);
  const info = tenantInfo(tenant);
  const language = await runInTenant(database, tenantId, (db) => languageOf(db, claimed.requested_by, tenant));
  const logo = claimed.format === 'pdf' ? await logoOf(services, tenant) : undefined;
  const title = translate(registered, definition.title, language);
  const columns: WriterColumn[] = definition.columns.map((column) => ({
    key: column.key,
    label: translate(registered, column.label, language),
    type: column.type ?? 'text',
    ...(column.currencyKey ? { currencyKey: column.currencyKey } : {}),
  }));
  const progress = (values: { done: number } | { total: number }) =>
    runInTenant(database, tenantId, (db) =>
      'done' in values
        ? db.query('update report_runs set rows_done = $2, updated_at = now() where id = $1', [runId, values.done])
        : db.query('update report_runs set rows_total = $2, updated_at = now() where id = $1', [runId, values.total]),
    );
  const writer = await writerFor(claimed.format);
  const now = services.clock.now();

  try {
    await runInTenant(
      database,
      tenantId,
      async (db) => {
        // The report only reads: its transaction is rolled back however the run ends (see Rollback).
        const unit: UnitOfWork = { tenant: info, db: reportDb(db), state, built: new Map(), ...(scope ? { unitScope: scope } : {}) };
        const input = {
          params: claimed.params as never,
          deps: resolveDeps(plugin, unit, host),
          ctx: jobContext(database, plugin, info, state.settings[plugin.name], run),
        };
        if (definition.count) await progress({ total: await definition.count(input) });
        let done = 0;
        let recorded = 0;
        let recording: Promise<unknown> = Promise.resolve();
        const record = () => {
          if (done === recorded) return recording;
          recorded = done;
          recording = recording
            .then(() => Promise.all([progress({ done: recorded }), run.touch()]))
            .catch((error: unknown) => services.logger.warn({ err: error, runId }, 'report progress not recorded'));
          return recording;
        };
        // Every second, also while rows() waits on something slow; and every {@link progressRows} rows.
        const ticker = setInterval(() => void record(), progressMs);
        const rows = async function* () {
          for await (const row of definition.rows(input)) {
            done += 1;
            if (done % progressRows === 0) await record();
            if (done % collectEveryRows === 0) collectGarbage();
            yield row;
          }
          await record();
        };
        const out = new PassThrough();
        // The writer's failure is kept in `failure` and rethrown below; as an 'error' event nobody listens to, it would crash the process.
        out.on('error', () => undefined);
        let failure: unknown;
        const writing = writer(
          {
            title,
            columns,
            rows: rows(),
            locale: language,
            timeZone: tenant.time_zone,
            currency: tenant.currency,
            tenantName: tenant.name,
            logo,
            generatedAt: now,
          },
          out,
        ).catch((error: unknown) => {
          failure = error;
          out.destroy(error instanceof Error ? error : new Error(String(error)));
        });
        let file: FileRecord;
        try {
          file = await services.files.store(
            { tenantId, ownerPlugin: reportFileOwner },
            {
              body: out,
              name: fileName(title, claimed.format, now.toISOString().slice(0, 10)),
              declaredType: formatFiles[claimed.format].contentType,
              ownerId: runId,
              createdBy: claimed.requested_by,
              // Bounded by the tenant's storage quota rather than the upload limit.
              maxBytes: Number.MAX_SAFE_INTEGER,
            },
          );
        } catch (error) {
          out.destroy();
          await writing;
          throw failure !== undefined && !(failure instanceof OutputClosed) ? failure : error;
        } finally {
          clearInterval(ticker);
        }
        await writing;
        await recording;
        if (failure !== undefined) {
          await services.files.delete({ tenantId, ownerPlugin: reportFileOwner }, file.id);
          throw failure;
        }
        throw new Rollback(file);
      },
      scope,
    );
  } catch (outcome) {
    if (outcome instanceof Rollback) return outcome.file;
    throw outcome;
  }
  throw new Error('unreachable: the rows transaction always ends in a rollback');
}

/** The run's transaction as the report's `deps.db` reads it: cursors fetch {@link reportBatchRows} rows at a time at most. */
function reportDb(db: ScopedDb): ScopedDb {
  return {
    query: (text, values) => db.query(text, values),
    one: (text, values) => db.one(text, values),
    prepared: (name, text, values) => db.prepared(name, text, values),
    stream: (text, values, options) => db.stream(text, values, { batchSize: Math.min(options?.batchSize ?? reportBatchRows, reportBatchRows) }),
    table: (name) => db.table(name),
    afterCommit: (fn) => db.afterCommit(fn),
    lock: (key) => db.lock(key),
  };
}
