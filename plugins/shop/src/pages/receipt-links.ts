import type { RequestContext } from '@plinth/sdk';
import type { Deps, Settings } from '../deps.js';
import { orderAccessLinks } from '../services/order-access.js';
import { orderEvent } from '../services/order-views.js';
import type { TokenOrder } from './public-order.js';

/** A link the receipt page lists under "Your access" (a course to start, a download). */
export interface ReceiptLink {
  label: string;
  /** A path on the platform's host (`/c/<tenant>/learn/<course>`) or an absolute URL. */
  href: string;
}

/**
 * The slot for the access links of a paid order on its receipt page. The receipt page calls it for paid and
 * fulfilled orders and lists what it returns: the links of the `shop.order.access` hook's taps (the learner's
 * pages ask them to sign in when needed, so plain paths are enough here).
 */
export async function receiptLinks(scope: { deps: Deps; ctx: RequestContext<Settings> }, order: TokenOrder): Promise<ReceiptLink[]> {
  if (order.status !== 'paid' && order.status !== 'fulfilled') return [];
  const links = await orderAccessLinks(scope.deps, scope.ctx.tenant.slug, await orderEvent(scope.deps.db, order.id));
  return links.map((link) => ({ label: link.label, href: link.path }));
}
