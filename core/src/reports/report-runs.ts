import { Type } from '@sinclair/typebox';
import type { ReportFormat } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import type { RegisteredReport } from './report-registry.js';

/** The owner of report files in the files table: no plugin can be named so (plugin names have no dot). */
export const reportFileOwner = 'core.reports';

/** A run's row in `report_runs`, with its file's name and size when it has one. */
export interface ReportRunRow {
  id: string;
  tenant_id: string;
  report: string;
  plugin: string;
  params: Record<string, unknown>;
  format: ReportFormat;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  rows_done: number;
  rows_total: number | null;
  error: string | null;
  file_id: string | null;
  requested_by: string | null;
  schedule_id: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date | null;
  file_name: string | null;
  file_size: number | null;
}

export const runColumns = `r.id, r.tenant_id, r.report, r.plugin, r.params, r.format, r.status, r.rows_done::float8 as rows_done,
  r.rows_total::float8 as rows_total, r.error, r.file_id, r.requested_by, r.schedule_id, r.created_at, r.started_at, r.finished_at,
  r.expires_at, f.name as file_name, f.size::float8 as file_size`;
export const runFrom = 'report_runs r left join files f on f.id = r.file_id';

export const ReportRunView = Exact({
  id: Uuid,
  report: Type.String({ description: '`<plugin>.<name>`' }),
  title: Type.String({ description: "The report's title in the caller's language" }),
  format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('pdf')]),
  params: Type.Record(Type.String(), Type.Unknown()),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('expired')]),
  rows_done: Type.Integer({ minimum: 0 }),
  rows_total: Nullable(Type.Integer({ minimum: 0 })),
  progress: Nullable(Type.Number({ minimum: 0, maximum: 1, description: 'rows_done / rows_total; null while the total is unknown' })),
  error: Nullable(Type.String()),
  file: Nullable(Exact({ name: Type.String(), size: Type.Integer({ minimum: 0 }) })),
  created_at: Timestamp,
  started_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
});

/** A run as the API shows it, its title translated into `language`. */
export function presentRun(row: ReportRunRow, registered: RegisteredReport | undefined, language: string) {
  const total = row.rows_total;
  const progress = row.status === 'done' ? 1 : total ? Math.min(1, row.rows_done / total) : total === 0 ? 1 : null;
  return {
    id: row.id,
    report: row.report,
    title: registered ? translate(registered, registered.definition.title, language) : row.report,
    format: row.format,
    params: row.params,
    status: row.status,
    rows_done: row.rows_done,
    rows_total: total,
    progress,
    error: row.error,
    file: row.status === 'done' && row.file_name !== null ? { name: row.file_name, size: row.file_size ?? 0 } : null,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
    expires_at: row.expires_at?.toISOString() ?? null,
  };
}

/** A report's English text (title, column label) in `language`, through its plugin's `translations` (`ar-EG`, then `ar`). */
export function translate(registered: RegisteredReport, english: string, language: string): string {
  const translations = registered.plugin.translations ?? {};
  const base = language.split('-')[0]!;
  return translations[language]?.[english] ?? translations[base]?.[english] ?? english;
}

/** One run of the tenant of `db`, or undefined. */
export function findRun(db: ScopedDb, id: string): Promise<ReportRunRow | undefined> {
  return db.one<ReportRunRow>(`select ${runColumns} from ${runFrom} where r.id = $1`, [id]);
}
