import type { BillingPrice } from '../billing/billing-provider.js';
import type { TestKernel } from './test-kernel.js';

/** A plan as a test needs one: its key, and what it sets (the rest: the table's defaults). */
export interface TestPlan {
  key: string;
  name?: string;
  prices?: BillingPrice[];
  limits?: Record<string, number | null>;
  /** The plugins it includes (`null`: every plugin without a price). */
  plugins?: string[] | null;
  public?: boolean;
  sort?: number;
  trial_days?: number;
}

/**
 * Writes a plan straight into `billing_plans` (created, or replaced by key) and drops the cached plans: what a host
 * administrator sets through `/admin/billing/plans`, without a super-admin in the test. Returns its id.
 */
export async function savePlan(t: TestKernel, plan: TestPlan): Promise<string> {
  const [row] = await t.sql<{ id: string }>(
    `insert into billing_plans (key, name, prices, limits, plugins, public, sort, trial_days) values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (key) do update set name = excluded.name, prices = excluded.prices, limits = excluded.limits, plugins = excluded.plugins,
       public = excluded.public, sort = excluded.sort, trial_days = excluded.trial_days, updated_at = now()
     returning id`,
    [
      plan.key,
      plan.name ?? plan.key,
      JSON.stringify(plan.prices ?? []),
      JSON.stringify(plan.limits ?? {}),
      plan.plugins ?? null,
      plan.public ?? true,
      plan.sort ?? 0,
      plan.trial_days ?? 0,
    ],
  );
  await t.kernel.services.entitlements.invalidate();
  return row!.id;
}

/** Saves `plan` ({@link savePlan}) and moves the tenant's subscription to it, as a plan change would (no charge). */
export async function putOnPlan(t: TestKernel, tenantId: string, plan: TestPlan): Promise<string> {
  const planId = await savePlan(t, plan);
  await t.sql('update tenant_subscriptions set plan_id = $2, version = version + 1 where tenant_id = $1', [tenantId, planId]);
  await t.sql('update tenants set plan = $2 where id = $1', [tenantId, plan.key]);
  await t.kernel.services.entitlements.invalidate(tenantId);
  return planId;
}

/** Puts a price on a plugin (`billing_plugin_prices`): it is sold as an add-on to plans that do not include it. */
export async function pricePlugin(t: TestKernel, plugin: string, prices: BillingPrice[]): Promise<void> {
  await t.sql(
    `insert into billing_plugin_prices (plugin, prices) values ($1, $2)
     on conflict (plugin) do update set prices = excluded.prices, updated_at = now()`,
    [plugin, JSON.stringify(prices)],
  );
  await t.kernel.services.entitlements.invalidate();
}
