import { fileURLToPath } from 'node:url';
import { definePlugin } from '@plinth/sdk';
import { shopOffersRef, shopSyncRef } from './contract.js';
import { deps } from './deps.js';
import { paymentEventHandlers } from './handlers/payment-events.js';
import { shopHooks } from './hooks.js';
import { expireOrderJob } from './jobs/expire-order.job.js';
import { sendOrderMailJob } from './jobs/send-order-mail.job.js';
import { storeInvoiceJob } from './jobs/store-invoice.job.js';
import { createShopCatalogue } from './migrations/001-create-shop-catalogue.js';
import { createShopOrders } from './migrations/002-create-shop-orders.js';
import { addShopImageFiles } from './migrations/003-add-shop-image-files.js';
import { addShopInvoiceFiles } from './migrations/004-add-shop-invoice-files.js';
import { addShopInvoicePdf } from './migrations/006-add-shop-invoice-pdf.js';
import { addOrderHistoryAmount } from './migrations/007-order-history-amount.js';
import { addShopImageAlt } from './migrations/008-add-shop-image-alt.js';
import { addShopProductUnits } from './migrations/009-add-shop-product-units.js';
import { addShopOrdersPaidIndex } from './migrations/010-add-shop-orders-paid-index.js';
import { shopNotifications } from './notifications.js';
import { myOrdersPages } from './pages/my-orders.pages.js';
import { addOrderPublicToken } from './migrations/005-order-public-token.js';
import { shardReadyKeys } from './migrations/011-shard-ready-keys.js';
import { pageRoutes } from './pages/index.js';
import { shopPermissions } from './permissions.js';
import { categoryRoutes } from './routes/categories.routes.js';
import { customerRoutes } from './routes/customers.routes.js';
import { myOrderRoutes } from './routes/my-orders.routes.js';
import { orderRoutes } from './routes/orders.routes.js';
import { productRoutes } from './routes/products.routes.js';
import { salesByDayReport } from './reports/sales-by-day.report.js';
import { salesByProductReport } from './reports/sales-by-product.report.js';
import { storeCartRoutes } from './routes/store-carts.routes.js';
import { storefrontRoutes } from './routes/storefront.routes.js';
import { variantRoutes } from './routes/variants.routes.js';
import { createShopOffers } from './services/offers.js';
import { shopLimits } from './services/product-limit.js';
import { createShopSync } from './services/sync.js';
import { tenantWide } from './services/tenant-wide.js';
import { ShopSettings } from './settings.js';
import { translations } from './translations.js';
import './jobs/job-types.js';

/** Shop: catalogue, inventory, carts and checkout through payments, orders, customers, invoices and digital goods. */
export default definePlugin({
  name: 'shop',
  version: '0.1.0',
  title: 'Shop',
  description: 'Sell products: catalogue with variants and stock, carts and checkout through payments, orders, refunds, customers and invoices.',
  category: 'business',
  icon: 'store',
  requires: { core: '^0.1.0', plugins: { payments: '^0.1.0' } },
  deps,
  uses: { 'payments.payments': { access: 'write', what: 'Takes payments for orders, reads their state and refunds them' } },
  permissions: shopPermissions,
  settings: ShopSettings,
  settingsPermission: shopPermissions['settings.manage'],
  limits: shopLimits,
  hooks: shopHooks,
  migrations: [
    createShopCatalogue,
    createShopOrders,
    addShopImageFiles,
    addShopInvoiceFiles,
    addOrderPublicToken,
    addShopInvoicePdf,
    addOrderHistoryAmount,
    addShopImageAlt,
    addShopProductUnits,
    addShopOrdersPaidIndex,
    shardReadyKeys,
  ],
  translations,
  notifications: shopNotifications,
  web: {
    directory: fileURLToPath(new URL('../web-dist', import.meta.url)),
    screens: [
      { element: 'shop-product-editor', label: 'Product', on: '/products/:id', primary: true, icon: 'package', permission: shopPermissions['products.manage'] },
      { element: 'shop-order-view', label: 'Order', on: '/orders/:id', primary: true, icon: 'store', permission: shopPermissions['orders.view'] },
      { element: 'shop-sales', label: 'Sales overview', on: '/orders', icon: 'chart', permission: shopPermissions['orders.view'] },
    ],
  },
  navigation: [
    { label: 'Products', icon: 'package', path: '/products', permission: shopPermissions['products.view'] },
    { label: 'Orders', icon: 'receipt', path: '/orders', permission: shopPermissions['orders.view'] },
    { label: 'Customers', icon: 'users', path: '/customers', permission: shopPermissions['orders.view'] },
  ],
  routes: (builders) => [
    ...productRoutes(builders),
    ...variantRoutes(builders),
    ...categoryRoutes(builders),
    ...orderRoutes(builders).map(tenantWide),
    ...customerRoutes(builders).map(tenantWide),
    ...myOrderRoutes(builders),
    ...myOrdersPages(builders),
    ...storefrontRoutes(builders),
    ...storeCartRoutes(builders),
    ...pageRoutes(builders),
  ],
  jobs: (builders) => [expireOrderJob(builders), storeInvoiceJob(builders), sendOrderMailJob(builders)],
  events: (builders) => paymentEventHandlers(builders),
  reports: (builders) => [salesByDayReport(builders), salesByProductReport(builders)],
  services: ({ provide }) => [
    provide(shopSyncRef, ({ deps, settings }) => createShopSync({ deps, settings })),
    provide(shopOffersRef, ({ deps, settings, tenant }) => createShopOffers({ deps, settings, tenant })),
  ],
});
