import { definePermissions } from '@plinth/sdk';

/** What the CRM lets roles do; the roles in `grantTo` gain them when their tenant enables the CRM. */
export const crmPermissions = definePermissions('crm', {
  'contacts.view': { description: 'View contacts, their timelines and segments', grantTo: ['admin'] },
  'contacts.manage': { description: 'Create, edit, merge, delete and restore contacts; record interactions; manage segments', grantTo: ['admin'] },
  'contacts.import': { description: 'Import contacts from CSV files', grantTo: ['admin'] },
  'contacts.export': { description: 'Export contacts as CSV', grantTo: ['admin'] },
  'campaigns.view': { description: 'View email templates, campaigns, their statistics and recipients', grantTo: ['admin'] },
  'campaigns.manage': { description: 'Create and edit email templates and campaigns', grantTo: ['admin'] },
  'campaigns.send': { description: 'Send campaigns', grantTo: ['admin'] },
});
