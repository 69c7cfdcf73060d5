import type { PluginNotificationDeclarations } from '@plinth/sdk';

/** What the CRM notifies members of (Arabic in translations.ts). */
export const crmNotifications = {
  categories: {
    'crm.imports': { label: 'Contact imports', description: 'A contact import you started finished', audience: 'staff' },
  },
  templates: {
    'crm.import-finished': {
      category: 'crm.imports',
      title: 'Contact import finished',
      body: '{imported, plural, one {# contact imported} other {# contacts imported}}, {skipped} skipped, {failed} failed.',
    },
  },
} as const satisfies PluginNotificationDeclarations;
