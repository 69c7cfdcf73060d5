import { definePlugin, type Plugin } from '@plinth/sdk';
import { deps } from './deps.js';
import { paymentsHooks } from './hooks.js';
import { testGatewayDeliverJob } from './jobs/test-gateway-deliver.job.js';
import { createPaymentsIntents } from './migrations/001-create-payments-intents.js';
import { createPaymentsSubscriptions } from './migrations/002-create-payments-subscriptions.js';
import { addPayerSecrets } from './migrations/003-add-payer-secrets.js';
import { addTransactionFees } from './migrations/004-add-transaction-fees.js';
import { shardReadyKeys } from './migrations/005-shard-ready-keys.js';
import { paymentsNotifications } from './notifications.js';
import { reconciliationReport } from './reports/reconciliation.report.js';
import { renewSubscriptionsJob } from './jobs/renew-subscriptions.job.js';
import { planRoutes } from './routes/plans.routes.js';
import { subscriptionRoutes } from './routes/subscriptions.routes.js';
import { paymentsRef } from './contract.js';
import { paymentsPermissions } from './permissions.js';
import { intentRoutes } from './routes/intents.routes.js';
import { payerRoutes } from './routes/payer.routes.js';
import { providerRoutes } from './routes/providers.routes.js';
import { refundRoutes } from './routes/refunds.routes.js';
import { webhookRoutes } from './routes/webhooks.routes.js';
import { createPaymentsApi } from './services/payments-api.js';
import type { PaymentsOptions } from './services/payments.js';
import { PaymentsSettings } from './settings.js';
import { translations } from './translations.js';
import './jobs/job-types.js';

/**
 * Builds the payments plugin with host-level options (where the Stripe adapter sends its requests). The package's
 * default export is built with `PLINTH_STRIPE_API_BASE` from the environment, or Stripe's own API.
 */
export function createPaymentsPlugin(options: PaymentsOptions = {}): Plugin {
  return definePlugin({
    name: 'payments',
    version: '0.1.0',
    title: 'Payments',
    description:
      'Takes payments through pluggable gateways (test, manual, Stripe, and more from plugins): intents, refunds, webhooks, plans and subscriptions.',
    category: 'business',
    icon: 'card',
    requires: { core: '^0.1.0' },
    deps,
    permissions: paymentsPermissions,
    settings: PaymentsSettings,
    hooks: paymentsHooks,
    migrations: [createPaymentsIntents, createPaymentsSubscriptions, addPayerSecrets, addTransactionFees, shardReadyKeys],
    translations,
    notifications: paymentsNotifications,
    navigation: [
      { label: 'Payments', icon: 'card', path: '/intents', permission: paymentsPermissions['transactions.view'] },
      { label: 'Refunds', icon: 'refund', path: '/refunds', permission: paymentsPermissions['transactions.view'] },
      { label: 'Subscriptions', icon: 'repeat', path: '/subscriptions', permission: paymentsPermissions['transactions.view'] },
    ],
    routes: (builders) => [
      ...intentRoutes(builders, options),
      ...payerRoutes(builders, options),
      ...refundRoutes(builders, options),
      ...providerRoutes(builders, options),
      ...webhookRoutes(builders, options),
      ...planRoutes(builders),
      ...subscriptionRoutes(builders, options),
    ],
    jobs: (builders) => [testGatewayDeliverJob(builders, options), renewSubscriptionsJob(builders, options)],
    reports: (builders) => [reconciliationReport(builders)],
    services: ({ provide }) => [provide(paymentsRef, ({ deps, settings, tenantId }) => createPaymentsApi({ deps, settings, tenantId }, options))],
  });
}

/** Payments, with the Stripe and Paymob adapters pointed at `PLINTH_STRIPE_API_BASE` / `PLINTH_PAYMOB_API_BASE` when set. */
export default createPaymentsPlugin({
  stripe: { apiBase: process.env.PLINTH_STRIPE_API_BASE ?? 'https://api.stripe.com' },
  ...(process.env.PLINTH_PAYMOB_API_BASE ? { paymob: { apiBase: process.env.PLINTH_PAYMOB_API_BASE } } : {}),
});
