import { coreServices, type PluginBuilders, type Static } from '@plinth/sdk';
import type { LmsSettings } from './settings.js';

/** The services LMS handlers receive: the only ones they may use. */
export const deps = {
  db: coreServices.db,
  events: coreServices.events,
  jobs: coreServices.jobs,
  mailer: coreServices.mailer,
  members: coreServices.members,
  logger: coreServices.logger,
  files: coreServices.files,
};

/** The typed builders handed to LMS routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Static<typeof LmsSettings>>;
