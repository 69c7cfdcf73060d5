import { integrationsErrors } from '../errors.js';
import type { ShopSyncApi } from '@plinth/plugin-shop';
import type { Deps } from '../deps.js';

/** The shop's sync service, or 409 `shop_not_enabled` when the tenant has not enabled the shop (or it is not installed). */
export function requireShopSync(deps: Pick<Deps, 'shopSync'>): ShopSyncApi {
  if (!deps.shopSync) throw integrationsErrors.shop_not_enabled('The shop plugin is not enabled for this tenant: enable it to sync WooCommerce');
  return deps.shopSync;
}
