import type { PluginNotificationDeclarations } from '@plinth/sdk';

/**
 * What Integrations notifies through the kernel: in-app rules (their template, rendered by the rule, is the
 * whole text) and disabled webhook endpoints (to the members who manage webhooks). Arabic in translations.ts.
 */
export const integrationsNotifications = {
  categories: {
    'integrations.rules': {
      label: 'Notification rules',
      description: 'What the notification rules of the workspace send to your inbox',
      audience: 'staff',
      channels: ['inapp'],
    },
    'integrations.webhooks': {
      label: 'Disabled webhook endpoints',
      description: 'A webhook endpoint stopped receiving deliveries',
      audience: 'staff',
    },
  },
  templates: {
    'integrations.rule': { category: 'integrations.rules', title: '{title}', body: '{body}' },
    'integrations.endpoint-disabled': {
      category: 'integrations.webhooks',
      title: 'A webhook endpoint was disabled',
      body:
        'Deliveries to {url} stopped: {reason, select, gone {the receiver answered 410 Gone} other {every delivery failed for {hours, plural, one {# hour} other {# hours}}}}. ' +
        'Fix the receiver, then enable the endpoint again and redeliver what it missed.',
    },
  },
} as const satisfies PluginNotificationDeclarations;
