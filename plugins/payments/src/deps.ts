import { coreServices, type PluginBuilders, type ResolvedDeps, type Static } from '@plinth/sdk';
import type { PaymentsSettings } from './settings.js';

/** The services payments' handlers receive: the only ones they may use. */
export const deps = {
  db: coreServices.db,
  events: coreServices.events,
  jobs: coreServices.jobs,
  hooks: coreServices.hooks,
  logger: coreServices.logger,
  secrets: coreServices.secrets,
  customers: coreServices.customers,
  /** The tenant's audit log: every change payments makes to intents, refunds, plans, subscriptions and providers. */
  audit: coreServices.audit,
  /** Tells subscribers and staff of a failed renewal (see notifications.ts). */
  notify: coreServices.notify,
  /** Intents and refunds by status (services/metrics.ts). */
  metrics: coreServices.metrics,
};

export type Deps = ResolvedDeps<typeof deps>;
export type Settings = Static<typeof PaymentsSettings>;

/** The typed builders handed to payments' routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Settings>;

/** One unit of work of payments: its services, the tenant's settings and the tenant. */
export interface Scope {
  deps: Deps;
  settings: Settings;
  tenantId: string;
}
