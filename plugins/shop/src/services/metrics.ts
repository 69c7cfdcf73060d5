import type { Deps } from '../deps.js';

const orderStatuses = ['pending', 'paid', 'fulfilled', 'cancelled', 'refunded'];

/**
 * Counts an order reaching `status` (`pending` when it is placed) in `plinth_shop_orders_total`, once the
 * transaction commits: a transition rolled back is not counted.
 */
export function countOrderStatus(deps: Pick<Deps, 'db' | 'metrics'>, status: string): void {
  const orders = deps.metrics.counter('orders_total', { help: 'Orders reaching each status (pending: placed)', labels: { status: orderStatuses } });
  deps.db.afterCommit(() => orders.inc({ status }));
}
