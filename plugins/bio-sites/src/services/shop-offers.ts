import { createServiceRef, optional, ValidationError } from '@plinth/sdk';
import type { ShopOffer, ShopOffersApi } from '@plinth/plugin-shop';

/** What the shop sells an active product for; `image` (a public image URL) is shown when the shop gives one. */
export type ProductOffer = ShopOffer & { image?: string | null };

/** The shop's offers service (`shop.offers`): by product id, active products only. */
export type ShopOffers = ShopOffersApi;

/**
 * `shop.offers`, when the shop is installed and enabled for the tenant; `undefined` otherwise (product blocks then
 * cannot be saved and render nothing). The ref is made here under the shop's id, with the shop's types, so that
 * Bio Sites loads no shop code: the shop stays an optional plugin.
 */
export const shopOffersRef = optional(createServiceRef<ShopOffers>('shop.offers'));

/**
 * The id of the active product `slug` names, refusing with a `data.product_slug` error a tenant without the shop, an
 * unknown slug, or a product not on sale (draft, archived). The slug is looked up once, when the block is saved; the
 * page then follows the product by id (a renamed slug keeps working).
 */
export async function resolveProduct(deps: { shop: ShopOffers | undefined }, slug: string): Promise<string> {
  const refuse = (message: string) => new ValidationError({ 'data.product_slug': [message] });
  if (!deps.shop) throw refuse('needs the Shop plugin enabled for this workspace');
  const offer = await deps.shop.offerBySlug(slug);
  if (!offer) throw refuse('is not a product on sale in this shop (it must exist and be active)');
  return offer.productId;
}
