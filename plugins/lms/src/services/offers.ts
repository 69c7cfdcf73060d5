import type { ShopOffer, ShopOffersApi } from '@plinth/plugin-shop';
import { createServiceRef, optional } from '@plinth/sdk';

/**
 * The shop's offers (`shop.offers`: price and buy page of the products selling courses), when the shop is installed
 * and enabled for the tenant; `undefined` otherwise (courses then show no price). Built from the id, not imported
 * from the shop: the shop is an optional peer, so LMS imports only its types.
 */
export const shopOffers = optional(createServiceRef<ShopOffersApi>('shop.offers'));

/** The offers of the courses' products (none without the shop). */
export async function courseOffers(shop: ShopOffersApi | undefined, productIds: readonly (string | null)[]): Promise<Map<string, ShopOffer>> {
  const ids = [...new Set(productIds.filter((id): id is string => id !== null))];
  if (!shop || ids.length === 0) return new Map();
  return shop.offers(ids);
}
