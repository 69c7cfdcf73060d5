import type { LimitState, Plugin } from '@plinth/sdk';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { namespacedDb, runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import type { TenantPlugins } from '../plugins/tenant-plugins.js';
import { defaultQuotas, type TenantDirectory } from '../tenancy/tenant-directory.js';
import type { BillingPrice, PlanRow } from './billing-provider.js';
import { effectiveLimits, tenantEntitlementsKey, type LimitValues } from './effective-limits.js';
import { coreLimitLabels, limitReached } from './limit-errors.js';
import { cheapestPlan, includesPlugin, limitOf, monthlyAmount } from './plan-ranking.js';

/** What a tenant may do with a plugin under its plan (the marketplace shows it; enabling follows it). */
export interface PluginAccess {
  /** The plan includes the plugin: the tenant may enable it at no extra charge. */
  included: boolean;
  /** Not included but sold as an add-on: its prices. */
  addon: BillingPrice[] | null;
  /** The cheapest public plan that includes it, when the tenant's does not. */
  upgrade: { key: string; name: string } | null;
}

/** One limit the host can set in a plan: core's and every installed plugin's. */
export interface LimitCatalogueEntry {
  limit: string;
  label: string;
  plugin: string | null;
}

/**
 * The tenant's plan and what it allows (docs/billing.md §Plans and limits): limits in effect, refusals past them,
 * access to plugins. Plans, plugin prices and each tenant's plan are cached; a change calls {@link invalidate}.
 */
export interface Entitlements {
  /** The tenant's plan (the default plan for a tenant without a subscription row). */
  planOf(tenantId: string): Promise<PlanRow>;
  /** The limits in effect: core's quota keys always, plugin keys (`crm.contacts`) the plan or an override sets; `null`: unlimited. */
  limitsOf(tenantId: string): Promise<LimitValues>;
  /**
   * Refuses with 409 `limit_reached` when `used() + adding` would pass the tenant's maximum of `limit`. Holds
   * `db.lock('core/limit/<tenant>/<limit>')` until `db` commits, so concurrent creates count one after the other: call it in
   * the transaction that inserts, before the insert. An unlimited limit takes no lock and counts nothing.
   */
  ensure(db: ScopedDb, tenantId: string, limit: string, adding: number, used: (db: ScopedDb) => Promise<number>): Promise<void>;
  /** Core's limits and those the tenant's enabled plugins declare, with what it uses of each. */
  usage(db: ScopedDb, tenantId: string): Promise<LimitState[]>;
  /** What moving to `plan` would leave over its limits, and enabled plugins it neither includes nor runs as add-ons. */
  exceeds(db: ScopedDb, tenantId: string, plan: PlanRow): Promise<{ limits: LimitState[]; plugins: string[] }>;
  pluginAccess(tenantId: string, plugin: string): Promise<PluginAccess>;
  /**
   * The cheapest other public plan costing at least the tenant's allowing at least `needed` of `limit`, or undefined — also
   * when a host administrator's override sets the limit for the tenant, since no plan lifts that.
   */
  upgradeFor(tenantId: string, limit: string, needed: number): Promise<{ key: string; name: string } | undefined>;
  /**
   * Drops cached entitlements after a change: one tenant's plan or overrides (with its tenant directory entry, whose
   * `quotas` follow the plan), or, without a tenant, the plans and plugin prices.
   */
  invalidate(tenantId?: string): Promise<void>;
  /** Drops what a change to one plan makes stale: the plans, and the quotas of every tenant on it. */
  planChanged(planId: string): Promise<void>;
  /** Every limit the host can set in a plan. */
  catalogue(): LimitCatalogueEntry[];
  /** Every plan, archived ones too, by `sort` then key (cached). */
  plans(): Promise<PlanRow[]>;
  /** Plugins sold as add-ons: their prices by plugin (cached). */
  pluginPrices(): Promise<Record<string, BillingPrice[]>>;
}

export interface EntitlementsInput {
  database: Database;
  cache: Cache;
  tenants: TenantDirectory;
  plugins: () => readonly Plugin[];
  tenantPlugins: () => TenantPlugins;
}

const ttlMs = 60_000;
const plansKey = 'billing:plans';
const pricesKey = 'billing:plugin-prices';

type CachedPlan = Omit<PlanRow, 'archived_at'> & { archived_at: string | null };
interface TenantEntry {
  plan_id: string | null;
  overrides: LimitValues;
}

/** Builds the `entitlements` kernel service. */
export function createEntitlements(input: EntitlementsInput): Entitlements {
  const { database, cache } = input;
  const plans = async (): Promise<PlanRow[]> => {
    const rows = await cache.getOrLoad<CachedPlan[]>(plansKey, ttlMs, () =>
      runAsSystem(database, (db) =>
        db.query<CachedPlan>(
          `select id, key, name, description, prices, trial_days, limits, plugins, is_default, public, sort, provider_refs,
                  to_char(archived_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as archived_at
             from billing_plans order by sort, key`,
        ),
      ),
    );
    return (rows ?? []).map((row) => ({ ...row, archived_at: row.archived_at ? new Date(row.archived_at) : null }));
  };
  const pluginPrices = async () =>
    (await cache.getOrLoad(pricesKey, ttlMs, () =>
      runAsSystem(database, (db) => db.query<{ plugin: string; prices: BillingPrice[] }>('select plugin, prices from billing_plugin_prices')).then((rows) =>
        Object.fromEntries(rows.filter((row) => row.prices.length > 0).map((row) => [row.plugin, row.prices])),
      ),
    )) ?? {};
  const tenantEntry = async (tenantId: string): Promise<TenantEntry> =>
    (await cache.getOrLoad(tenantEntitlementsKey(tenantId), ttlMs, () =>
      runAsSystem(database, (db) =>
        db.one<TenantEntry>(
          `select s.plan_id, coalesce(t.quotas, '{}') as overrides
             from tenants t left join tenant_subscriptions s on s.tenant_id = t.id where t.id = $1`,
          [tenantId],
        ),
      ),
    )) ?? { plan_id: null, overrides: {} };
  const planOf = async (tenantId: string) => {
    const [all, entry] = await Promise.all([plans(), tenantEntry(tenantId)]);
    const plan = all.find((candidate) => candidate.id === entry.plan_id) ?? all.find((candidate) => candidate.is_default);
    if (!plan) throw new Error('billing: no default plan (migration 034 seeds `free`)');
    return plan;
  };
  const limitsUnder = (plan: PlanRow, entry: TenantEntry) => effectiveLimits(defaultQuotas as unknown as Record<string, number>, plan.limits, entry.overrides);
  const limitsOf = async (tenantId: string) => limitsUnder(await planOf(tenantId), await tenantEntry(tenantId));

  const pluginLimit = (limit: string) => {
    const dot = limit.indexOf('.');
    if (dot < 0) return undefined;
    const plugin = input.plugins().find((candidate) => candidate.name === limit.slice(0, dot));
    const definition = plugin?.limits?.[limit.slice(dot + 1)];
    return plugin && definition ? { plugin, definition } : undefined;
  };
  const labelOf = (limit: string) => {
    const core = coreLimitLabels[limit];
    if (core) return core;
    const found = pluginLimit(limit);
    if (!found) return { en: limit };
    return { en: found.definition.label, ar: found.plugin.translations?.ar?.[found.definition.label] };
  };

  /** Counts the limits in `limits` the tenant has (core's stocks, and its enabled plugins'), in its own scope; a rate (`requests_per_minute`) is no stock. */
  const count = (db: ScopedDb, tenantId: string, limits: LimitValues, only?: (max: number | null) => boolean) =>
    inTenantScope(database, db, tenantId, async (scoped) => {
      const states: LimitState[] = [];
      const add = async (limit: string, used: () => Promise<number>) => {
        const max = limits[limit] ?? null;
        if (!only || only(max)) states.push({ limit, max, used: await used() });
      };
      await add('members', () => countOf(scoped, "select count(*)::int as n from memberships where tenant_id = $1 and kind = 'staff'", tenantId));
      await add('api_tokens', () =>
        countOf(
          scoped,
          'select count(*)::int as n from api_tokens where tenant_id = $1 and revoked_at is null and (expires_at is null or expires_at > now())',
          tenantId,
        ),
      );
      await add('storage_bytes', () => countOf(scoped, 'select coalesce(sum(bytes), 0)::float8 as n from storage_usage where tenant_id = $1', tenantId));
      const enabled = Object.keys((await input.tenantPlugins().state(tenantId)).settings);
      for (const plugin of input.plugins()) {
        if (!enabled.includes(plugin.name)) continue;
        for (const [key, definition] of Object.entries(plugin.limits ?? {}))
          await add(`${plugin.name}.${key}`, () => definition.usage({ db: namespacedDb(scoped, plugin.name) }));
      }
      return states;
    });

  /** The cheapest other plan costing at least the tenant's that passes `test`: an upgrade is never to a cheaper plan. */
  const upgradeFor = async (tenantId: string, test: (plan: PlanRow) => boolean) => {
    const current = await planOf(tenantId);
    const floor = monthlyAmount(current);
    return cheapestPlan((await plans()).filter((plan) => plan.id !== current.id && monthlyAmount(plan) >= floor && test(plan)));
  };

  const entitlements: Entitlements = {
    planOf,
    limitsOf,
    plans,
    pluginPrices,
    async ensure(db, tenantId, limit, adding, used) {
      const max = (await limitsOf(tenantId))[limit];
      if (max === null || max === undefined) return;
      await db.lock(`core/limit/${tenantId}/${limit}`);
      // Counted over the whole tenant: a unit-scoped member's transaction sees only her units' rows.
      const current = await inTenantScope(database, db, tenantId, used);
      if (current + adding <= max) return;
      const upgrade = await entitlements.upgradeFor(tenantId, limit, current + adding);
      throw limitReached({ limit, label: labelOf(limit), max, used: current, upgrade: upgrade?.key });
    },
    async upgradeFor(tenantId, limit, needed) {
      if (limit in (await tenantEntry(tenantId)).overrides) return undefined;
      const plan = await upgradeFor(tenantId, (candidate) => (limitOf(candidate, limit, defaultQuotas) ?? Infinity) >= needed);
      return plan ? { key: plan.key, name: plan.name } : undefined;
    },
    async usage(db, tenantId) {
      return count(db, tenantId, await limitsOf(tenantId));
    },
    async exceeds(db, tenantId, plan) {
      const limits = limitsUnder(plan, await tenantEntry(tenantId));
      const states = await count(db, tenantId, limits, (max) => max !== null);
      const prices = await pluginPrices();
      const enabled = Object.keys((await input.tenantPlugins().state(tenantId)).settings);
      const addons = await runAsSystem(database, (system) =>
        system.query<{ plugin: string }>("select plugin from tenant_subscription_addons where tenant_id = $1 and status = 'active'", [tenantId]),
      );
      const tenantScoped = new Set(
        input
          .plugins()
          .filter((candidate) => candidate.scope !== 'host')
          .map((candidate) => candidate.name),
      );
      return {
        limits: states.filter((state) => state.max !== null && state.used > state.max),
        plugins: enabled.filter((name) => tenantScoped.has(name) && !includesPlugin(plan, name, prices) && !addons.some((addon) => addon.plugin === name)),
      };
    },
    async pluginAccess(tenantId, plugin) {
      const [plan, prices] = await Promise.all([planOf(tenantId), pluginPrices()]);
      const included = includesPlugin(plan, plugin, prices);
      const priced = prices[plugin];
      const upgrade = included ? undefined : await upgradeFor(tenantId, (candidate) => includesPlugin(candidate, plugin, prices));
      return { included, addon: !included && priced ? priced : null, upgrade: upgrade ? { key: upgrade.key, name: upgrade.name } : null };
    },
    async invalidate(tenantId) {
      if (tenantId === undefined) {
        await Promise.all([cache.delete(plansKey), cache.delete(pricesKey)]);
        return;
      }
      const tenant = await input.tenants.byId(tenantId);
      await (tenant ? input.tenants.forget(tenant) : cache.delete(tenantEntitlementsKey(tenantId)));
    },
    async planChanged(planId) {
      await entitlements.invalidate();
      const subscribers = await runAsSystem(database, (db) =>
        db.query<{ id: string; slug: string }>('select t.id, t.slug from tenant_subscriptions s join tenants t on t.id = s.tenant_id where s.plan_id = $1', [
          planId,
        ]),
      );
      for (const tenant of subscribers) await input.tenants.forget(tenant);
    },
    catalogue() {
      const core = Object.entries(coreLimitLabels).map(([limit, label]) => ({ limit, label: label.en, plugin: null }));
      const plugins = input
        .plugins()
        .filter((plugin) => plugin.scope !== 'host')
        .flatMap((plugin) =>
          Object.entries(plugin.limits ?? {}).map(([key, definition]) => ({ limit: `${plugin.name}.${key}`, label: definition.label, plugin: plugin.name })),
        );
      return [...core, ...plugins];
    },
  };
  return entitlements;
}

async function countOf(db: ScopedDb, text: string, tenantId: string): Promise<number> {
  return Number((await db.one<{ n: number | string }>(text, [tenantId]))?.n ?? 0);
}

/**
 * Runs `fn` on `db` when it is the tenant's own transaction, else in a new one of the tenant: a plugin's `usage`
 * counts what Row Level Security shows it, which must be the tenant's rows alone, never every tenant's.
 */
/**
 * Runs `fn` on `db` when it is the tenant's whole scope, else in a transaction of the tenant's own: counts must see
 * every row of the tenant, and a unit-scoped member's transaction sees only her units' (Row Level Security).
 */
export async function inTenantScope<T>(database: Database, db: ScopedDb, tenantId: string, fn: (db: ScopedDb) => Promise<T>): Promise<T> {
  const scope = await db.one<{ tenant: string | null; units: string | null }>(
    "select nullif(current_setting('app.tenant_id', true), '') as tenant, nullif(current_setting('app.unit_scope', true), '') as units",
  );
  return scope?.tenant === tenantId && !scope.units ? fn(db) : runInTenant(database, tenantId, fn);
}
