import { commonErrors, NotFoundError, PageQuery, pageWindow, paginate, reportFormats, ValidationError, type ReportFormat } from '@plinth/sdk';
import { Type, type Static } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { errorLanguage } from '../http/error-language.js';
import { Exact, NoContent, Nullable, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import { corePermissions } from '../rbac/permissions.js';
import { checkedInput, managesReports, requesterOf, runnableReport, type Holder } from './report-access.js';
import { reportsOf, type RegisteredReport } from './report-registry.js';
import { translate } from './report-runs.js';
import { nextRunAt, periodRange, schedulePeriods, takesPeriod, type SchedulePeriod } from './report-schedules.js';

const Format = Type.Union(reportFormats.map((format) => Type.Literal(format)));
const Delivery = Type.Union([Type.Literal('attachment'), Type.Literal('link')]);
const Cron = Type.String({
  minLength: 9,
  maxLength: 100,
  description: 'Five fields: minute hour day-of-month month day-of-week (`0 8 * * 1`: Mondays at 8:00)',
});
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone the cron is read in (default: the tenant’s)' });
const Period = Nullable(
  Type.Union(
    schedulePeriods.map((period) => Type.Literal(period)),
    {
      description:
        'Each run reports on the period before its slot (in `time_zone`), setting params.from and params.to: the day before, the seven days before, Monday to Sunday of the week before, or the calendar month before; null for the parameters as given. Only for reports whose params have `from` and `to` dates.',
    },
  ),
);
const Recipients = Type.Array(Uuid, { maxItems: 100, uniqueItems: true, description: 'Staff members of the tenant (user ids) who get the file by mail' });

const ScheduleView = Exact({
  id: Uuid,
  report: Type.String(),
  title: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  period: Period,
  format: Format,
  cron: Type.String(),
  time_zone: Type.String(),
  recipients: Type.Array(Uuid),
  delivery: Delivery,
  enabled: Type.Boolean(),
  created_by: Nullable(Uuid),
  next_run_at: Nullable(Timestamp),
  last_run_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const NewSchedule = Type.Object(
  {
    report: Type.String({ minLength: 3, maxLength: 200 }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { default: {} })),
    period: Type.Optional(Period),
    format: Format,
    cron: Cron,
    time_zone: Type.Optional(TimeZone),
    recipients: Recipients,
    delivery: Type.Optional(Type.Union([Type.Literal('attachment'), Type.Literal('link')], { default: 'attachment' })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
const ScheduleChange = Type.Partial(
  Type.Object({
    params: Type.Record(Type.String(), Type.Unknown()),
    period: Period,
    format: Format,
    cron: Cron,
    time_zone: TimeZone,
    recipients: Recipients,
    delivery: Delivery,
    enabled: Type.Boolean(),
  }),
  { additionalProperties: false, minProperties: 1 },
);
const ScheduleParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

interface ScheduleRow {
  id: string;
  report: string;
  plugin: string;
  params: Record<string, unknown>;
  period: SchedulePeriod | null;
  format: 'csv' | 'xlsx' | 'pdf';
  cron: string;
  time_zone: string;
  recipients: string[];
  delivery: 'attachment' | 'link';
  enabled: boolean;
  created_by: string | null;
  next_run_at: Date | null;
  last_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const columns =
  'id, report, plugin, params, period, format, cron, time_zone, recipients, delivery, enabled, created_by, next_run_at, last_run_at, created_at, updated_at';

function present(row: ScheduleRow, registered: RegisteredReport | undefined, language: string) {
  return {
    id: row.id,
    report: row.report,
    title: registered ? translate(registered, registered.definition.title, language) : row.report,
    params: row.params,
    period: row.period,
    format: row.format,
    cron: row.cron,
    time_zone: row.time_zone,
    recipients: row.recipients,
    delivery: row.delivery,
    enabled: row.enabled,
    created_by: row.created_by,
    next_run_at: row.next_run_at?.toISOString() ?? null,
    last_run_at: row.last_run_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * The parameters to store, checked as a run's would be (schema, `check`, format): as given, or with a period its
 * dates at `now` in `timeZone`, stored without them (each slot sets its own). 422 naming `period` for a report
 * without `from` and `to` dates.
 */
function scheduledParams(
  registered: RegisteredReport,
  params: Record<string, unknown> | undefined,
  period: SchedulePeriod | null,
  format: ReportFormat,
  timeZone: string,
  now: Date,
): Record<string, unknown> {
  if (!period) return checkedInput(registered, params, format);
  if (!takesPeriod(registered)) throw new ValidationError({ period: ['needs a report whose parameters have from and to dates'] });
  const { from: _from, to: _to, ...rest } = checkedInput(registered, { ...params, ...periodRange(period, now, timeZone) }, format);
  return rest;
}

/** 422 naming `recipients` unless every one is a staff member of the tenant. */
async function checkRecipients(db: ScopedDb, recipients: readonly string[]): Promise<void> {
  if (recipients.length === 0) throw new ValidationError({ recipients: ['must name at least one member'] });
  const found = await db.query<{ user_id: string }>('select user_id from tenant_users where user_id = any($1::uuid[])', [recipients]);
  const members = new Set(found.map((row) => row.user_id));
  const strangers = recipients.filter((id) => !members.has(id));
  if (strangers.length > 0) throw new ValidationError({ recipients: [`must be staff members of this tenant (not: ${strangers.join(', ')})`] });
}

/** A schedule the caller may see and change: their own, or any with `core.reports.manage`; else 404. */
async function visibleSchedule(db: ScopedDb, id: string, requester: string | null, permissions: readonly string[], lock = false): Promise<ScheduleRow> {
  const row = await db.one<ScheduleRow>(`select ${columns} from report_schedules where id = $1${lock ? ' for update' : ''}`, [id]);
  if (!row || (!managesReports(permissions) && (requester === null || row.created_by !== requester))) throw new NotFoundError('Report schedule not found');
  return row;
}

type ScheduleDeps = { plugins: KernelServices['plugins']; clock: KernelServices['clock'] };

export const listSchedules = defineRoute({
  method: 'GET',
  path: '/report-schedules',
  summary: "The caller's report schedules (every member's with core.reports.manage)",
  tag: 'reports',
  permission: corePermissions['reports.schedule'],
  deps: { plugins: kernelRefs.plugins },
  schema: { query: Type.Composite([PageQuery], { additionalProperties: false }), response: Type.Array(ScheduleView) },
  errors: [],
  async handler({ query, deps, db, principal, permissions, ctx }) {
    const values: unknown[] = [];
    const filter = managesReports(permissions) ? '' : `where created_by = $${values.push(requesterOf(principal))}`;
    const { limit, offset } = pageWindow(query);
    const rows = await db.query<ScheduleRow>(
      `select ${columns} from report_schedules ${filter} order by created_at desc, id limit ${limit} offset ${offset}`,
      values,
    );
    const [count] = await db.query<{ total: number }>(`select count(*)::int as total from report_schedules ${filter}`, values);
    const registry = reportsOf(deps.plugins.plugins);
    return Reply.list(
      rows.map((row) => present(row, registry.get(row.report), errorLanguage(ctx))),
      paginate(query, count?.total ?? 0),
    );
  },
});

export const createSchedule = defineRoute({
  method: 'POST',
  path: '/report-schedules',
  summary: 'Schedule a report (cron in a time zone), mailed to members as an attachment or a link',
  tag: 'reports',
  permission: corePermissions['reports.schedule'],
  deps: { plugins: kernelRefs.plugins, clock: kernelRefs.clock },
  schema: { body: NewSchedule, response: withStatus(ScheduleView, 201) },
  errors: [coreErrors.plugin_not_enabled, commonErrors.not_found, commonErrors.forbidden],
  async handler({ body, deps, db, tenant, principal, permissions, access, unitTree, ctx, audit }) {
    // The runs work in the units their author reaches when they run (see report-run.ts).
    const { registered } = await runnableReport(deps, tenant.id, body.report, { permissions, access, unitTree });
    const timeZone = body.time_zone ?? tenant.time_zone;
    const now = deps.clock.now();
    const next = nextRunAt(body.cron, timeZone, now);
    const params = scheduledParams(registered, body.params, body.period ?? null, body.format, timeZone, now);
    await checkRecipients(db, body.recipients);
    const row = await db.one<ScheduleRow>(
      `insert into report_schedules (report, plugin, params, period, format, cron, time_zone, recipients, delivery, enabled, created_by, next_run_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${columns}`,
      [
        registered.definition.name,
        registered.plugin.name,
        JSON.stringify(params),
        body.period ?? null,
        body.format,
        body.cron.trim(),
        timeZone,
        body.recipients,
        body.delivery ?? 'attachment',
        body.enabled ?? true,
        requesterOf(principal),
        next,
      ],
    );
    await audit({ action: 'report_schedule.created', targetType: 'report_schedule', targetId: row!.id, data: { report: row!.report, cron: row!.cron } });
    return Reply.created(present(row!, registered, errorLanguage(ctx)));
  },
});

export const getSchedule = defineRoute({
  method: 'GET',
  path: '/report-schedules/:id',
  summary: 'A report schedule',
  tag: 'reports',
  permission: corePermissions['reports.schedule'],
  deps: { plugins: kernelRefs.plugins },
  schema: { params: ScheduleParams, response: ScheduleView },
  errors: [],
  async handler({ params, deps, db, principal, permissions, ctx }) {
    const row = await visibleSchedule(db, params.id, requesterOf(principal), permissions);
    return present(row, reportsOf(deps.plugins.plugins).get(row.report), errorLanguage(ctx));
  },
});

export const updateSchedule = defineRoute({
  method: 'PATCH',
  path: '/report-schedules/:id',
  summary: 'Change a report schedule (its next run is worked out again)',
  tag: 'reports',
  permission: corePermissions['reports.schedule'],
  deps: { plugins: kernelRefs.plugins, clock: kernelRefs.clock },
  schema: { params: ScheduleParams, body: ScheduleChange, response: ScheduleView },
  errors: [coreErrors.plugin_not_enabled, commonErrors.forbidden],
  async handler({ params, body, deps, db, tenant, principal, permissions, access, unitTree, ctx, audit }) {
    const row = await visibleSchedule(db, params.id, requesterOf(principal), permissions, true);
    const next = await changed(deps, db, tenant.id, { permissions, access, unitTree }, row, body);
    const [saved] = await db.query<ScheduleRow>(
      `update report_schedules set params = $2, period = $3, format = $4, cron = $5, time_zone = $6, recipients = $7, delivery = $8, enabled = $9,
         next_run_at = $10, updated_at = now() where id = $1 returning ${columns}`,
      [
        row.id,
        JSON.stringify(next.params),
        next.period,
        next.format,
        next.cron,
        next.time_zone,
        next.recipients,
        next.delivery,
        next.enabled,
        next.next_run_at,
      ],
    );
    await audit({ action: 'report_schedule.updated', targetType: 'report_schedule', targetId: row.id, data: { fields: Object.keys(body) } });
    return present(saved!, reportsOf(deps.plugins.plugins).get(row.report), errorLanguage(ctx));
  },
});

/** The schedule with the change applied and checked as a new one is (the report's permission included). */
async function changed(deps: ScheduleDeps, db: ScopedDb, tenantId: string, holder: Holder, row: ScheduleRow, body: Static<typeof ScheduleChange>) {
  const { registered } = await runnableReport(deps, tenantId, row.report, holder);
  const format = body.format ?? row.format;
  const cron = body.cron?.trim() ?? row.cron;
  const timeZone = body.time_zone ?? row.time_zone;
  const now = deps.clock.now();
  const timing = body.cron !== undefined || body.time_zone !== undefined || (body.enabled === true && !row.enabled);
  const nextRun = timing || !row.next_run_at ? nextRunAt(cron, timeZone, now) : row.next_run_at;
  const period = body.period === undefined ? row.period : body.period;
  const params = scheduledParams(registered, body.params ?? row.params, period, format, timeZone, now);
  const recipients = body.recipients ?? row.recipients;
  if (body.recipients) await checkRecipients(db, recipients);
  return {
    params,
    period,
    format,
    cron,
    time_zone: timeZone,
    recipients,
    delivery: body.delivery ?? row.delivery,
    enabled: body.enabled ?? row.enabled,
    next_run_at: nextRun,
  };
}

export const deleteSchedule = defineRoute({
  method: 'DELETE',
  path: '/report-schedules/:id',
  summary: 'Delete a report schedule (its past runs stay)',
  tag: 'reports',
  permission: corePermissions['reports.schedule'],
  schema: { params: ScheduleParams, response: NoContent },
  errors: [],
  async handler({ params, db, principal, permissions, audit }) {
    const row = await visibleSchedule(db, params.id, requesterOf(principal), permissions, true);
    await db.query('delete from report_schedules where id = $1', [row.id]);
    await audit({ action: 'report_schedule.deleted', targetType: 'report_schedule', targetId: row.id, data: { report: row.report } });
    return Reply.noContent();
  },
});

/** The report schedule routes. */
export const reportScheduleRoutes: CoreRoute[] = [listSchedules, createSchedule, getSchedule, updateSchedule, deleteSchedule];
