import { waterfallHook, type WaterfallHook } from '@plinth/sdk';

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

declare module '@plinth/sdk' {
  interface PlinthHooks {
    /**
     * Prices a cart's discounts: each tap receives `{ subtotal, discounts }` and returns it with its own discounts
     * appended. The shop clamps the total discount to the subtotal and ignores non-positive amounts.
     */
    'shop.cart.discounts': WaterfallHook<CartDiscounts, CartDiscountContext>;
  }
}

/** The hooks the shop offers. */
export const shopHooks = { 'shop.cart.discounts': waterfallHook<CartDiscounts, CartDiscountContext>() };
