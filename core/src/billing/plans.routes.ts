import { commonErrors, ConflictError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import { PlanView, planView } from './billing-views.js';
import { adminPlan, adminPlans, checkPlan, insertPlan, NewPlan, PlanChanges, updatePlan, type AdminPlanRow, type PlanContext } from './plans.js';

// The host's plans (docs/billing.md §Plans and limits). Admin routes run on the system path; each change is recorded
// in the host audit log and drops the cached entitlements (every process reads the new plan on its next request).

const AdminPlan = Exact({ ...PlanView.properties, tenants: Type.Integer({ description: 'Tenants on the plan' }) });
const PlanParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const deps = { entitlements: kernelRefs.entitlements, plugins: kernelRefs.plugins };
const adminPlanView = (plan: AdminPlanRow) => ({ ...planView(plan), tenants: plan.tenants });

function planContext(services: Pick<KernelServices, 'entitlements' | 'plugins'>): PlanContext {
  return {
    catalogue: services.entitlements.catalogue(),
    plugins: new Set(services.plugins.plugins.filter((plugin) => plugin.scope !== 'host').map((plugin) => plugin.name)),
  };
}

export const listPublicPlans = defineRoute({
  method: 'GET',
  path: '/billing/plans',
  summary: 'The plans a new or existing tenant may choose: public, not archived, by sort',
  tag: 'billing',
  public: true,
  schema: { response: Type.Array(PlanView) },
  deps: { entitlements: kernelRefs.entitlements },
  errors: [],
  async handler({ deps }) {
    return (await deps.entitlements.plans()).filter((plan) => plan.public && !plan.archived_at).map(planView);
  },
});

export const listPlansAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/billing/plans',
  summary: 'Every plan, archived ones too, with the number of tenants on each, by sort then key',
  tag: 'admin',
  superAdmin: true,
  schema: { response: Type.Array(AdminPlan) },
  errors: [],
  async handler({ db }) {
    return (await adminPlans(db)).map(adminPlanView);
  },
});

export const createPlan = defineRoute({
  method: 'POST',
  path: '/admin/billing/plans',
  summary: 'Create a plan: prices, trial, limits (keys from `GET /admin/billing/limits`) and the plugins it includes',
  tag: 'admin',
  superAdmin: true,
  schema: { body: NewPlan, response: withStatus(AdminPlan, 201) },
  deps,
  errors: [commonErrors.conflict],
  async handler({ db, body, deps, audit }) {
    checkPlan(body, planContext(deps));
    const id = await insertPlan(db, body);
    const plan = await adminPlan(db, id);
    await audit({ action: 'admin.billing.plan_created', targetType: 'billing_plan', targetId: id, data: { plan: planView(plan) } });
    db.afterCommit(() => deps.entitlements.invalidate());
    return Reply.created(adminPlanView(plan));
  },
});

export const getPlanAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/billing/plans/:id',
  summary: 'One plan, with the number of tenants on it',
  tag: 'admin',
  superAdmin: true,
  schema: { params: PlanParams, response: AdminPlan },
  errors: [],
  async handler({ db, params }) {
    return adminPlanView(await adminPlan(db, params.id));
  },
});

export const updatePlanAsAdmin = defineRoute({
  method: 'PATCH',
  path: '/admin/billing/plans/:id',
  summary: "Change a plan's name, prices, trial, limits, plugins, visibility or order; tenants on it get the new limits at once",
  tag: 'admin',
  superAdmin: true,
  schema: { params: PlanParams, body: PlanChanges, response: AdminPlan },
  deps,
  errors: [],
  async handler({ db, params, body, deps, audit }) {
    checkPlan(body, planContext(deps));
    const before = await adminPlan(db, params.id, true);
    await updatePlan(db, params.id, body);
    const after = await adminPlan(db, params.id);
    await audit({
      action: 'admin.billing.plan_changed',
      targetType: 'billing_plan',
      targetId: params.id,
      data: { before: planView(before), after: planView(after) },
    });
    db.afterCommit(() => deps.entitlements.planChanged(params.id));
    return adminPlanView(after);
  },
});

export const archivePlan = defineRoute({
  method: 'POST',
  path: '/admin/billing/plans/:id/archive',
  summary: 'Archive a plan: no longer offered; tenants on it keep it until they change (the default plan cannot be archived)',
  tag: 'admin',
  superAdmin: true,
  schema: { params: PlanParams, response: AdminPlan },
  deps,
  errors: [commonErrors.conflict],
  async handler({ db, params, deps, audit }) {
    const plan = await adminPlan(db, params.id, true);
    if (plan.is_default) throw new ConflictError('The default plan cannot be archived: make another plan the default first');
    if (plan.archived_at) throw new ConflictError('The plan is archived already');
    await db.query('update billing_plans set archived_at = now(), updated_at = now() where id = $1', [params.id]);
    await audit({ action: 'admin.billing.plan_archived', targetType: 'billing_plan', targetId: params.id, data: { key: plan.key, tenants: plan.tenants } });
    db.afterCommit(() => deps.entitlements.invalidate());
    return adminPlanView(await adminPlan(db, params.id));
  },
});

export const makeDefaultPlan = defineRoute({
  method: 'POST',
  path: '/admin/billing/plans/:id/default',
  summary: 'Make a plan the default: the plan of new tenants that choose none (tenants already subscribed keep theirs)',
  tag: 'admin',
  superAdmin: true,
  schema: { params: PlanParams, response: AdminPlan },
  deps,
  errors: [commonErrors.conflict],
  async handler({ db, params, deps, audit }) {
    // One default at a time: concurrent changes take turns.
    await db.lock('core/billing/default-plan');
    const plan = await adminPlan(db, params.id, true);
    if (plan.archived_at) throw new ConflictError('An archived plan cannot be the default');
    if (!plan.is_default) {
      const previous = await db.one<{ id: string; key: string }>(
        'update billing_plans set is_default = false, updated_at = now() where is_default returning id, key',
      );
      await db.query('update billing_plans set is_default = true, updated_at = now() where id = $1', [params.id]);
      await audit({
        action: 'admin.billing.plan_made_default',
        targetType: 'billing_plan',
        targetId: params.id,
        data: { key: plan.key, previous: previous?.key ?? null },
      });
      db.afterCommit(() => deps.entitlements.invalidate());
    }
    return adminPlanView(await adminPlan(db, params.id));
  },
});

export const listLimitCatalogue = defineRoute({
  method: 'GET',
  path: '/admin/billing/limits',
  summary: "Every limit a plan can set: core's quotas and those the installed plugins declare",
  tag: 'admin',
  superAdmin: true,
  schema: { response: Type.Array(Exact({ limit: Type.String(), label: Type.String(), plugin: Type.Union([Type.String(), Type.Null()]) })) },
  deps: { entitlements: kernelRefs.entitlements },
  errors: [],
  async handler({ deps }) {
    return deps.entitlements.catalogue();
  },
});

/** The plan routes: the public list, and the host administrators' (core-routes.ts mounts them). */
export const planRoutes: readonly CoreRoute[] = [
  listPublicPlans,
  listPlansAsAdmin,
  createPlan,
  getPlanAsAdmin,
  updatePlanAsAdmin,
  archivePlan,
  makeDefaultPlan,
  listLimitCatalogue,
];
