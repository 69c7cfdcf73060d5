import type { PluginNotificationDeclarations } from '@plinth/sdk';

/**
 * What the shop tells people. Buyers hear of their orders: paid and refunded in their inbox only (the shop mails
 * the receipt with its invoice and the refund itself, so a second mail would repeat it), shipped in their inbox and
 * by mail. Staff who manage products hear of low stock, summed up once a day unless they choose otherwise.
 */
export const shopNotifications: PluginNotificationDeclarations = {
  categories: {
    'shop.orders': {
      label: 'Your orders',
      description: 'When an order of yours is paid or refunded (the receipt and the refund come by mail as well)',
      audience: 'customer',
      channels: ['inapp'],
    },
    'shop.shipping': {
      label: 'Shipping',
      description: 'When an order of yours has shipped',
      audience: 'customer',
    },
    'shop.stock': {
      label: 'Low stock',
      description: 'When a variant’s stock falls to the shop’s low-stock threshold or below',
      audience: 'staff',
      digest: 'daily',
    },
  },
  templates: {
    'shop.order-paid': {
      category: 'shop.orders',
      title: 'Order {number} is paid',
      body: 'Thank you: {shop} received your payment of {total} and is preparing your order.',
    },
    'shop.order-shipped': {
      category: 'shop.shipping',
      title: 'Order {number} has shipped',
      body: '{shop} has sent your order {number} on its way.',
    },
    'shop.order-refunded': {
      category: 'shop.orders',
      title: 'Refund for order {number}',
      body: '{shop} refunded {amount} of your order {number}. It may take a few days to show on your statement.',
    },
    'shop.stock-low': {
      category: 'shop.stock',
      title: 'Low stock: {sku}',
      body: '{product} ({sku}) is down to {stock} in stock; the low-stock threshold is {threshold}.',
    },
  },
};
