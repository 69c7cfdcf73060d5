import { ConflictError } from '@plinth/sdk';
import type { ShopSyncApi } from '@plinth/plugin-shop';
import type { Deps } from '../deps.js';

/**
 * The shop's sync service, or `undefined` when the tenant has not enabled the shop (or it is not installed).
 * The kernel offers no "is plugin X enabled here" query: resolving the optional dep throws its misuse error then.
 */
export function shopSyncOf(deps: Pick<Deps, 'shopSync'>): ShopSyncApi | undefined {
  try {
    return deps.shopSync;
  } catch (error) {
    if ((error as Error | null)?.name === 'PluginMisuseError') return undefined;
    throw error;
  }
}

/** The shop's sync service, or 409 `shop_not_enabled`. */
export function requireShopSync(deps: Pick<Deps, 'shopSync'>): ShopSyncApi {
  const sync = shopSyncOf(deps);
  if (!sync) throw new ConflictError('The shop plugin is not enabled for this tenant: enable it to sync WooCommerce', { code: 'shop_not_enabled' });
  return sync;
}
