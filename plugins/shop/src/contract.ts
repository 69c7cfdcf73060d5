import { createServiceRef } from '@plinth/sdk';

/**
 * The shop's public contract: its events (LMS enrols on `shop.order.paid`,
 * CRM records orders) and the sync service connectors (WooCommerce) use.
 * Change it only compatibly.
 */

export interface OrderCustomer {
  id: string;
  email: string;
  name: string | null;
  /** The signed-in user who bought, when there was one. */
  userId: string | null;
}

export interface PaidOrderLine {
  lineId: string;
  productId: string;
  variantId: string;
  sku: string;
  name: string;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
  total: number;
  /** The product's metadata, e.g. `{ lms_course_id: '…' }` for a course sold as a digital good. */
  metadata: Record<string, unknown>;
}

export interface OrderEvent {
  orderId: string;
  number: string;
  currency: string;
  total: number;
  customer: OrderCustomer;
  lines: PaidOrderLine[];
}

declare module '@plinth/sdk' {
  interface PlinthEvents {
    'shop.order.created': OrderEvent;
    'shop.order.paid': OrderEvent;
    'shop.order.fulfilled': OrderEvent;
    'shop.order.cancelled': OrderEvent;
    'shop.order.refunded': OrderEvent & { refundAmount: number; lineIds: string[] };
    'shop.product.created': { productId: string; slug: string; name: string };
    'shop.product.updated': { productId: string; slug: string; name: string };
    'shop.product.deleted': { productId: string; slug: string; name: string };
    'shop.stock.low': { variantId: string; sku: string; stock: number; threshold: number };
  }
}

/** A product from another system, keyed by its source and id there. */
export interface ExternalProduct {
  source: string;
  externalId: string;
  name: string;
  description?: string;
  status: 'draft' | 'active' | 'archived';
  images?: string[];
  variants: { externalId: string; sku: string; name?: string; price: number; stock: number | null }[];
}

/** An order from another system, keyed by its source and id there. */
export interface ExternalOrder {
  source: string;
  externalId: string;
  status: 'pending' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded';
  currency: string;
  customer: { email: string; name?: string };
  lines: { sku: string; name: string; quantity: number; unitPrice: number }[];
  total: number;
  placedAt: string;
}

/** Upserts from connectors: idempotent by (source, externalId); a repeat with the same data changes nothing. */
export interface ShopSyncApi {
  upsertProduct(product: ExternalProduct): Promise<{ productId: string; created: boolean }>;
  upsertOrder(order: ExternalOrder): Promise<{ orderId: string; created: boolean }>;
}

export const shopSyncRef = createServiceRef<ShopSyncApi>('shop.sync');

/** An active product as other plugins show it for sale (the LMS catalogue's price and "Buy" link). */
export interface ShopOffer {
  slug: string;
  name: string;
  /** The lowest price among its variants, in minor units. */
  price: number;
  /** ISO 4217, upper-case. */
  currency: string;
  /** The product's buy page (its shareable payment link): `/c/<tenant>/buy/<slug>`, a path on the platform's host. */
  buyPath: string;
}

/** What is on sale: offers of active products with at least one variant. */
export interface ShopOffersApi {
  /** The offers of those of `productIds` that are active products of the tenant (others are left out). */
  offers(productIds: readonly string[]): Promise<Map<string, ShopOffer>>;
  /** The offer of the active product with this slug, with its id (to follow the product when its slug changes). */
  offerBySlug(slug: string): Promise<(ShopOffer & { productId: string }) | undefined>;
}

export const shopOffersRef = createServiceRef<ShopOffersApi>('shop.offers');

// Also part of the contract, defined beside the code that uses them: the cart-discount and order-access hooks' types, the
// permissions and the settings schema.
export type { CartDiscount, CartDiscountContext, CartDiscounts, OrderAccess, OrderAccessLink } from './hooks.js';
export { shopPermissions } from './permissions.js';
export { ShopSettings } from './settings.js';
