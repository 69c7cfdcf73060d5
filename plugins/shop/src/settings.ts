import { Type } from '@plinth/sdk';

/** A flat shipping rate the buyer picks at checkout; free from `free_over` (minor units) when set. */
export const ShippingRate = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    amount: Type.Integer({ minimum: 0 }),
    free_over: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** Each tenant's shop settings. */
export const ShopSettings = Type.Object(
  {
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: "ISO 4217 currency of every price; the tenant's default currency when unset" })),
    tax_rate_bps: Type.Integer({ minimum: 0, maximum: 10_000, default: 0, description: 'Tax in basis points (2000 = 20%), added on the discounted subtotal' }),
    tax_on_shipping: Type.Boolean({ default: false, description: 'Whether shipping is taxed too' }),
    shipping_rates: Type.Array(ShippingRate, { maxItems: 20, default: [], description: 'Flat rates; none means shipping is free' }),
    stock_low_threshold: Type.Integer({ minimum: 0, default: 5, description: 'shop.stock.low fires when a variant falls to this or below' }),
    reservation_seconds: Type.Integer({ minimum: 1, maximum: 604_800, default: 1800, description: 'How long an unpaid order holds its stock' }),
    order_prefix: Type.String({ maxLength: 10, default: 'SO-', description: 'Prefix of order numbers' }),
    invoice_prefix: Type.String({ maxLength: 10, default: 'INV-', description: 'Prefix of invoice numbers' }),
  },
  { additionalProperties: false },
);
