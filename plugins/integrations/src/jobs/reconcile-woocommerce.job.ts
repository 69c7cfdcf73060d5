import type { Builders } from '../deps.js';
import type { ConnectionRow } from '../woocommerce/connection-store.js';
import { reconcileConnection } from '../woocommerce/reconcile.js';

/** `integrations.woocommerce.reconcile`: one connection (a manual run) or every enabled one (the tenant's schedule). */
export function reconcileWooCommerceJob({ job }: Builders) {
  return job({
    name: 'integrations.woocommerce.reconcile',
    concurrency: 2,
    maxRetries: 2,
    async run({ payload, deps, ctx }) {
      const connections = await deps.db.query<ConnectionRow>(
        'select * from integrations_woo_connections where enabled and ($1::uuid is null or id = $1) order by created_at',
        [payload.connectionId ?? null],
      );
      for (const connection of connections) await reconcileConnection(deps, connection, () => ctx.touch());
    },
  });
}
