/**
 * Reports as the API serves them (`/api/v1/reports…`, `/api/v1/report-schedules…`), and the words for their
 * formats, statuses and schedules.
 */
import type { JsonSchema } from './fields/model';
import { pluginText } from './plugin-text';
import { reportsText as t } from './reports-messages';

export type ReportFormat = 'csv' | 'xlsx' | 'pdf';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';

/** A report the caller may run (`GET /reports/catalog`). */
export interface CatalogReport {
  name: string;
  plugin: string;
  title: string;
  description?: string | null;
  formats: ReportFormat[];
  params: JsonSchema;
  columns: { key: string; label: string; type?: string }[];
}

/** A run of a report (`GET /reports/:id`). */
export interface ReportRun {
  id: string;
  report: string;
  title: string;
  format: ReportFormat;
  params: Record<string, unknown>;
  status: RunStatus;
  rows_done: number;
  rows_total: number | null;
  /** 0–1 when the total is known, else null. */
  progress: number | null;
  error: string | null;
  file: { name: string; size: number } | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  expires_at: string | null;
}

/** A scheduled report (`/report-schedules`). */
export interface ReportSchedule {
  id: string;
  report: string;
  params: Record<string, unknown>;
  format: ReportFormat;
  cron: string;
  time_zone: string;
  recipients: string[];
  delivery: 'attachment' | 'link';
  enabled: boolean;
  next_run_at?: string | null;
  last_run_at?: string | null;
}

/** What a schedule form sends. */
export type ScheduleInput = Omit<ReportSchedule, 'id' | 'next_run_at' | 'last_run_at'>;

/** Whether a run is still being written (its page polls until it is not). */
export function inProgress(run: ReportRun): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** A format's name in the console's language. */
export function formatLabel(format: ReportFormat): string {
  return format === 'csv' ? t('formatCsv') : format === 'xlsx' ? t('formatXlsx') : t('formatPdf');
}

const statusKeys = {
  queued: 'statusQueued',
  running: 'statusRunning',
  done: 'statusDone',
  failed: 'statusFailed',
  expired: 'statusExpired',
} as const;

/** A run's status in the console's language. */
export function statusLabel(status: RunStatus): string {
  return t(statusKeys[status]);
}

/** A report's title in the console's language (its plugin's translation of the English). */
export function reportTitle(report: Pick<CatalogReport, 'plugin' | 'title'>): string {
  return pluginText(report.plugin, report.title);
}

/**
 * The console path of a report's form, `/reports/run/<plugin>/<name>`: an address whose last segment has a dot
 * (`shop.sales-by-day`) reads as a file to the kernel, which would not serve the console's page for it on a reload.
 */
export function reportFormPath(report: string): string {
  const [plugin = '', name = ''] = report.split('.');
  return `/reports/run/${encodeURIComponent(plugin)}/${encodeURIComponent(name)}`;
}

/** A run's report title in the console's language. */
export function runTitle(run: Pick<ReportRun, 'report' | 'title'>): string {
  return pluginText(run.report.split('.')[0], run.title);
}

/** The cron presets a schedule offers before "custom": daily at 8, Mondays at 8, the 1st of the month at 8. */
export const cronPresets = [
  { cron: '0 8 * * *', label: () => t('presetDaily') },
  { cron: '0 8 * * 1', label: () => t('presetWeekly') },
  { cron: '0 8 1 * *', label: () => t('presetMonthly') },
] as const;

/** A cron expression as a person reads it: a preset's words, else the expression itself. */
export function cronLabel(cron: string): string {
  return cronPresets.find((preset) => preset.cron === cron.trim())?.label() ?? cron;
}

/** The IANA time zones the browser knows, with `current` among them even if it does not. */
export function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return known.includes(current) ? known : [current, ...known];
}
