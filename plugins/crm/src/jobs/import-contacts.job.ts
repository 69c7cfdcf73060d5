import type { JobDefinition, JobName, PluginFiles } from '@plinth/sdk';
import type { Builders, CrmDeps } from '../deps.js';
import { membersByEmail } from '../services/members.js';
import { applyRows, type OnDuplicate } from '../services/import-apply.js';
import { admitNewRows, beyondLimitError } from '../services/import-limit.js';
import { keptErrors } from '../services/import-job-state.js';
import { dropStalePreviews, readCsv } from '../services/import-file.js';
import { parseChunk, parseChunkText, type ImportRow, type RowOptions } from '../services/import-rows.js';

/**
 * Data rows applied per run: each run commits its rows with the cursor, so the import's progress shows between
 * runs and a worker killed mid-import loses at most one chunk's work (redone by the next run).
 */
export const importChunkRows = 5_000;
/** The chunk size of imports uploaded before it was {@link importChunkRows}: their stored chunk lines use it. */
const earlierChunkRows = 25_000;

interface ImportState {
  /** The stored CSV (imports queued since migration 008). */
  file_id: string | null;
  /** The CSV itself, for imports queued before: read as before, cleared when they complete. */
  csv: string | null;
  mapping: Record<string, string>;
  on_duplicate: OnDuplicate;
  /** The team the imported contacts join (null: the whole tenant's). */
  unit_id: string | null;
  /** Who queued it (the entry the job records has no actor of its own). */
  created_by: string | null;
  total_rows: number;
  processed_rows: number;
  invalid_lines: number[];
  chunk_lines: number[];
  /** Byte offset in the stored file where each chunk of `chunk_lines` starts. */
  chunk_offsets: number[];
}

/**
 * The valid rows of chunk `chunk`: from the stored file, reading only its header and that chunk's bytes; from the
 * CSV kept in the row by imports queued before migration 008, as they were.
 */
async function rowsOfChunk(
  files: PluginFiles,
  state: ImportState,
  chunk: number,
  firstIndex: number,
  options: RowOptions & { mapping: Record<string, string> | undefined; invalidLines: ReadonlySet<number> },
): Promise<ImportRow[]> {
  const fromLine = state.chunk_lines[chunk];
  if (fromLine === undefined) return [];
  if (state.file_id === null) return parseChunk(state.csv!, { fromLine, toLine: state.chunk_lines[chunk + 1], firstIndex }, options);
  const start = state.chunk_offsets[chunk]!;
  const next = state.chunk_offsets[chunk + 1];
  const end = next ?? (await files.get(state.file_id))?.size;
  if (end === undefined) throw new Error(`the file of import chunk ${chunk} is gone`);
  const header = await readCsv(files, state.file_id, { start: 0, end: state.chunk_offsets[0]! - 1 });
  const text = await readCsv(files, state.file_id, { start, end: end - 1 });
  return parseChunkText({ header, chunk: text }, { fromLine, firstIndex }, options);
}

/** Tells the member who started an import that it finished, with its counts and a link to its page. */
async function notifyImporter(
  deps: Pick<CrmDeps, 'notify'>,
  userId: string,
  importId: string,
  totals: { created: number; updated: number; skipped: number; failed: number },
): Promise<void> {
  await deps.notify.send({
    to: { userId },
    template: 'crm.import-finished',
    data: { imported: totals.created + totals.updated, skipped: totals.skipped, failed: totals.failed },
    link: `/imports/${importId}`,
    key: `import-finished:${importId}`,
  });
}

/**
 * `crm.import.run`: applies one chunk of an import's rows (reading and parsing only that part of the file again),
 * records the progress, and queues the next chunk; the last one completes the import, deletes the stored file
 * (with any dry run's file left a day without its import) and emits `crm.import.completed`. The rows, the cursor
 * (`processed_rows`) and the next chunk's job commit together, so a run that fails or is killed rolls back and is
 * retried, and a second run of a chunk already applied does nothing: each row is applied once, and an import
 * resumes after a crash. The member who started the import is notified when it completes (once: the key is the import).
 * New rows the plan's contact limit no longer admits are failed rows with their line (services/import-limit.ts).
 */
export function importContactsJob({ job }: Builders): JobDefinition<JobName, unknown, unknown> {
  return job({
    name: 'crm.import.run',
    concurrency: 2,
    async run({ payload, deps, ctx }) {
      const state = await deps.db.one<ImportState>(
        `select file_id, csv, mapping, on_duplicate, unit_id, created_by, total_rows, processed_rows, invalid_lines, chunk_lines, chunk_offsets from crm_imports
          where id = $1 and status <> 'completed' for update`,
        [payload.importId],
      );
      if (!state || (state.file_id === null && state.csv === null)) return;
      const chunkRows = state.chunk_lines.length === Math.ceil(state.total_rows / importChunkRows) ? importChunkRows : earlierChunkRows;
      const firstIndex = payload.chunk * chunkRows;
      // This chunk is applied already: a second run (after a crash). The next chunk was queued with it.
      if (state.processed_rows > firstIndex) return;
      const end = Math.min(firstIndex + chunkRows, state.total_rows);
      const rows = await rowsOfChunk(deps.files, state, payload.chunk, firstIndex, {
        mapping: Object.keys(state.mapping).length ? state.mapping : undefined,
        definitions: ctx.settings.customFields,
        membersByEmail: await membersByEmail(deps.members),
        invalidLines: new Set(state.invalid_lines),
      });
      // The job runs for the whole tenant: an import into a unit updates only the contacts of that unit and below.
      const unit = state.unit_id ? { id: state.unit_id, reach: await deps.units.subtree(state.unit_id) } : undefined;
      const counts = await applyRows(deps.db, rows, {
        onDuplicate: state.on_duplicate,
        defaultSource: ctx.settings.defaultSource,
        unit,
        admit: (count) => admitNewRows(deps.limits, count),
        refusal: beyondLimitError,
      });
      const done = end >= state.total_rows;
      // Rows the plan's limit kept out are failed rows, reported by line with the others (up to `keptErrors`).
      const [totals] = await deps.db.query<{ created: number; updated: number; skipped: number; failed: number }>(
        `update crm_imports set processed_rows = $2, created_count = created_count + $3, updated_count = updated_count + $4,
                skipped_count = skipped_count + $5, status = $6, csv = case when $7 then null else csv end,
                file_id = case when $7 then null else file_id end,
                finished_at = case when $7 then now() end, updated_at = now(),
                failed_count = failed_count + $8,
                errors = case when $8 = 0 then errors else
                  (select coalesce(jsonb_agg(e.value order by e.n), '[]'::jsonb)
                     from jsonb_array_elements(errors || $9::jsonb) with ordinality as e(value, n) where e.n <= $10) end
          where id = $1 returning created_count as created, updated_count as updated, skipped_count as skipped, failed_count as failed`,
        [
          payload.importId,
          end,
          counts.created,
          counts.updated,
          counts.skipped,
          done ? 'completed' : 'running',
          done,
          counts.refused.length,
          JSON.stringify(counts.refused.slice(0, keptErrors)),
          keptErrors,
        ],
      );
      // Deleted with this run's commit: the objects go once it commits, and a rolled-back run keeps the file it needs.
      if (done && state.file_id) {
        await deps.files.delete(state.file_id);
        await dropStalePreviews(deps.files, deps.clock.now());
      }
      await ctx.touch(state.total_rows ? Math.floor((100 * end) / state.total_rows) : 100);
      if (done) {
        // One entry for the whole import, not one per contact.
        await deps.audit.record({
          entity: 'import',
          verb: 'completed',
          target: payload.importId,
          unit: state.unit_id,
          data: { rows: state.total_rows, ...totals!, created_by: state.created_by },
        });
        await deps.events.emit('crm.import.completed', { importId: payload.importId, ...totals! });
        if (state.created_by) await notifyImporter(deps, state.created_by, payload.importId, totals!);
      } else await deps.jobs.enqueue('crm.import.run', { importId: payload.importId, chunk: payload.chunk + 1 });
    },
  });
}
