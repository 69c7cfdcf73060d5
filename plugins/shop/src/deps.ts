import { coreServices, type PluginBuilders, type ResolvedDeps, type Static, type TenantInfo } from '@plinth/sdk';
import { paymentsRef } from '@plinth/plugin-payments';
import type { ShopSettings } from './settings.js';

/** The services the shop's handlers receive: the only ones they may use. */
export const deps = {
  db: coreServices.db,
  events: coreServices.events,
  jobs: coreServices.jobs,
  hooks: coreServices.hooks,
  logger: coreServices.logger,
  files: coreServices.files,
  secrets: coreServices.secrets,
  mailer: coreServices.mailer,
  members: coreServices.members,
  customers: coreServices.customers,
  audit: coreServices.audit,
  units: coreServices.units,
  notify: coreServices.notify,
  metrics: coreServices.metrics,
  /** The plan's product limit (services/product-limit.ts): checked before a product is created or synced in. */
  limits: coreServices.limits,
  payments: paymentsRef,
};

export type Deps = ResolvedDeps<typeof deps>;
export type Settings = Static<typeof ShopSettings>;

/** The typed builders handed to the shop's routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Settings>;

/** One unit of work of the shop: its services and the tenant's settings. */
export interface Scope {
  deps: Deps;
  settings: Settings;
  /** The tenant: its default currency prices the shop unless the shop's `currency` setting names another. */
  tenant: TenantInfo;
}
