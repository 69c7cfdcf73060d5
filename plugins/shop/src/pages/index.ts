import type { AnyRoute } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { assetRoutes } from './assets.routes.js';
import { buyRoutes } from './buy.routes.js';
import { checkoutRoutes } from './checkout.routes.js';
import { receiptRoutes } from './receipt.routes.js';

/** The shop's customer pages at `/c/:tenant/…`: buy pages, the hosted checkout and receipts. */
export function pageRoutes(builders: Builders): AnyRoute[] {
  return [...assetRoutes(builders), ...buyRoutes(builders), ...checkoutRoutes(builders), ...receiptRoutes(builders)];
}
