import { pagePath } from '@plinth/sdk';
import type { OrderEvent } from '../contract.js';
import type { Deps } from '../deps.js';
import type { OrderAccessLink } from '../hooks.js';

/**
 * What a paid order gives access to, from the taps of `shop.order.access` (LMS: its courses), for the receipt mail
 * and page. Only links onto the tenant's own pages are kept: a receipt never sends a buyer elsewhere.
 */
export async function orderAccessLinks(deps: Pick<Deps, 'hooks'>, tenantSlug: string, order: OrderEvent): Promise<OrderAccessLink[]> {
  const { links } = await deps.hooks.call('shop.order.access', { order, links: [] }, undefined);
  const own = pagePath(tenantSlug, '/');
  return links.filter((link) => typeof link.path === 'string' && link.path.startsWith(own) && !link.path.includes('//') && typeof link.label === 'string');
}
