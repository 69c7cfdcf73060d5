import { definePermissions } from '@plinth/sdk';

/** What the CRM lets roles do; the roles in `grantTo` gain them when their tenant enables the CRM. */
export const crmPermissions = definePermissions('crm', {
  'contacts.view': { description: 'View contacts, their timelines and segments', grantTo: ['admin'], units: true },
  'contacts.manage': { description: 'Create, edit, merge, delete and restore contacts; record interactions; manage segments', grantTo: ['admin'], units: true },
  'contacts.import': { description: 'Import contacts from CSV files', grantTo: ['admin'], units: true },
  'contacts.export': { description: 'Export contacts as CSV', grantTo: ['admin'], units: true },
  'campaigns.view': { description: 'View email templates, campaigns, their statistics and recipients', grantTo: ['admin'], units: true },
  'campaigns.manage': { description: 'Create and edit email templates and campaigns', grantTo: ['admin'], units: true },
  'campaigns.send': { description: 'Send campaigns', grantTo: ['admin'], units: true },
});
