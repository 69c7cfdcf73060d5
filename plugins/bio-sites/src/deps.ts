import { coreServices, type PluginBuilders } from '@plinth/sdk';
import { crmContactsRef } from '@plinth/plugin-crm';

/** The services Bio Sites' handlers receive. `crm` is usable only when the tenant has enabled the CRM (see `optionalCrm`). */
export const deps = {
  db: coreServices.db,
  cache: coreServices.cache,
  events: coreServices.events,
  jobs: coreServices.jobs,
  logger: coreServices.logger,
  writeBehind: coreServices.writeBehind,
  crm: crmContactsRef,
};

/** The typed builders handed to Bio Sites' routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Record<never, never>>;
