import { randomBytes } from 'node:crypto';
import { savePlan, type TestKernel, type TestPlan } from '../../src/testing/index.js';

/** A unique plan key (`p-<hex>`). */
export function planKey(prefix = 'p'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Saves a plan under a new key ({@link savePlan}); its id and key. */
export async function insertPlan(t: TestKernel, plan: Partial<TestPlan>): Promise<{ id: string; key: string }> {
  const key = plan.key ?? planKey();
  return { id: await savePlan(t, { ...plan, key }), key };
}

/** Moves the tenant to a saved plan, by id (as a provider's state change would), dropping its cached entitlements. */
export async function moveToPlan(t: TestKernel, tenantId: string, planId: string): Promise<void> {
  await t.sql('update tenant_subscriptions set plan_id = $2, version = version + 1 where tenant_id = $1', [tenantId, planId]);
  await t.kernel.services.entitlements.invalidate(tenantId);
}

/** A price in minor units per month. */
export const monthly = (amount: number, currency = 'USD') => ({ currency, interval: 'month' as const, amount });
