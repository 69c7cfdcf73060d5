import { definePermissions } from '@plinth/sdk';

/** What the shop lets roles do; the roles in `grantTo` gain them when their tenant enables the shop. */
export const shopPermissions = definePermissions('shop', {
  'products.view': { description: 'See products, variants, categories and stock', grantTo: ['admin', 'member', 'viewer'], units: true },
  'products.manage': { description: 'Create and edit products, variants, categories; adjust stock', grantTo: ['admin'], units: true },
  'orders.view': { description: 'See orders, customers and invoices', grantTo: ['admin'] },
  'orders.manage': { description: 'Create, fulfil and cancel orders; add notes', grantTo: ['admin'] },
  'orders.own': { description: "See one's own orders, receipts and invoices", grantTo: ['admin', 'member', 'viewer', 'customer'] },
  'orders.refund': { description: 'Refund orders (money goes back through payments)', grantTo: ['admin'] },
  'settings.manage': { description: 'Change the shop settings (tax, shipping, thresholds)', grantTo: ['admin'] },
});
