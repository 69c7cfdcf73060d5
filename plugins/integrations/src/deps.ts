import { coreServices, optional, type PluginBuilders, type ResolvedDeps, type Static } from '@plinth/sdk';
import { shopSyncRef } from '@plinth/plugin-shop';
import type { IntegrationsSettings } from './settings.js';

/** The services Integrations' handlers receive. `shopSync` is undefined unless the tenant enabled the shop. */
export const deps = {
  db: coreServices.db,
  events: coreServices.events,
  jobs: coreServices.jobs,
  logger: coreServices.logger,
  mailer: coreServices.mailer,
  secrets: coreServices.secrets,
  members: coreServices.members,
  clock: coreServices.clock,
  http: coreServices.http,
  shopSync: optional(shopSyncRef),
  /** The tenant's audit log: every change to endpoints, channels, templates, rules, sources and store connections. */
  audit: coreServices.audit,
  /** The kernel's notifications: in-app rules and disabled endpoints reach members' inboxes (and mail) through it. */
  notify: coreServices.notify,
  /** Webhook delivery latency and failures (webhooks/delivery-metrics.ts). */
  metrics: coreServices.metrics,
};

export type Deps = ResolvedDeps<typeof deps>;
export type Settings = Static<typeof IntegrationsSettings>;

/** The typed builders handed to Integrations' routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Settings>;
