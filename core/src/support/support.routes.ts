import { commonErrors, ForbiddenError, listPage, PageQuery, paginate } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import { corePermissions } from '../rbac/permissions.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import {
  lockSession,
  presentSession,
  sessionById,
  sessionColumns,
  sessionJoins,
  sqlTime,
  statusCondition,
  SupportSessionView,
  SupportStatusSchema,
  tenantRole,
  type SupportStatus,
  type SupportSessionRow,
} from './support-queries.js';

// The tenant side of support access: its owners (core.support.manage, held through `*`) see the host's requests,
// approve or deny them, and end them at any time. Every decision goes to the tenant's audit log.

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const deps = { clock: kernelRefs.clock, supportAccess: kernelRefs.supportAccess };
const permission = corePermissions['support.manage'];

export const listSupportSessions = defineRoute({
  method: 'GET',
  path: '/support-access',
  summary: "The host's support access to this tenant: requests, running and past sessions, newest first",
  tag: 'support',
  permission,
  deps,
  schema: {
    query: Type.Object({ ...PageQuery.properties, status: Type.Optional(SupportStatusSchema) }, { additionalProperties: false }),
    response: Type.Array(SupportSessionView),
  },
  errors: [],
  async handler({ db, query, deps }) {
    const now = sqlTime(deps.clock.now());
    const { items, total } = await listPage<SupportSessionRow>(
      db,
      {
        select: sessionColumns(now),
        from: `support_sessions s ${sessionJoins}`,
        countFrom: 'support_sessions s',
        where: query.status ? [statusCondition(query.status, now)] : [],
        orderBy: 's.created_at desc, s.id',
      },
      query,
    );
    return Reply.list(items.map(presentSession), paginate(query, total));
  },
});

type Change = 'approved' | 'denied' | 'ended';

/** What a decision changes: `sql` sets columns from `$2` on (`$1` is the session's id); `data` goes to the audit entry. */
interface Update {
  sql: string;
  values: unknown[];
  data: Record<string, unknown>;
}

/**
 * Applies an owner's decision to a session of the tenant (404 for another tenant's: RLS hides it; 409 when its
 * state does not allow it), records it and forgets the operator's cached access once committed.
 */
async function decide(
  input: {
    db: ScopedDb;
    access: TenantAccess | undefined;
    audit: (entry: { action: string; targetType: string; targetId: string; data: Record<string, unknown> }) => Promise<void>;
  },
  services: Pick<KernelServices, 'clock' | 'supportAccess'>,
  id: string,
  change: Change,
  set: (now: Date, minutes: number) => Update,
) {
  const { db } = input;
  // An operator inside the tenant (a session with a role) cannot widen or prolong their own access.
  if (input.access?.kind === 'support') throw new ForbiddenError('Support sessions are decided by the tenant, not by the host operator');
  const allowed: Record<Change, SupportStatus[]> = { approved: ['pending'], denied: ['pending'], ended: ['pending', 'active'] };
  const now = services.clock.now();
  const session = await lockSession(db, id, now, allowed[change]);
  const update = set(now, session.minutes);
  await db.query(`update support_sessions set ${update.sql}, updated_at = now() where id = $1`, [session.id, ...update.values]);
  await input.audit({ action: `support.${change}`, targetType: 'support_session', targetId: session.id, data: { was: session.status, ...update.data } });
  db.afterCommit(() => services.supportAccess.forget(session.tenant_id, session.operator_user_id));
  return presentSession(await sessionById(db, session.id, now));
}

export const approveSupportSession = defineRoute({
  method: 'POST',
  path: '/support-access/:id/approve',
  summary: 'Approve a pending request: read-only, or acting with `role_id`; its time counts from now',
  tag: 'support',
  permission,
  deps,
  schema: {
    params: IdParams,
    body: Type.Object(
      { role_id: Type.Optional(Type.String({ format: 'uuid', description: 'A role of the tenant the operator acts with; none: read-only' })) },
      { additionalProperties: false },
    ),
    response: SupportSessionView,
  },
  errors: [commonErrors.conflict],
  async handler(input) {
    const role = input.body.role_id ? await tenantRole(input.db, input.tenant.id, input.body.role_id, 'role_id') : null;
    return decide(input, input.deps, input.params.id, 'approved', (now, minutes) => ({
      sql: "status = 'active', role_id = $2, decided_by = $3, decided_at = $4, expires_at = $5",
      values: [role?.id ?? null, input.actor.userId ?? null, now, new Date(now.getTime() + minutes * 60_000)],
      data: { role: role?.name ?? null },
    }));
  },
});

/** A decision without a body (`POST /support-access/:id/<verb>`): `set` gives the columns it changes, from the time and the deciding user. */
function decisionRoute(verb: 'deny' | 'end', summary: string, change: Change, set: (now: Date, by: string | null) => Omit<Update, 'data'> & Partial<Update>) {
  return defineRoute({
    method: 'POST',
    path: `/support-access/:id/${verb}`,
    summary,
    tag: 'support',
    permission,
    deps,
    schema: { params: IdParams, response: SupportSessionView },
    errors: [commonErrors.conflict],
    handler: (input) => decide(input, input.deps, input.params.id, change, (now) => ({ data: {}, ...set(now, input.actor.userId ?? null) })),
  });
}

export const denySupportSession = decisionRoute('deny', 'Deny a pending request', 'denied', (now, by) => ({
  sql: "status = 'denied', decided_by = $2, decided_at = $3",
  values: [by, now],
}));

export const endSupportSession = decisionRoute('end', 'End a running session (or withdraw a pending request) at once', 'ended', (now) => ({
  sql: "status = 'ended', ended_by = 'tenant', ended_at = $2",
  values: [now],
  data: { ended_by: 'tenant' },
}));

/** Tenant-side support access routes (core.support.manage). */
export const supportRoutes: CoreRoute[] = [listSupportSessions, approveSupportSession, denySupportSession, endSupportSession];
