import { definePermissions } from '@plinth/sdk';

/** What Bio Sites lets roles do; the roles in `grantTo` gain them when their tenant enables the plugin. */
export const bioSitesPermissions = definePermissions('bio-sites', {
  'sites.view': { description: 'See bio sites, their blocks and short links', grantTo: ['admin', 'member', 'viewer'] },
  'sites.manage': { description: 'Create, edit, publish and delete bio sites, their blocks and short links', grantTo: ['admin', 'member'] },
  'subscribers.manage': { description: "List and remove the addresses a site's form captured (kept here while the CRM is off)", grantTo: ['admin'] },
  'analytics.view': { description: 'See visit and click analytics of bio sites and short links', grantTo: ['admin', 'member'] },
});
