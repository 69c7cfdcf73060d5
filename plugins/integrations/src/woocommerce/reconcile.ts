import type { Deps } from '../deps.js';
import { messageOf, truncate } from '../util.js';
import type { ConnectionRow } from './connection-store.js';
import { MappingError, type WooOrder, type WooProduct } from './mapping.js';
import { createStoreReader } from './rest-client.js';
import { syncRecord } from './sync.js';

/** Re-reads records changed since the last run, with this much overlap (clock skew between the store and us). */
const OVERLAP_MS = 5 * 60_000;

/** What one reconciliation did. */
export interface ReconcileSummary {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/**
 * Reconciles one connection: reads products, then orders, modified since the last run through the REST API and
 * syncs each (idempotently). Records the time and any error on the connection instead of throwing.
 */
export async function reconcileConnection(
  deps: Pick<Deps, 'db' | 'secrets' | 'shopSync' | 'logger' | 'clock' | 'http' | 'audit'>,
  connection: ConnectionRow,
  touch: () => Promise<void>,
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  const started = deps.clock.now();
  const shop = deps.shopSync;
  try {
    if (!shop) throw new Error('the shop plugin is not enabled for this tenant');
    const reader = createStoreReader(
      { url: connection.store_url, consumerKey: connection.consumer_key, consumerSecret: deps.secrets.open(connection.consumer_secret_sealed) },
      deps.http,
    );
    const since = connection.last_reconciled_at ? new Date(connection.last_reconciled_at.getTime() - OVERLAP_MS) : null;
    for (const kind of ['products', 'orders'] as const) {
      for (let page = 1, more = true; more; page += 1) {
        const result = await reader.page(kind, page, since);
        more = result.more;
        for (const item of result.items) {
          try {
            const outcome =
              kind === 'orders'
                ? await syncRecord(deps.db, shop, connection.id, { kind: 'order', data: item as WooOrder })
                : await syncRecord(deps.db, shop, connection.id, { kind: 'product', data: item as WooProduct, currency: connection.currency });
            summary[outcome.status] += 1;
          } catch (error) {
            if (!(error instanceof MappingError)) throw error;
            summary.skipped += 1;
            deps.logger.warn({ connectionId: connection.id, kind, externalId: item.id, reason: error.message }, 'WooCommerce record skipped');
          }
        }
        await touch();
      }
    }
    await deps.db.query('update integrations_woo_connections set last_reconciled_at = $2, last_error = null, updated_at = now() where id = $1', [
      connection.id,
      started,
    ]);
  } catch (error) {
    await deps.db.query('update integrations_woo_connections set last_error = $2, updated_at = now() where id = $1', [
      connection.id,
      truncate(messageOf(error), 500),
    ]);
    deps.logger.warn({ connectionId: connection.id, err: messageOf(error) }, 'WooCommerce reconciliation failed');
  }
  // One entry per run that changed the shop, even one cut short by an error (what it synced stays): not one per record.
  if (summary.created + summary.updated > 0) {
    const rows = summary.created + summary.updated + summary.unchanged + summary.skipped;
    await deps.audit.record({ entity: 'import', verb: 'completed', target: connection.id, data: { source: 'woocommerce', rows, ...summary } });
  }
  return summary;
}
