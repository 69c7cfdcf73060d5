import { commonErrors, ConflictError, NotFoundError, PageQuery, paginate, listPage, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordAdminAction } from '../admin/admin-tenants.js';
import { Exact, Uuid, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { notifyOwners } from './support-mail.js';
import {
  lockSession,
  presentSession,
  sessionById,
  sessionColumns,
  sessionJoins,
  statusCondition,
  SupportSessionView,
  SupportStatusSchema,
  sqlTime,
  tenantRole,
  type SupportSessionRow,
} from './support-queries.js';

// The host side of support access: a super-admin asks for (and ends) access to one tenant. These routes run on the
// system path, which sees every tenant's rows: every query names the tenant or the operator. Each change is
// recorded in the host's audit log and the tenant's (recordAdminAction).

/** A session with the tenant it opens, as the operator lists them. */
const OperatorSession = Exact({ ...SupportSessionView.properties, tenant: Exact({ id: Uuid, slug: Type.String(), name: Type.String() }) });

export const requestSupportAccess = defineRoute({
  method: 'POST',
  path: '/admin/tenants/:id/support-access',
  summary:
    "Ask for support access to a tenant: active at once (read-only, or with `role_id`), or pending until an owner approves it when the tenant's settings require approval (`support_access_approval`); its owners are mailed",
  tag: 'admin',
  superAdmin: true,
  deps: {
    config: kernelRefs.config,
    clock: kernelRefs.clock,
    database: kernelRefs.database,
    logger: kernelRefs.logger,
    supportAccess: kernelRefs.supportAccess,
    plugins: kernelRefs.plugins,
    tenants: kernelRefs.tenants,
    jobs: kernelRefs.jobs,
    tenantAccess: kernelRefs.tenantAccess,
    orgUnits: kernelRefs.orgUnits,
  },
  schema: {
    params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
    body: Type.Object(
      {
        reason: Type.String({ minLength: 5, maxLength: 500, pattern: '\\S', description: 'Why: shown to the owners and in every audit entry of the session' }),
        minutes: Type.Integer({ minimum: 1, description: 'How long, counted from approval; at most PLINTH_SUPPORT_MAX_MINUTES' }),
        role_id: Type.Optional(Type.String({ format: 'uuid', description: 'A role of the tenant to act with; none: read-only' })),
      },
      { additionalProperties: false },
    ),
    response: withStatus(SupportSessionView, 201),
  },
  errors: [commonErrors.conflict],
  async handler({ db, params, body, deps, principal, actor }) {
    const max = deps.config.supportMaxMinutes;
    if (body.minutes > max) throw new ValidationError({ minutes: [`must be at most ${max} (PLINTH_SUPPORT_MAX_MINUTES)`] });
    // Locked: two requests for the same tenant at once cannot both pass the check for an open session.
    const tenant = await db.one<{ id: string; slug: string; name: string; locale: string; settings: Record<string, unknown> }>(
      'select id, slug, name, locale, settings from tenants where id = $1 for update',
      [params.id],
    );
    if (!tenant) throw new NotFoundError('Tenant not found');
    const role = body.role_id ? await tenantRole(db, tenant.id, body.role_id, 'role_id') : null;
    const now = deps.clock.now();
    const open = await db.one(
      `select 1 from support_sessions where tenant_id = $1 and operator_user_id = $2 and (status = 'pending' or (status = 'active' and expires_at > $3))`,
      [tenant.id, principal.userId, now],
    );
    if (open) throw new ConflictError('You already have a pending or active support session in this tenant; end it first');
    const pending = tenant.settings.support_access_approval === true;
    const reason = body.reason.trim();
    const created = await db.one<{ id: string }>(
      `insert into support_sessions (tenant_id, operator_user_id, operator_email, operator_name, reason, minutes, status, requested_role_id, role_id, decided_at, expires_at)
       select $1::uuid, u.id, u.email, u.name, $3::text, $4::int, $5::text, $6::uuid, $7::uuid, $8::timestamptz, $9::timestamptz
         from users u where u.id = $2
       returning id`,
      [
        tenant.id,
        principal.userId,
        reason,
        body.minutes,
        pending ? 'pending' : 'active',
        role?.id ?? null,
        pending ? null : (role?.id ?? null),
        pending ? null : now,
        pending ? null : new Date(now.getTime() + body.minutes * 60_000),
      ],
    );
    const session = await sessionById(db, created!.id, now);
    await recordAdminAction(db, actor, tenant.id, {
      action: 'support.requested',
      targetType: 'support_session',
      targetId: session.id,
      data: { reason, minutes: body.minutes, role: role?.name ?? null, status: session.status },
    });
    db.afterCommit(async () => {
      await deps.supportAccess.forget(tenant.id, principal.userId);
      // The request stands without the notification: the owners also see it in the console.
      await notifyOwners(deps, tenant, {
        operator: session.operator_email,
        reason,
        minutes: body.minutes,
        role: role?.name ?? null,
        pending,
      }).catch((error: unknown) => deps.logger.warn({ err: error, sessionId: session.id }, 'could not notify the owners about a support request'));
    });
    return Reply.created(presentSession(session));
  },
});

export const listOwnSupportSessions = defineRoute({
  method: 'GET',
  path: '/admin/support-access',
  summary: "The calling operator's support sessions, newest first (filter by status or tenant)",
  tag: 'admin',
  superAdmin: true,
  deps: { clock: kernelRefs.clock },
  schema: {
    query: Type.Object(
      { ...PageQuery.properties, status: Type.Optional(SupportStatusSchema), tenant_id: Type.Optional(Type.String({ format: 'uuid' })) },
      { additionalProperties: false },
    ),
    response: Type.Array(OperatorSession),
  },
  errors: [],
  async handler({ db, query, deps, principal, audit }) {
    const now = sqlTime(deps.clock.now());
    const values: unknown[] = [principal.userId];
    const where = ['s.operator_user_id = $1'];
    if (query.status) where.push(statusCondition(query.status, now));
    if (query.tenant_id) where.push(`s.tenant_id = $${values.push(query.tenant_id)}`);
    const { items, total } = await listPage<SupportSessionRow & { tenant_slug: string; tenant_name: string }>(
      db,
      {
        select: `${sessionColumns(now)}, t.slug as tenant_slug, t.name as tenant_name`,
        from: `support_sessions s join tenants t on t.id = s.tenant_id ${sessionJoins}`,
        countFrom: 'support_sessions s',
        where,
        orderBy: 's.created_at desc, s.id',
        values,
      },
      query,
    );
    await audit({ action: 'admin.support_access.listed', data: { ...query } });
    return Reply.list(
      items.map((row) => ({ ...presentSession(row), tenant: { id: row.tenant_id, slug: row.tenant_slug, name: row.tenant_name } })),
      paginate(query, total),
    );
  },
});

export const endOwnSupportSession = defineRoute({
  method: 'DELETE',
  path: '/admin/support-access/:id',
  summary: 'End (or withdraw) one of your support sessions at once; 409 when it is already over',
  tag: 'admin',
  superAdmin: true,
  deps: { clock: kernelRefs.clock, supportAccess: kernelRefs.supportAccess },
  schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: SupportSessionView },
  errors: [commonErrors.conflict],
  async handler({ db, params, deps, principal, actor }) {
    const now = deps.clock.now();
    const session = await lockSession(db, params.id, now, ['pending', 'active'], 's.operator_user_id = $2', [principal.userId]);
    await db.query("update support_sessions set status = 'ended', ended_at = $2, ended_by = 'operator', updated_at = now() where id = $1", [session.id, now]);
    await recordAdminAction(db, actor, session.tenant_id, {
      action: 'support.ended',
      targetType: 'support_session',
      targetId: session.id,
      data: { ended_by: 'operator', was: session.status },
    });
    db.afterCommit(() => deps.supportAccess.forget(session.tenant_id, principal.userId));
    return presentSession(await sessionById(db, session.id, now));
  },
});

/** Host-side support access routes (super-admins). */
export const supportAdminRoutes: CoreRoute[] = [requestSupportAccess, listOwnSupportSessions, endOwnSupportSession];
