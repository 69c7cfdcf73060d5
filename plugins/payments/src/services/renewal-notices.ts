import type { Scope } from '../deps.js';
import { paymentsPermissions } from '../permissions.js';
import type { PlanRow, SubscriptionRow } from './subscription-rows.js';

/**
 * Tells of a declined renewal, in the renewal's transaction: the subscriber (a customer account of the tenant for
 * their email, made if they have none, as the shop does for its buyers) and the staff who manage subscriptions,
 * with a link to the subscription. `final` when the subscription was cancelled for it. Keyed by the subscription,
 * its period and the attempt: a job run again does not notify twice.
 */
export async function notifyRenewalFailed(scope: Scope, row: SubscriptionRow, plan: PlanRow, attempt: number, final: boolean): Promise<void> {
  const { db, customers, notify } = scope.deps;
  const payer = (await db.one<{ email: string; name: string | null }>('select email, name from payments_customers where id = $1', [row.customer_id]))!;
  const { userId } = await customers.ensure({ email: payer.email, name: payer.name });
  const key = `renewal-failed:${row.id}:${row.current_period_end.toISOString()}:${attempt}`;
  const data = { plan: plan.name, attempt, final };
  await notify.send({ to: { userId }, template: 'payments.renewal-failed', data, key });
  await notify.send({
    to: { permission: paymentsPermissions['subscriptions.manage'].name },
    template: 'payments.renewal-failed-staff',
    data: { ...data, customer: payer.name ?? payer.email },
    link: `/subscriptions/${row.id}`,
    key: `${key}:staff`,
  });
}
