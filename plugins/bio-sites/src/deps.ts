import { coreServices, optional, type PluginBuilders } from '@plinth/sdk';
import { crmContactsRef } from '@plinth/plugin-crm';
import { shopOffersRef } from './services/shop-offers.js';

/**
 * The services Bio Sites' handlers receive. `crm` is undefined unless the tenant has enabled the CRM, `shop` (its
 * offers, for product blocks) unless it has enabled the shop.
 */
export const deps = {
  db: coreServices.db,
  cache: coreServices.cache,
  events: coreServices.events,
  jobs: coreServices.jobs,
  logger: coreServices.logger,
  writeBehind: coreServices.writeBehind,
  files: coreServices.files,
  /** Outbound HTTP, SSRF-guarded: reads the title of a page a creator links to. */
  http: coreServices.http,
  crm: optional(crmContactsRef),
  shop: shopOffersRef,
  /** The tenant's audit log: every change to sites, blocks, short links and subscribers (never visits or clicks). */
  audit: coreServices.audit,
  /** The plan's site limit (services/sites.ts): checked before a site is created. */
  limits: coreServices.limits,
};

/** The typed builders handed to Bio Sites' routes, jobs and handlers. */
export type Builders = PluginBuilders<typeof deps, Record<never, never>>;
