import { commonErrors, NotFoundError, PageQuery, pageWindow, paginate, reportFormats } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { errorLanguage } from '../http/error-language.js';
import { Exact, Nullable, Timestamp, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { checkedInput, managesReports, reachFor, requesterOf, runnableReport } from './report-access.js';
import { reportErrors } from './report-errors.js';
import { reportsOf } from './report-registry.js';
import { findRun, presentRun, reportFileOwner, ReportRunView, runColumns, runFrom, translate, type ReportRunRow } from './report-runs.js';
import { queueRun } from './report-schedules.js';

const Format = Type.Union(reportFormats.map((format) => Type.Literal(format)));
const ColumnType = Type.Union((['text', 'integer', 'number', 'money', 'percent', 'date', 'datetime', 'boolean'] as const).map((type) => Type.Literal(type)));
const CatalogEntry = Exact({
  name: Type.String({ description: '`<plugin>.<name>`' }),
  plugin: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  formats: Type.Array(Format),
  params: Type.Record(Type.String(), Type.Unknown(), { description: "The parameters' JSON Schema (an object schema): the form to fill in" }),
  columns: Type.Array(Exact({ key: Type.String(), label: Type.String(), type: ColumnType })),
});
const RunParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const NewRun = Type.Object(
  {
    report: Type.String({ minLength: 3, maxLength: 200, description: '`<plugin>.<name>`, from the catalog' }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "Checked against the report's `params` schema" })),
    format: Format,
  },
  { additionalProperties: false },
);
const RunQuery = Type.Composite(
  [PageQuery, Type.Object({ status: Type.Optional(Type.Union(['queued', 'running', 'done', 'failed', 'expired'].map((status) => Type.Literal(status)))) })],
  { additionalProperties: false },
);

/** A run the caller may see: their own, or any with `core.reports.manage`; else 404, as for another tenant's. */
async function visibleRun(db: ScopedDb, id: string, requester: string | null, permissions: readonly string[]): Promise<ReportRunRow> {
  const row = await findRun(db, id);
  if (!row || (!managesReports(permissions) && (requester === null || row.requested_by !== requester))) throw new NotFoundError('Report run not found');
  return row;
}

/** A done run past its expiry reads as expired before the hourly sweep has deleted its file. */
function current(row: ReportRunRow, now: Date): ReportRunRow {
  return row.status === 'done' && row.expires_at && row.expires_at <= now ? { ...row, status: 'expired', file_id: null, file_name: null } : row;
}

export const reportCatalog = defineRoute({
  method: 'GET',
  path: '/reports/catalog',
  summary: "The reports the caller may run: those of the tenant's enabled plugins whose permission the caller holds",
  tag: 'reports',
  member: true,
  deps: { plugins: kernelRefs.plugins },
  schema: { response: Type.Array(CatalogEntry) },
  errors: [],
  async handler({ deps, tenant, permissions, access, unitTree, ctx }) {
    const language = errorLanguage(ctx);
    const state = await deps.plugins.tenantPlugins.state(tenant.id);
    const holder = { permissions, access, unitTree };
    const entries = [...reportsOf(deps.plugins.plugins).values()]
      .filter((registered) => registered.plugin.name in state.settings && reachFor(holder, registered.definition.permission.name) !== undefined)
      .map((registered) => {
        const { definition } = registered;
        return {
          name: definition.name,
          plugin: registered.plugin.name,
          title: translate(registered, definition.title, language),
          description: definition.description ? translate(registered, definition.description, language) : null,
          formats: [...registered.formats],
          params: JSON.parse(JSON.stringify(definition.params)) as Record<string, unknown>,
          columns: definition.columns.map((column) => ({ key: column.key, label: translate(registered, column.label, language), type: column.type ?? 'text' })),
        };
      });
    return entries;
  },
});

export const createRun = defineRoute({
  method: 'POST',
  path: '/reports',
  summary: 'Run a report: the parameters are checked, the run is queued and its file written in the background (202)',
  tag: 'reports',
  member: true,
  rateLimit: { per: 'principal', max: 60, windowSeconds: 3600 },
  deps: { plugins: kernelRefs.plugins, jobs: kernelRefs.jobs, database: kernelRefs.database, logger: kernelRefs.logger },
  schema: { body: NewRun, response: withStatus(ReportRunView, 202) },
  errors: [coreErrors.plugin_not_enabled, commonErrors.not_found, commonErrors.forbidden],
  async handler({ body, deps, tenant, principal, permissions, access, unitTree, db, ctx, audit }) {
    // A member holding the report's permission in units only runs it on those units' rows, as its plugin's routes would.
    const { registered, units } = await runnableReport(deps, tenant.id, body.report, { permissions, access, unitTree });
    const params = checkedInput(registered, body.params, body.format);
    const [created] = await db.query<{ id: string }>(
      'insert into report_runs (report, plugin, params, format, requested_by, unit_ids) values ($1, $2, $3, $4, $5, $6) returning id',
      [registered.definition.name, registered.plugin.name, JSON.stringify(params), body.format, requesterOf(principal), units],
    );
    await queueRun(deps, db, { tenantId: tenant.id, runId: created!.id });
    await audit({
      action: 'report.requested',
      targetType: 'report_run',
      targetId: created!.id,
      data: { report: registered.definition.name, format: body.format },
    });
    return Reply.accepted(presentRun((await findRun(db, created!.id))!, registered, errorLanguage(ctx)));
  },
});

export const listRuns = defineRoute({
  method: 'GET',
  path: '/reports',
  summary: "The caller's report runs, newest first (every member's with core.reports.manage)",
  tag: 'reports',
  member: true,
  deps: { plugins: kernelRefs.plugins, clock: kernelRefs.clock },
  schema: { query: RunQuery, response: Type.Array(ReportRunView) },
  errors: [],
  async handler({ query, deps, db, principal, permissions, ctx }) {
    const values: unknown[] = [];
    const where: string[] = [];
    if (!managesReports(permissions)) where.push(`r.requested_by = $${values.push(requesterOf(principal))}`);
    if (query.status) where.push(`r.status = $${values.push(query.status)}`);
    const filter = where.length ? `where ${where.join(' and ')}` : '';
    const { limit, offset } = pageWindow(query);
    const rows = await db.query<ReportRunRow>(
      `select ${runColumns} from ${runFrom} ${filter} order by r.created_at desc, r.id limit ${limit} offset ${offset}`,
      values,
    );
    const [count] = await db.query<{ total: number }>(`select count(*)::int as total from report_runs r ${filter}`, values);
    const registry = reportsOf(deps.plugins.plugins);
    const language = errorLanguage(ctx);
    const now = deps.clock.now();
    return Reply.list(
      rows.map((row) => presentRun(current(row, now), registry.get(row.report), language)),
      paginate(query, count?.total ?? 0),
    );
  },
});

export const getRun = defineRoute({
  method: 'GET',
  path: '/reports/:id',
  summary: 'A report run: its status and progress, and its file once done',
  tag: 'reports',
  member: true,
  deps: { plugins: kernelRefs.plugins, clock: kernelRefs.clock },
  schema: { params: RunParams, response: ReportRunView },
  errors: [],
  async handler({ params, deps, db, principal, permissions, ctx }) {
    const row = await visibleRun(db, params.id, requesterOf(principal), permissions);
    return presentRun(current(row, deps.clock.now()), reportsOf(deps.plugins.plugins).get(row.report), errorLanguage(ctx));
  },
});

export const downloadRun = defineRoute({
  method: 'GET',
  path: '/reports/:id/download',
  summary: "A signed URL of the run's file, valid until the run expires or for an hour, whichever is sooner",
  tag: 'reports',
  member: true,
  deps: { files: kernelRefs.files, clock: kernelRefs.clock },
  schema: { params: RunParams, response: Exact({ url: Type.String({ format: 'uri' }), expires_at: Timestamp }) },
  errors: [reportErrors.report_expired, reportErrors.report_not_ready],
  async handler({ params, deps, db, tenant, principal, permissions, audit }) {
    const now = deps.clock.now();
    const row = current(await visibleRun(db, params.id, requesterOf(principal), permissions), now);
    if (row.status === 'expired') throw reportErrors.report_expired('This report has expired and its file was deleted; run it again');
    const file =
      row.status === 'done' && row.file_id ? await deps.files.get({ tenantId: tenant.id, db, ownerPlugin: reportFileOwner }, row.file_id) : undefined;
    if (!file) throw reportErrors.report_not_ready(`This report is ${row.status}: it has no file to download`);
    const seconds = Math.max(1, Math.min(3600, Math.floor((row.expires_at!.getTime() - now.getTime()) / 1000)));
    const { url, expiresAt } = deps.files.signedUrl(file, { expiresInSeconds: seconds });
    await audit({ action: 'report.downloaded', targetType: 'report_run', targetId: row.id, data: { report: row.report } });
    return { url, expires_at: expiresAt.toISOString() };
  },
});

/** The report routes (the catalog first: `/reports/catalog` is not a run id). */
export const reportRoutes: CoreRoute[] = [reportCatalog, createRun, listRuns, getRun, downloadRun];
