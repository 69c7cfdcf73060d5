import { definePlugin, type Plugin } from '@plinth/sdk';
import './jobs/job-types.js';
import { deps } from './deps.js';
import { deliverWebhookJob } from './jobs/deliver-webhook.job.js';
import { createWebhooks } from './migrations/001-create-webhooks.js';
import { createMessaging } from './migrations/002-create-messaging.js';
import { createInbound } from './migrations/003-create-inbound.js';
import { dropInbox } from './migrations/004-drop-inbox.js';
import { shardReadyKeys } from './migrations/005-shard-ready-keys.js';
import { runtimeOf, type IntegrationsOptions } from './options.js';
import { integrationsPermissions } from './permissions.js';
import { deliveryRoutes } from './routes/deliveries.routes.js';
import { channelRoutes } from './routes/channels.routes.js';
import { ruleRoutes } from './routes/rules.routes.js';
import { sendRoutes } from './routes/sends.routes.js';
import { templateRoutes } from './routes/templates.routes.js';
import { sendNotificationJob } from './jobs/send-notification.job.js';
import { applyRules } from './notifications/apply-rules.js';
import { notificationSendTap } from './notifications/channel-send.tap.js';
import { integrationsNotifications } from './notifications/declarations.js';
import { inboundRoutes } from './routes/inbound.routes.js';
import { wooCommerceRoutes } from './routes/woocommerce.routes.js';
import { reconcileWooCommerceJob } from './jobs/reconcile-woocommerce.job.js';
import { webhookRoutes } from './routes/webhooks.routes.js';
import { IntegrationsSettings } from './settings.js';
import { translations } from './translations.js';
import { fanOutEvent } from './webhooks/fan-out.js';

/**
 * Integrations, built with host-level options (loopback stores, the delivery timeout, the Twilio base URL). The default
 * export is this with the defaults (read from the environment).
 */
export function createIntegrationsPlugin(options: IntegrationsOptions = {}): Plugin {
  const runtime = runtimeOf(options);
  return definePlugin({
    name: 'integrations',
    version: '0.1.0',
    title: 'Integrations',
    description: 'Signed outgoing webhooks, email/SMS/WhatsApp channels, notification rules and inbound connectors (WooCommerce).',
    category: 'business',
    icon: 'plug',
    author: 'Plinth',
    requires: { core: '^0.1.0', optionalPlugins: { shop: '^0.1.0' } },
    deps,
    uses: { 'shop.sync': { access: 'write', what: 'Creates and updates shop products and orders synced from WooCommerce (when the shop is enabled)' } },
    permissions: integrationsPermissions,
    settings: IntegrationsSettings,
    translations,
    migrations: [createWebhooks, createMessaging, createInbound, dropInbox, shardReadyKeys],
    notifications: integrationsNotifications,
    navigation: [
      { label: 'Webhooks', icon: 'webhook', path: '/webhooks', permission: integrationsPermissions['webhooks.view'] },
      { label: 'Channels', icon: 'inbox', path: '/channels', permission: integrationsPermissions['channels.manage'] },
      { label: 'Notification rules', icon: 'bell', path: '/notification-rules', permission: integrationsPermissions['notifications.view'] },
      { label: 'WooCommerce', icon: 'cart', path: '/woocommerce/connections', permission: integrationsPermissions['webhooks.view'] },
    ],
    routes: (builders) => [
      ...webhookRoutes(builders),
      ...deliveryRoutes(builders),
      ...channelRoutes(builders),
      ...templateRoutes(builders),
      ...ruleRoutes(builders),
      ...sendRoutes(builders),
      ...inboundRoutes(builders),
      ...wooCommerceRoutes(builders),
    ],
    jobs: (builders) => [deliverWebhookJob(builders, runtime), sendNotificationJob(builders, runtime), reconcileWooCommerceJob(builders)],
    events: ({ onAny }) => [
      onAny(async ({ event, deps }) => fanOutEvent(deps, event), { id: 'webhooks.fan-out' }),
      onAny(async ({ event, deps, ctx }) => applyRules(deps, event, ctx.tenant), { id: 'notifications.rules' }),
    ],
    taps: (builders) => [notificationSendTap(builders, runtime)],
  });
}

/** Integrations with the host's defaults. */
export default createIntegrationsPlugin();
