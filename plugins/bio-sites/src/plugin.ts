import { fileURLToPath } from 'node:url';
import { definePlugin } from '@plinth/sdk';
import { deps } from './deps.js';
import { productChangeHandlers } from './handlers/product-changes.js';
import './jobs/job-types.js';
import { rollupJob, scheduleRollup } from './jobs/rollup.job.js';
import { createBioSites } from './migrations/001-create-bio-sites.js';
import { createBioSitesAnalytics } from './migrations/002-create-bio-sites-analytics.js';
import { addBioSitesCustomDomains } from './migrations/003-add-bio-sites-custom-domains.js';
import { addBioSitesAvatarFile } from './migrations/004-add-bio-sites-avatar-file.js';
import { shardReadyKeys } from './migrations/005-shard-ready-keys.js';
import { bioSitesPermissions } from './permissions.js';
import { bioSitesHosts } from './public/host-routing.js';
import { analyticsReport } from './reports/analytics.report.js';
import { analyticsRoutes } from './routes/analytics.routes.js';
import { blockRoutes } from './routes/blocks.routes.js';
import { editorRoutes } from './routes/editor.routes.js';
import { publicRoutes } from './routes/public.routes.js';
import { shortLinkRoutes } from './routes/short-links.routes.js';
import { siteRoutes } from './routes/sites.routes.js';
import { subscriberRoutes } from './routes/subscribers.routes.js';
import { countSites, sitesLimit } from './services/sites.js';
import { translations } from './translations.js';

/** Bio Sites: link-in-bio pages, short links, and privacy-friendly visit and click analytics. */
export default definePlugin({
  name: 'bio-sites',
  version: '0.1.0',
  title: 'Bio Sites',
  description: 'Link-in-bio pages with links, embeds, an email form and shop products; short links; visit and click analytics.',
  category: 'business',
  icon: 'link',
  author: 'The Plinth team',
  requires: { core: '^0.1.0', optionalPlugins: { crm: '^0.1.0', shop: '^0.1.0' } },
  deps,
  uses: {
    'crm.contacts': { access: 'write', what: 'Adds people who subscribe on a bio page to the CRM contacts (when the CRM is enabled)' },
    'shop.offers': { access: 'read', what: 'Reads products and their prices for product blocks (when the shop is enabled)' },
  },
  permissions: bioSitesPermissions,
  limits: { [sitesLimit]: { label: 'Sites', usage: ({ db }) => countSites(db) } },
  migrations: [createBioSites, createBioSitesAnalytics, addBioSitesCustomDomains, addBioSitesAvatarFile, shardReadyKeys],
  hosts: bioSitesHosts,
  translations,
  web: {
    directory: fileURLToPath(new URL('../web-dist', import.meta.url)),
    screens: [
      { element: 'bio-site-editor', label: 'Editor', on: '/sites/:id', primary: true, icon: 'link', permission: bioSitesPermissions['sites.manage'] },
      { element: 'bio-site-analytics', label: 'Analytics', on: '/sites/:id', icon: 'chart', permission: bioSitesPermissions['analytics.view'] },
      { element: 'bio-short-link-analytics', label: 'Analytics', on: '/short-links/:id', icon: 'chart', permission: bioSitesPermissions['analytics.view'] },
    ],
  },
  navigation: [
    { label: 'Bio sites', icon: 'link', path: '/sites', permission: bioSitesPermissions['sites.view'] },
    { label: 'Short links', icon: 'scissors', path: '/short-links', permission: bioSitesPermissions['sites.view'] },
  ],
  routes: (builders) => [
    ...siteRoutes(builders),
    ...blockRoutes(builders),
    ...editorRoutes(builders),
    ...subscriberRoutes(builders),
    ...shortLinkRoutes(builders),
    ...analyticsRoutes(builders),
    ...publicRoutes(builders),
  ],
  jobs: (builders) => [rollupJob(builders)],
  reports: (builders) => [analyticsReport(builders)],
  events: (builders) => [scheduleRollup(builders), ...productChangeHandlers(builders)],
});
