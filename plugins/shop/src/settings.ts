import { BasisPoints, Money, Type } from '@plinth/sdk';

/** A flat shipping rate the buyer picks at checkout; free from `free_over` (minor units) when set. */
export const ShippingRate = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9_-]{1,40}$', title: 'Code', description: 'Lowercase letters, digits, - and _', examples: ['standard'] }),
    name: Type.String({ minLength: 1, maxLength: 80, title: 'Name', examples: ['Standard delivery'] }),
    amount: Money({ title: 'Price' }),
    free_over: Type.Optional(Money({ title: 'Free from', description: 'Orders of this subtotal or more ship free' })),
  },
  { additionalProperties: false, title: 'Shipping rate' },
);

/** Each tenant's shop settings. */
export const ShopSettings = Type.Object(
  {
    currency: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{3}$',
        title: 'Currency',
        description: "ISO 4217 currency of every price; the tenant's default currency when unset",
        examples: ['EUR'],
      }),
    ),
    tax_rate_bps: BasisPoints({ default: 0, title: 'Tax rate', description: 'Added on the discounted subtotal' }),
    tax_on_shipping: Type.Boolean({ default: false, title: 'Tax shipping', description: 'Whether shipping is taxed too' }),
    shipping_rates: Type.Array(ShippingRate, { maxItems: 20, default: [], title: 'Shipping rates', description: 'Flat rates; none means shipping is free' }),
    stock_low_threshold: Type.Integer({
      minimum: 0,
      default: 5,
      title: 'Low stock threshold',
      description: 'A variant counts as low on stock (shop.stock.low) when it falls to this or below',
    }),
    reservation_seconds: Type.Integer({
      minimum: 1,
      maximum: 604_800,
      default: 1800,
      title: 'Stock hold (seconds)',
      description: 'How long an unpaid order holds its stock',
    }),
    order_prefix: Type.String({ maxLength: 10, default: 'SO-', title: 'Order number prefix' }),
    invoice_prefix: Type.String({ maxLength: 10, default: 'INV-', title: 'Invoice number prefix' }),
    units: Type.Boolean({
      default: false,
      title: 'Products belong to organisation units',
      description: "Each product may name one of the tenant's units; staff whose role applies to units see and manage only their units' products",
    }),
  },
  { additionalProperties: false },
);
