import { defineErrors } from './errors.js';
import type { TenantDb } from './services.js';

/**
 * One limit a plugin enforces (`definePlugin({ limits })`), set per plan by the host (docs/billing.md): how many
 * contacts, courses, products a tenant may have. The plan names it `<plugin>.<key>` (`crm.contacts`); the plugin
 * names it by its key alone.
 *
 * @example
 * ```ts
 * limits: {
 *   contacts: {
 *     label: 'Contacts',
 *     usage: async ({ db }) => Number((await db.one<{ n: string }>('select count(*) as n from crm_contacts'))!.n),
 *   },
 * },
 * ```
 */
export interface LimitDefinition {
  /** What is counted, in English (the console and the plans editor show it; a plugin may translate `limits.<key>`). */
  label: string;
  /** What the tenant uses now, counted in the unit of work's transaction (RLS keeps it to the tenant). */
  usage(input: { db: TenantDb }): Promise<number>;
}

/** A plugin's limits, by key (kebab- or snake-case, unique within the plugin). */
export type LimitDefinitions = Record<string, LimitDefinition>;

/** One limit as it stands for the tenant: its maximum under the plan (`null`: unlimited) and its usage. */
export interface LimitState {
  /** The plan's name for it: `members`, `storage_bytes`, `crm.contacts`. */
  limit: string;
  max: number | null;
  used: number;
}

/**
 * The tenant's limits for the plugin's own keys (`coreServices.limits`), bound to the unit of work.
 *
 * `ensure(key, adding)` is the one way to create under a limit: it takes a transaction-scoped lock on the tenant's
 * limit (two requests adding at once count one after the other), counts with the limit's `usage`, and refuses with
 * 409 `limit_reached` when `used + adding` would pass the plan's maximum — `errors` names the limit, its maximum,
 * the usage and the cheapest plan that lifts it (`upgrade`, or null when none does). Call it in the same unit of work
 * as the insert, before it.
 */
export interface PluginLimits {
  ensure(key: string, adding?: number): Promise<void>;
  /** The limit's state for the tenant. */
  state(key: string): Promise<LimitState>;
}

/**
 * The refusal of a create past the plan's limit (the kernel's code, owned by `core`): a route that calls
 * {@link PluginLimits.ensure} lists it in its `errors`.
 *
 * @example
 * ```ts
 * errors: [limitErrors.limit_reached],
 * ```
 */
export const limitErrors = defineErrors('core', {
  limit_reached: {
    status: 409,
    description:
      'The organisation has reached a limit of its plan: `errors.limit`, `errors.max` and `errors.used` say which and how far; `errors.upgrade`, the cheapest plan that lifts it',
  },
});
