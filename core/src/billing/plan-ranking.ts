import type { BillingPrice, PlanRow } from './billing-provider.js';

/** Whether `plan` includes `plugin`: its list names it, or it lists none and the plugin is not sold as an add-on. */
export function includesPlugin(plan: Pick<PlanRow, 'plugins'>, plugin: string, prices: Readonly<Record<string, BillingPrice[]>>): boolean {
  return plan.plugins ? plan.plugins.includes(plugin) : !prices[plugin];
}

/**
 * The plan's maximum of `limit`, before a tenant's overrides: its own value when it sets one (`null`: unlimited),
 * else the host's default for a core quota, else unlimited (a plugin's limit).
 */
export function limitOf(plan: Pick<PlanRow, 'limits'>, limit: string, defaults: object): number | null {
  if (limit in plan.limits) return plan.limits[limit] ?? null;
  const fallback = (defaults as Record<string, number | undefined>)[limit];
  return fallback ?? null;
}

/** What a plan costs a month at its cheapest price (a yearly price over twelve months); 0 for a plan without a price. */
export function monthlyAmount(plan: Pick<PlanRow, 'prices'>): number {
  const amounts = plan.prices.map((price) => (price.interval === 'year' ? price.amount / 12 : price.amount));
  return amounts.length > 0 ? Math.min(...amounts) : 0;
}

/** The cheapest public, non-archived plan among `candidates` (then by `sort`), or undefined. */
export function cheapestPlan(candidates: readonly PlanRow[]): PlanRow | undefined {
  return candidates
    .filter((plan) => plan.public && !plan.archived_at)
    .sort((a, b) => monthlyAmount(a) - monthlyAmount(b) || a.sort - b.sort || a.key.localeCompare(b.key))[0];
}
