import { coreServices, type PluginBuilders, type Static } from '@plinth/sdk';
import { shopOffers } from './services/offers.js';
import type { LmsSettings } from './settings.js';

/** The services LMS handlers receive: the only ones they may use. */
export const deps = {
  db: coreServices.db,
  events: coreServices.events,
  jobs: coreServices.jobs,
  mailer: coreServices.mailer,
  /** Tells learners and their guardians of enrolments, quiz results, certificates and new lessons (inbox, mail…). */
  notify: coreServices.notify,
  members: coreServices.members,
  /** Customer accounts for learners enrolled by email, and the absolute URLs of the tenant's pages. */
  customers: coreServices.customers,
  logger: coreServices.logger,
  files: coreServices.files,
  /** The tenant's audit log: every change a route, job or handler makes is recorded in its transaction. */
  audit: coreServices.audit,
  /** The tenant's organisation units (courses and their enrolments belong to one). */
  units: coreServices.units,
  /** Enrolments by source (services/metrics.ts). */
  metrics: coreServices.metrics,
  /** The plan's course limit (services/course-limit.ts): checked before a course is created. */
  limits: coreServices.limits,
  /** The shop's prices and buy pages for courses it sells (absent without the shop). */
  shop: shopOffers,
};

/** The typed builders handed to LMS routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Static<typeof LmsSettings>>;
