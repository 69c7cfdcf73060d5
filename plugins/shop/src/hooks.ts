import { waterfallHook, type WaterfallHook } from '@plinth/sdk';
import type { OrderEvent } from './contract.js';

/** One discount applied to a cart; `amount` in minor units, positive. */
export interface CartDiscount {
  code: string;
  label: string;
  amount: number;
}

/** What the discount hook passes along: the subtotal and the discounts so far. */
export interface CartDiscounts {
  subtotal: number;
  discounts: CartDiscount[];
}

/** What taps know about the cart being priced. */
export interface CartDiscountContext {
  currency: string;
  customerEmail: string | null;
  lines: { variantId: string; productId: string; sku: string; quantity: number; unitPrice: number; metadata: Record<string, unknown> }[];
}

/** A link into what a paid order gives access to (a course, a download); `path` from `pagePath(tenant, …)`. */
export interface OrderAccessLink {
  /** The order line it belongs to, or null for the whole order. */
  lineId: string | null;
  label: string;
  /** A tenant page path (`/c/<tenant>/…`): the receipt wraps it in a single-use sign-in link for the buyer. */
  path: string;
}

/** What the access hook passes along: the paid order and the links so far. */
export interface OrderAccess {
  order: OrderEvent;
  links: OrderAccessLink[];
}

declare module '@plinth/sdk' {
  interface PlinthHooks {
    /**
     * Prices a cart's discounts: each tap receives `{ subtotal, discounts }` and returns it with its own discounts
     * appended. The shop clamps the total discount to the subtotal and ignores non-positive amounts.
     */
    'shop.cart.discounts': WaterfallHook<CartDiscounts, CartDiscountContext>;
    /**
     * Collects what a paid order gives access to, for its receipt: each tap receives `{ order, links }` and returns
     * it with its own links appended (LMS adds `Start <course>` → `/c/<tenant>/learn/<courseId>`). Called after the
     * order is paid, once per receipt; taps must not change anything.
     */
    'shop.order.access': WaterfallHook<OrderAccess>;
  }
}

/** The hooks the shop offers. */
export const shopHooks = {
  'shop.cart.discounts': waterfallHook<CartDiscounts, CartDiscountContext>(),
  'shop.order.access': waterfallHook<OrderAccess>(),
};
