import { coreServices, type PluginBuilders, type ResolvedDeps, type Static } from '@plinth/sdk';
import type { CrmSettings } from './settings.js';

/** The services the CRM's handlers receive: the only ones they may use. */
export const deps = {
  db: coreServices.db,
  events: coreServices.events,
  jobs: coreServices.jobs,
  mailer: coreServices.mailer,
  members: coreServices.members,
  logger: coreServices.logger,
  files: coreServices.files,
  clock: coreServices.clock,
  audit: coreServices.audit,
  units: coreServices.units,
  notify: coreServices.notify,
  /** Campaign sends by outcome (services/campaign-metrics.ts). */
  metrics: coreServices.metrics,
  /** The plan's contact limit (services/contact-limit.ts): checked before any contact is created. */
  limits: coreServices.limits,
};

/** The typed builders handed to the CRM's routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Static<typeof CrmSettings>>;

/** The CRM's deps as its handlers receive them. */
export type CrmDeps = ResolvedDeps<typeof deps>;
