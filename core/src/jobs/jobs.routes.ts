import { BadRequestError, commonErrors, defineErrors, NotFoundError, PageQuery, pageWindow, paginate, toJson, type Static, type Stored } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import { actOnJobs, jobActions, jobIdsMatching, maxJobsPerAction, type ActionResult, type JobAction } from './job-control.js';
import { jobPrioritySql, jobStates, jobStateSql } from './job-states.js';

export { deadJobSql, jobStateSql } from './job-states.js';

const JobState = Type.Union(jobStates.map((state) => Type.Literal(state)));
const JobQuery = Type.Composite([PageQuery, Type.Object({ state: Type.Optional(JobState), name: Type.Optional(Type.String({ maxLength: 200 })) })], {
  additionalProperties: false,
});
const AdminJobQuery = Type.Composite([JobQuery, Type.Object({ tenant_id: Type.Optional(Type.String({ format: 'uuid' })) })], { additionalProperties: false });

/** A background job as the API shows it. */
const Job = Exact({
  id: Uuid,
  name: Type.String(),
  state: JobState,
  priority: Type.Union([Type.Literal('lowest'), Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('highest')]),
  tenant_id: Nullable(Type.String()),
  fail_count: Nullable(Type.Integer()),
  fail_reason: Nullable(Type.String()),
  failed_at: Nullable(Timestamp),
  next_run_at: Nullable(Timestamp),
  last_run_at: Nullable(Timestamp),
  last_finished_at: Nullable(Timestamp),
  repeat_interval: Nullable(Type.String()),
  created_at: Nullable(Timestamp),
});

/** A job as {@link page} selects it, timestamps as the database returns them. */
type JobRow = Stored<Static<typeof Job>, 'failed_at' | 'next_run_at' | 'last_run_at' | 'last_finished_at' | 'created_at'>;

/** The column host administrators see besides a job's: the slug of its tenant. */
const tenantSlug = `(select slug from tenants where tenants.id::text = plinth_jobs.data->>'tenantId') as tenant_slug`;

function jobsQuery(knex: Knex, filters: { state?: string; name?: string; tenantId?: string }) {
  const query = knex('plinth_jobs');
  if (filters.tenantId) query.whereRaw(`data->>'tenantId' = ?`, [filters.tenantId]);
  if (filters.name) query.where('name', filters.name);
  if (filters.state) query.whereRaw(`${jobStateSql} = ?`, [filters.state]);
  return query;
}

/** One page of jobs, newest first: `Row` is {@link JobRow} with the `extra` columns. */
async function page<Row extends JobRow>(knex: Knex, filters: { state?: string; name?: string; tenantId?: string }, paging: PageQuery, extra: string[] = []) {
  const { limit, offset } = pageWindow(paging);
  const [{ total }] = (await jobsQuery(knex, filters).count<{ total: number }[]>('* as total')) as [{ total: number }];
  const rows: Row[] = await jobsQuery(knex, filters)
    .select(
      'id',
      'name',
      knex.raw(`${jobStateSql} as state`),
      knex.raw(`${jobPrioritySql} as priority`),
      knex.raw(`data->>'tenantId' as tenant_id`),
      ...extra.map((column) => knex.raw(column)),
      'fail_count',
      'fail_reason',
      'failed_at',
      'next_run_at',
      'last_run_at',
      'last_finished_at',
      'repeat_interval',
      'created_at',
    )
    .orderBy('created_at', 'desc')
    .limit(limit)
    .offset(offset);
  return Reply.list(toJson(rows), paginate(paging, Number(total)));
}

// The jobs table belongs to the job system, not to a tenant: it is read through the kernel's pool with an explicit tenant filter.
export const tenantJobs = defineRoute({
  method: 'GET',
  path: '/jobs',
  summary: "This tenant's background jobs (filter by state: dead, failed, running, scheduled, completed; and by name)",
  tag: 'jobs',
  permission: corePermissions['jobs.view'],
  schema: { query: JobQuery, response: Type.Array(Job) },
  deps: { database: kernelRefs.database },
  errors: [],
  async handler({ deps, tenant, query }) {
    return page<JobRow>(deps.database.knex, { ...query, tenantId: tenant.id }, query);
  },
});

export const adminJobs = defineRoute({
  method: 'GET',
  path: '/admin/jobs',
  summary: 'Every tenant’s background jobs with the tenant’s slug (host administrators), e.g. `?state=dead`',
  tag: 'admin',
  superAdmin: true,
  schema: { query: AdminJobQuery, response: Type.Array(Exact({ ...Job.properties, tenant_slug: Nullable(Type.String()) })) },
  deps: { database: kernelRefs.database },
  errors: [],
  async handler({ deps, query, audit }) {
    await audit({ action: 'admin.jobs.listed', data: { state: query.state ?? null, tenant_id: query.tenant_id ?? null } });
    return page<JobRow & { tenant_slug: string | null }>(deps.database.knex, { ...query, ...(query.tenant_id ? { tenantId: query.tenant_id } : {}) }, query, [
      tenantSlug,
    ]);
  },
});

/** Why a host administrator's action on one job was refused. */
export const jobErrors = defineErrors('core', {
  job_running: { status: 409, description: 'A worker is running the job: wait for it to finish (or fail) and act again' },
  job_recurring: { status: 409, description: 'The job is a recurring schedule, which its plugin owns: it cannot be cancelled here' },
  job_state: {
    status: 409,
    description: 'The job is not in a state the action takes: retry and discard take dead or failed jobs, cancel takes scheduled or failed ones',
  },
});

const JobParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

/** What an action on one job answers: the job acted on. */
const ActedJob = Exact({
  id: Uuid,
  action: Type.Union(jobActions.map((action) => Type.Literal(action))),
  name: Type.String(),
  tenant_id: Nullable(Type.String()),
});

const past: Record<JobAction, string> = { retry: 'retried', cancel: 'cancelled', discard: 'discarded' };

const oneSummary: Record<JobAction, string> = {
  retry: 'Runs a dead or failed job again now, keeping its attempts (host administrators)',
  cancel: 'Cancels a scheduled job, or a failed one waiting for its retry: it is removed (host administrators)',
  discard: 'Deletes a dead or failed job from the list (host administrators)',
};

/** `POST /admin/jobs/:id/<action>`: one job, refused with 404 or 409 when the action cannot take it. */
function actionRoute(action: JobAction): CoreRoute {
  return defineRoute({
    method: 'POST',
    path: `/admin/jobs/:id/${action}`,
    summary: oneSummary[action],
    tag: 'admin',
    superAdmin: true,
    schema: { params: JobParams, response: ActedJob },
    deps: { database: kernelRefs.database },
    errors: [jobErrors.job_running, jobErrors.job_state, ...(action === 'cancel' ? [jobErrors.job_recurring] : [])],
    async handler({ deps, params, audit }) {
      const result = await actOnJobs(deps.database, action, [params.id]);
      const [job] = result.done;
      if (!job) throw refusal(action, result.skipped[0]!);
      await audit({ action: `admin.job.${past[action]}`, targetType: 'job', targetId: job.id, data: { name: job.name, tenant_id: job.tenant_id } });
      return { ...job, action };
    },
  });
}

/** The error for a job the action skipped. */
function refusal(action: JobAction, skipped: ActionResult['skipped'][number]) {
  if (skipped.reason === 'not_found') return new NotFoundError('No job has this id');
  if (skipped.reason === 'running') return jobErrors.job_running();
  if (skipped.reason === 'recurring') return jobErrors.job_recurring();
  return jobErrors.job_state(`The job is ${skipped.state}: ${action} takes ${action === 'cancel' ? 'scheduled or failed' : 'dead or failed'} jobs`);
}

const BulkBody = Type.Object(
  {
    action: Type.Union(jobActions.map((action) => Type.Literal(action))),
    ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: maxJobsPerAction })),
    filter: Type.Optional(
      Type.Object(
        { state: JobState, name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), tenant_id: Type.Optional(Type.String({ format: 'uuid' })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const BulkResult = Exact({
  action: Type.Union(jobActions.map((action) => Type.Literal(action))),
  count: Type.Integer(),
  ids: Type.Array(Uuid),
  skipped: Type.Array(
    Exact({
      id: Uuid,
      reason: Type.Union([Type.Literal('not_found'), Type.Literal('running'), Type.Literal('recurring'), Type.Literal('wrong_state')]),
      state: Nullable(JobState),
    }),
  ),
});

export const bulkJobAction = defineRoute({
  method: 'POST',
  path: '/admin/jobs/bulk',
  summary: `Retries, cancels or discards jobs by id, or up to ${maxJobsPerAction} matching a filter (host administrators); those it cannot take are listed as skipped`,
  tag: 'admin',
  superAdmin: true,
  schema: { body: BulkBody, response: BulkResult },
  deps: { database: kernelRefs.database },
  errors: [commonErrors.bad_request],
  async handler({ deps, body, audit }) {
    if ((body.ids === undefined) === (body.filter === undefined)) throw new BadRequestError('Give either `ids` or `filter`');
    const filter = body.filter && {
      state: body.filter.state,
      ...(body.filter.name ? { name: body.filter.name } : {}),
      ...(body.filter.tenant_id ? { tenantId: body.filter.tenant_id } : {}),
    };
    const ids = body.ids ?? (await jobIdsMatching(deps.database, filter!));
    const result = await actOnJobs(deps.database, body.action, ids);
    const done = result.done.map((job) => job.id);
    await audit({ action: `admin.jobs.${past[body.action]}`, targetType: 'job', data: { count: done.length, ids: done, filter: body.filter ?? null } });
    return { action: body.action, count: done.length, ids: done, skipped: result.skipped };
  },
});

export const jobRoutes: CoreRoute[] = [tenantJobs, adminJobs, bulkJobAction, ...jobActions.map(actionRoute)];
