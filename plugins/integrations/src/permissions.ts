import { definePermissions } from '@plinth/sdk';

/** Integrations' permissions; `owner` holds them all. */
export const integrationsPermissions = definePermissions('integrations', {
  'webhooks.view': { description: 'View outgoing webhook endpoints, deliveries, inbound sources and connectors', grantTo: ['admin'] },
  'webhooks.manage': {
    description: 'Create, change, rotate and redeliver outgoing webhooks; manage inbound sources and connectors',
    grantTo: ['admin'],
  },
  'channels.manage': { description: 'Configure email, SMS and WhatsApp channels (with their credentials) and templates', grantTo: ['admin'] },
  'notifications.view': { description: 'View notification rules and the notification log', grantTo: ['admin'] },
  'notifications.manage': { description: 'Create and change notification rules', grantTo: ['admin'] },
});
