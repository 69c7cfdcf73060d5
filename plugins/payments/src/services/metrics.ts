import type { IntentStatus } from '../contract.js';
import type { Deps } from '../deps.js';

const intentStatuses: readonly IntentStatus[] = [
  'requires_payment_method',
  'requires_action',
  'processing',
  'succeeded',
  'failed',
  'cancelled',
  'partially_refunded',
  'refunded',
];

/** Counts a payment intent reaching `status` in `plinth_payments_intents_total`, once the transaction commits. */
export function countIntentStatus(deps: Pick<Deps, 'db' | 'metrics'>, status: string): void {
  const intents = deps.metrics.counter('intents_total', { help: 'Payment intents reaching each status', labels: { status: intentStatuses } });
  deps.db.afterCommit(() => intents.inc({ status }));
}

/** Counts a refund settled (`succeeded`, `failed`) in `plinth_payments_refunds_total`, once the transaction commits. */
export function countRefund(deps: Pick<Deps, 'db' | 'metrics'>, status: string): void {
  const refunds = deps.metrics.counter('refunds_total', { help: 'Refunds settled, by outcome', labels: { status: ['succeeded', 'failed'] } });
  deps.db.afterCommit(() => refunds.inc({ status }));
}
