import { coreServices, optional, type PluginBuilders } from '@plinth/sdk';
import { crmContactsRef } from '@plinth/plugin-crm';

/** The services Bio Sites' handlers receive. `crm` is undefined unless the tenant has enabled the CRM. */
export const deps = {
  db: coreServices.db,
  cache: coreServices.cache,
  events: coreServices.events,
  jobs: coreServices.jobs,
  logger: coreServices.logger,
  writeBehind: coreServices.writeBehind,
  files: coreServices.files,
  crm: optional(crmContactsRef),
};

/** The typed builders handed to Bio Sites' routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Record<never, never>>;
