import { PageQuery, pageWindow, paginate, toJson, type Static, type Stored } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';

const JobState = Type.Union([Type.Literal('failed'), Type.Literal('running'), Type.Literal('scheduled'), Type.Literal('completed')]);
const JobQuery = Type.Composite([PageQuery, Type.Object({ state: Type.Optional(JobState), name: Type.Optional(Type.String({ maxLength: 200 })) })], {
  additionalProperties: false,
});
const AdminJobQuery = Type.Composite([JobQuery, Type.Object({ tenant_id: Type.Optional(Type.String({ format: 'uuid' })) })], { additionalProperties: false });

/** A background job as the API shows it. */
const Job = Exact({
  id: Uuid,
  name: Type.String(),
  state: JobState,
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

/** Where a job stands, from agenda's columns: its last run failed, it is running, it waits for a time, or it is done. */
const stateSql = `case
  when locked_at is not null then 'running'
  when failed_at is not null and (last_finished_at is null or failed_at >= last_finished_at) then 'failed'
  when next_run_at is not null then 'scheduled'
  else 'completed' end`;

function jobsQuery(knex: Knex, filters: { state?: string; name?: string; tenantId?: string }) {
  const query = knex('plinth_jobs');
  if (filters.tenantId) query.whereRaw(`data->>'tenantId' = ?`, [filters.tenantId]);
  if (filters.name) query.where('name', filters.name);
  if (filters.state) query.whereRaw(`(${stateSql}) = ?`, [filters.state]);
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
      knex.raw(`${stateSql} as state`),
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
  summary: "This tenant's background jobs (filter by state: failed, running, scheduled, completed; and by name)",
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
  summary: 'Every tenant’s background jobs with the tenant’s slug (host administrators), e.g. `?state=failed`',
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

export const jobRoutes: CoreRoute[] = [tenantJobs, adminJobs];
