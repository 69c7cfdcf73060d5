import { listPage, commonErrors, ConflictError, likePattern, PageQuery, paginate, toJson } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { AuditFilters, auditPage } from '../audit/audit-query.js';
import { kernelRefs } from '../kernel-refs.js';
import type { AuditActor } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { tenantRequestsKey, type RateLimiter } from '../http/rate-limiter.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { adminTenantById, adminTenantColumns, lockTenant, presentAdminTenant, recordAdminAction, type AdminTenantRow } from './admin-tenants.js';
import { Exact, Nullable, Quotas, Timestamp, Uuid } from '../http/response-schemas.js';

// Admin routes run on the system path (role plinth_system), which sees every tenant's rows: every query filters explicitly.
// Every call is recorded in the host audit log; changes to a tenant also in that tenant's audit log.

/** A tenant as host administrators see it: effective quotas, the overrides alone, and usage. */
const AdminTenant = Exact({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  plan: Type.String(),
  quotas: Quotas,
  quota_overrides: Type.Partial(Quotas),
  usage: Exact({ members: Type.Integer(), api_tokens: Type.Integer(), storage_bytes: Type.Integer(), files: Type.Integer() }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const TenantParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const listTenantsAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/tenants',
  summary: 'Every tenant of the host, newest first (filter by status, or `q` on slug and name)',
  tag: 'admin',
  superAdmin: true,
  schema: {
    query: Type.Object(
      {
        ...PageQuery.properties,
        status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
        q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      },
      { additionalProperties: false },
    ),
    response: Type.Array(AdminTenant),
  },
  errors: [],
  async handler({ db, query, audit }) {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.status) conditions.push(`t.status = $${values.push(query.status)}`);
    if (query.q) {
      conditions.push(`(t.slug ilike $${values.push(likePattern(query.q))} or t.name ilike $${values.length})`);
    }
    const { items, total } = await listPage<AdminTenantRow>(
      db,
      { select: adminTenantColumns, from: 'tenants t', where: conditions, orderBy: 't.created_at desc, t.id', values },
      query,
    );
    await audit({ action: 'admin.tenants.listed', data: { ...query } });
    return Reply.list(items.map(presentAdminTenant), paginate(query, total));
  },
});

/** What the host runs: every installed plugin, its migrations applied or pending, and how many tenants enabled it. */
export const listPluginsAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/plugins',
  summary: 'Installed plugins with their version, migration state and number of tenants that enabled them',
  tag: 'admin',
  superAdmin: true,
  deps: { database: kernelRefs.database, plugins: kernelRefs.plugins },
  schema: {
    response: Type.Array(
      Exact({
        name: Type.String(),
        title: Type.String(),
        version: Type.String(),
        scope: Type.Union([Type.Literal('tenant'), Type.Literal('host')]),
        installed_version: Nullable(Type.String()),
        installed_at: Nullable(Timestamp),
        tenants_enabled: Type.Integer(),
        migrations: Type.Array(Exact({ name: Type.String(), applied_at: Nullable(Timestamp) })),
      }),
    ),
  },
  errors: [],
  async handler({ deps, audit }) {
    const { knex } = deps.database;
    const installed = (await knex('plinth_plugins').select('name', 'version', 'installed_at', 'updated_at')) as {
      name: string;
      version: string;
      installed_at: Date;
      updated_at: Date;
    }[];
    const byName = new Map(installed.map((row) => [row.name, row]));
    // Counted across tenants as the schema owner: the host's own bookkeeping, not any tenant's data.
    const enabled = (await knex('tenant_plugins').where({ enabled: true }).groupBy('plugin').select('plugin').count('* as tenants')) as {
      plugin: string;
      tenants: string;
    }[];
    const enabledBy = new Map(enabled.map((row) => [row.plugin, Number(row.tenants)]));
    const applied = (await knex('plinth_migrations')
      .whereIn(
        'scope',
        deps.plugins.plugins.map((plugin) => plugin.name),
      )
      .select('scope', 'name', 'applied_at')) as {
      scope: string;
      name: string;
      applied_at: Date;
    }[];
    await audit({ action: 'admin.plugins.listed' });
    return deps.plugins.plugins.map((plugin) => {
      const done = new Map(applied.filter((row) => row.scope === plugin.name).map((row) => [row.name, row.applied_at]));
      return {
        name: plugin.name,
        title: plugin.title,
        version: plugin.version,
        scope: plugin.scope,
        installed_version: byName.get(plugin.name)?.version ?? null,
        installed_at: byName.get(plugin.name)?.installed_at.toISOString() ?? null,
        tenants_enabled: enabledBy.get(plugin.name) ?? 0,
        migrations: plugin.migrations.map((migration) => ({ name: migration.name, applied_at: done.get(migration.name)?.toISOString() ?? null })),
      };
    });
  },
});

export const getTenantAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/tenants/:id',
  summary: 'One tenant, with its quotas, usage (including requests in its current one-minute window) and custom domains',
  tag: 'admin',
  superAdmin: true,
  deps: { rateLimiter: kernelRefs.rateLimiter },
  schema: {
    params: TenantParams,
    response: Exact({
      ...AdminTenant.properties,
      usage: Exact({
        ...AdminTenant.properties.usage.properties,
        requests_this_minute: Type.Integer({ minimum: 0, description: 'Requests counted against `requests_per_minute` in the current window' }),
        requests_window_resets_in: Nullable(Type.Integer({ minimum: 1, description: 'Seconds until that window ends; null when no window is open' })),
      }),
      domains: Type.Array(Exact({ id: Uuid, domain: Type.String(), verified: Type.Boolean(), created_at: Timestamp })),
    }),
  },
  errors: [],
  async handler({ db, params, audit, deps }) {
    const tenant = await adminTenantById(db, params.id);
    const domains = await db.query<{ id: string; domain: string; verified: boolean; created_at: Date }>(
      'select id, domain, verified, created_at from tenant_domains where tenant_id = $1 order by domain',
      [tenant.id],
    );
    const presented = presentAdminTenant(tenant);
    const requests = await requestsThisMinute(deps.rateLimiter, tenant.id, presented.quotas.requests_per_minute);
    await audit({ action: 'admin.tenant.viewed', targetType: 'tenant', targetId: tenant.id, tenantId: tenant.id });
    return { ...presented, usage: { ...presented.usage, ...requests }, domains: toJson(domains) };
  },
});

/**
 * What the tenant has used of its requests per minute, read (not counted) from the request pipeline's own meter
 * (`tenantRequestsKey`): its window opens with the first request and lasts a minute.
 */
async function requestsThisMinute(rateLimiter: RateLimiter, tenantId: string, limit: number) {
  // `peek` answers as if one more request came: its count is the next one's, and without an open window its
  // wait is the whole window.
  const next = await rateLimiter.peek(tenantRequestsKey(tenantId), limit, 60_000);
  const used = next.count - 1;
  return { requests_this_minute: used, requests_window_resets_in: used > 0 ? next.retryAfterSeconds : null };
}

/** Suspends or reactivates a tenant; 409 when it already is in that state. */
async function setStatus(
  { db, deps, actor }: { db: ScopedDb; deps: Pick<KernelServices, 'tenants'>; actor: AuditActor },
  id: string,
  status: 'active' | 'suspended',
  reason: string | undefined,
) {
  const current = await lockTenant(db, id);
  if (current.status === status) throw new ConflictError(`The tenant is already ${status}`);
  await db.query('update tenants set status = $2, updated_at = now() where id = $1', [id, status]);
  const action = status === 'suspended' ? 'admin.tenant.suspended' : 'admin.tenant.unsuspended';
  await recordAdminAction(db, actor, id, { action, targetType: 'tenant', targetId: id, data: reason ? { reason } : {} });
  // The tenant directory caches tenants: drop it once committed so the very next request sees the new status.
  db.afterCommit(() => deps.tenants.forget(current));
  return presentAdminTenant(await adminTenantById(db, id));
}

const StatusChange = {
  params: TenantParams,
  body: Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false }),
};

export const suspendTenantAsAdmin = defineRoute({
  method: 'POST',
  path: '/admin/tenants/:id/suspend',
  summary: 'Suspend a tenant: its members and API tokens get 403 tenant_suspended until it is unsuspended',
  tag: 'admin',
  superAdmin: true,
  schema: { ...StatusChange, response: AdminTenant },
  deps: { tenants: kernelRefs.tenants },
  errors: [commonErrors.conflict],
  handler: (input) => setStatus(input, input.params.id, 'suspended', input.body.reason),
});

export const unsuspendTenantAsAdmin = defineRoute({
  method: 'POST',
  path: '/admin/tenants/:id/unsuspend',
  summary: 'Reactivate a suspended tenant',
  tag: 'admin',
  superAdmin: true,
  schema: { ...StatusChange, response: AdminTenant },
  deps: { tenants: kernelRefs.tenants },
  errors: [commonErrors.conflict],
  handler: (input) => setStatus(input, input.params.id, 'active', input.body.reason),
});

const QuotaValue = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

export const putTenantQuotas = defineRoute({
  method: 'PUT',
  path: '/admin/tenants/:id/quotas',
  summary: "Replace a tenant's quota overrides; a quota left out falls back to the host default",
  tag: 'admin',
  superAdmin: true,
  schema: {
    params: TenantParams,
    body: Type.Object(
      {
        members: Type.Optional(QuotaValue),
        api_tokens: Type.Optional(QuotaValue),
        requests_per_minute: Type.Optional(QuotaValue),
        storage_bytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 50, description: 'Bytes of stored files' })),
      },
      { additionalProperties: false },
    ),
    response: AdminTenant,
  },
  deps: { tenants: kernelRefs.tenants },
  errors: [],
  async handler({ db, params, body, deps, actor }) {
    const current = await lockTenant(db, params.id);
    await db.query('update tenants set quotas = $2, updated_at = now() where id = $1', [params.id, body]);
    await recordAdminAction(db, actor, params.id, {
      action: 'admin.tenant.quotas_changed',
      targetType: 'tenant',
      targetId: params.id,
      data: { before: current.quotas, after: body },
    });
    db.afterCommit(() => deps.tenants.forget(current));
    return presentAdminTenant(await adminTenantById(db, params.id));
  },
});

interface HostAuditRow {
  id: string;
  action: string;
  actor_user_id: string | null;
  actor_email: string | null;
  subject_tenant: string | null;
  target_type: string | null;
  target_id: string | null;
  data: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Date;
}

export const listHostAuditLog = defineRoute({
  method: 'GET',
  path: '/admin/audit-log',
  summary: 'The host audit log (sign-ins, host administration), newest first',
  tag: 'admin',
  superAdmin: true,
  schema: {
    query: Type.Object({ ...AuditFilters, tenant_id: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
    response: Type.Array(
      Exact({
        id: Uuid,
        action: Type.String(),
        actor: Exact({ user_id: Nullable(Uuid), email: Nullable(Type.String()) }),
        tenant_id: Nullable(Uuid),
        target: Exact({ type: Nullable(Type.String()), id: Nullable(Type.String()) }),
        data: Type.Record(Type.String(), Type.Unknown()),
        ip: Nullable(Type.String()),
        user_agent: Nullable(Type.String()),
        request_id: Nullable(Type.String()),
        created_at: Timestamp,
      }),
    ),
  },
  errors: [],
  async handler({ db, query, audit }) {
    const builder = db
      .table('host_audit_log as a')
      .leftJoin('users as u', 'u.id', 'a.actor_user_id')
      .select(
        'a.id',
        'a.action',
        'a.actor_user_id',
        'u.email as actor_email',
        'a.subject_tenant',
        'a.target_type',
        'a.target_id',
        'a.data',
        'a.ip',
        'a.user_agent',
        'a.request_id',
        'a.created_at',
      );
    if (query.tenant_id) builder.where('a.subject_tenant', query.tenant_id);
    const { rows, pagination } = await auditPage<HostAuditRow>(builder, query);
    await audit({ action: 'admin.audit_log.viewed', data: { ...query } });
    return Reply.list(
      rows.map((row) => ({
        id: row.id,
        action: row.action,
        actor: { user_id: row.actor_user_id, email: row.actor_email },
        tenant_id: row.subject_tenant,
        target: { type: row.target_type, id: row.target_id },
        data: row.data,
        ip: row.ip,
        user_agent: row.user_agent,
        request_id: row.request_id,
        created_at: row.created_at.toISOString(),
      })),
      pagination,
    );
  },
});

/** Routes for host administration (super-admins). */
export const adminRoutes: CoreRoute[] = [
  listTenantsAsAdmin,
  getTenantAsAdmin,
  suspendTenantAsAdmin,
  unsuspendTenantAsAdmin,
  putTenantQuotas,
  listHostAuditLog,
  listPluginsAsAdmin,
];
