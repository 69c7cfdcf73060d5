import type { Static, TObject } from '@sinclair/typebox';
import type { JobContext } from './context.js';
import type { PermissionRef } from './permissions.js';
import type { ResolvedDeps } from './services.js';

/**
 * Reports: a plugin declares a report (its parameters, the permission it needs, its columns and a stream of rows)
 * with the `report` builder; a member asks for it, the kernel runs it as a job with progress, writes CSV, XLSX or
 * PDF while the rows stream from the database, stores the file and notifies the requester, who downloads it
 * through a signed link until it expires. Members can schedule a report (cron in the tenant's time zone) for
 * other members by mail. See docs/reports.md.
 */

/** The file a report is written to. */
export type ReportFormat = 'csv' | 'xlsx' | 'pdf';

/** Every format, in the order forms offer them. */
export const reportFormats: readonly ReportFormat[] = ['csv', 'xlsx', 'pdf'];

/** One column of a report: a key of each row, its English heading, and how its values are written. */
export interface ReportColumn {
  /** The row property (`learner_email`). */
  key: string;
  /** The heading, in English; translated through the plugin's `translations` into the requester's language. */
  label: string;
  /**
   * `text` (default), `integer`, `number`, `money` (minor units, an integer: 1999 → 19.99 in the row's or the
   * tenant's currency), `percent` (0–100), `date`, `datetime` (in the tenant's time zone) or `boolean`.
   */
  type?: 'text' | 'integer' | 'number' | 'money' | 'percent' | 'date' | 'datetime' | 'boolean';
  /** For `money`: the row property holding the ISO 4217 currency (default: the tenant's currency). */
  currencyKey?: string;
}

/** What a report's `rows` and `count` receive. */
export interface ReportInput<P extends TObject, Deps, Settings> {
  /** The parameters, validated against the report's `params` (defaults applied). */
  params: Static<P>;
  /** The plugin's services, in one tenant transaction of the run (read only: the run rolls it back). */
  deps: ResolvedDeps<Deps>;
  ctx: JobContext<Settings>;
}

/**
 * A report a plugin offers.
 *
 * @example
 * ```ts
 * report({
 *   name: 'shop.sales-by-day', title: 'Sales by day', permission: shopPermissions['orders.view'],
 *   params: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
 *   columns: [{ key: 'day', label: 'Day', type: 'date' }, { key: 'orders', label: 'Orders', type: 'integer' }, { key: 'total', label: 'Total', type: 'money' }],
 *   rows: ({ params, deps }) => deps.db.stream('select … where created_at >= $1 and created_at < $2 group by 1 order by 1', [params.from, params.to]),
 * }),
 * ```
 */
export interface ReportDefinition<P extends TObject, Deps, Settings> {
  /** `<plugin>.<name>` (kebab-case name): the report's permanent id, as runs name it (`POST /api/v1/reports { report: 'shop.sales-by-day', … }`). */
  name: string;
  /** English, as the console and the file's heading show it; translated through the plugin's `translations`. */
  title: string;
  description?: string;
  /** Members holding it may ask for the report, see its runs and schedule it. */
  permission: PermissionRef;
  /** The parameters' JSON Schema (a TypeBox object): the console's form, validated before the run is queued (422 otherwise). */
  params: P;
  /**
   * Checks the parameters beyond what their schema can say (a range whose end is before its start): throws a
   * `ValidationError`, answered 422 before a run is queued or a schedule saved.
   */
  check?(params: Static<P>): void;
  /** The formats offered (default: all of {@link reportFormats}). */
  formats?: readonly ReportFormat[];
  columns: readonly ReportColumn[];
  /** How many rows `rows` will give, for the progress shown while it runs (without it, progress is rows so far). */
  count?(input: ReportInput<P, Deps, Settings>): Promise<number>;
  /** The rows, in order, as objects keyed by the columns' keys: stream them (`deps.db.stream`), never load them all. */
  rows(input: ReportInput<P, Deps, Settings>): AsyncIterable<Record<string, unknown>>;
}
