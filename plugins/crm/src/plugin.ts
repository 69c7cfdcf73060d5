import { definePlugin } from '@plinth/sdk';
import { crmContactsRef } from './contract.js';
import { deps } from './deps.js';
import './jobs/job-types.js';
import { upsertHandlers } from './handlers/upsert-handlers.js';
import { importContactsJob } from './jobs/import-contacts.job.js';
import { sendCampaignJob } from './jobs/send-campaign.job.js';
import { createContacts } from './migrations/001-create-contacts.js';
import { createSegmentsAndImports } from './migrations/002-create-segments-and-imports.js';
import { createEmailMarketing } from './migrations/003-create-email-marketing.js';
import { createContactWords } from './migrations/004-create-contact-words.js';
import { addCampaignSendSteps } from './migrations/005-add-campaign-send-steps.js';
import { contactSearchIndexes } from './migrations/006-contact-search-indexes.js';
import { contactSearchKeys } from './migrations/007-contact-search-keys.js';
import { importFiles } from './migrations/008-import-files.js';
import { emailKeys } from './migrations/009-email-keys.js';
import { units } from './migrations/010-units.js';
import { shardReadyKeys } from './migrations/011-shard-ready-keys.js';
import { contactWordsCascade } from './migrations/012-contact-words-cascade.js';
import { crmNotifications } from './notifications.js';
import { crmPermissions } from './permissions.js';
import { campaignResultsReport } from './reports/campaign-results.report.js';
import { attachmentRoutes } from './routes/attachments.routes.js';
import { campaignRoutes } from './routes/campaigns.routes.js';
import { contactRoutes } from './routes/contacts.routes.js';
import { exportRoutes } from './routes/export.routes.js';
import { importRoutes } from './routes/import.routes.js';
import { interactionRoutes } from './routes/interactions.routes.js';
import { segmentRoutes } from './routes/segments.routes.js';
import { templateRoutes } from './routes/templates.routes.js';
import { trackingRoutes } from './routes/tracking.routes.js';
import { crmLimits } from './services/contact-limit.js';
import { contactsApi } from './services/contact-upsert.js';
import { CrmSettings } from './settings.js';
import { translations } from './translations.js';

/** CRM: contacts and their timelines, segments, CSV import/export, and email campaigns with tracking. */
export default definePlugin({
  name: 'crm',
  version: '0.1.0',
  title: 'CRM',
  description: 'Contacts, interactions, segments, CSV import/export and email campaigns.',
  category: 'business',
  icon: 'contact',
  author: 'Plinth',
  requires: { core: '^0.1.0', optionalPlugins: { shop: '^0.1.0', lms: '^0.1.0' } },
  deps,
  permissions: crmPermissions,
  settings: CrmSettings,
  limits: crmLimits,
  translations,
  migrations: [
    createContacts,
    createSegmentsAndImports,
    createEmailMarketing,
    createContactWords,
    addCampaignSendSteps,
    contactSearchIndexes,
    contactSearchKeys,
    importFiles,
    emailKeys,
    units,
    shardReadyKeys,
    contactWordsCascade,
  ],
  navigation: [
    { label: 'Contacts', icon: 'contact', path: '/contacts', permission: crmPermissions['contacts.view'] },
    { label: 'Segments', icon: 'layers', path: '/segments', permission: crmPermissions['contacts.view'] },
    { label: 'Campaigns', icon: 'mail', path: '/campaigns', permission: crmPermissions['campaigns.view'] },
  ],
  // Static paths (`/contacts/export`, `/contacts/import`) come before `/contacts/:id`: the kernel refuses to boot otherwise.
  routes: (builders) => [
    ...exportRoutes(builders),
    ...importRoutes(builders),
    ...contactRoutes(builders),
    ...interactionRoutes(builders),
    ...attachmentRoutes(builders),
    ...segmentRoutes(builders),
    ...templateRoutes(builders),
    ...campaignRoutes(builders),
    ...trackingRoutes(builders),
  ],
  jobs: (builders) => [importContactsJob(builders), sendCampaignJob(builders)],
  reports: (builders) => [campaignResultsReport(builders)],
  notifications: crmNotifications,
  events: (builders) => upsertHandlers(builders),
  services: ({ provide }) => [provide(crmContactsRef, ({ deps: resolved }) => contactsApi(resolved))],
});
