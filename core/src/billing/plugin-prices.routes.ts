import { NotFoundError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, NoContent } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { BillingPrice } from './billing-provider.js';
import { Price } from './billing-views.js';
import { checkPrices, PriceInput } from './plans.js';

// Plugins the host sells as add-ons to a plan (docs/billing.md §Paid plugins): a plan that lists no plugins includes
// every plugin without a price; a priced one is enabled as an add-on. Host rows (`billing_plugin_prices`).

const PluginPrice = Exact({ plugin: Type.String(), prices: Type.Array(Price) });
const PluginParams = Type.Object({ plugin: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }) });

export const listPluginPrices = defineRoute({
  method: 'GET',
  path: '/admin/billing/plugin-prices',
  summary: 'The plugins sold as add-ons, with their prices',
  tag: 'admin',
  superAdmin: true,
  schema: { response: Type.Array(PluginPrice) },
  errors: [],
  async handler({ db }) {
    return db.query<{ plugin: string; prices: BillingPrice[] }>('select plugin, prices from billing_plugin_prices order by plugin');
  },
});

export const putPluginPrice = defineRoute({
  method: 'PUT',
  path: '/admin/billing/plugin-prices/:plugin',
  summary: 'Sell an installed plugin as an add-on at these prices (one per currency and interval), or change its prices',
  tag: 'admin',
  superAdmin: true,
  schema: {
    params: PluginParams,
    body: Type.Object({ prices: Type.Array(PriceInput, { minItems: 1, maxItems: 24 }) }, { additionalProperties: false }),
    response: PluginPrice,
  },
  deps: { entitlements: kernelRefs.entitlements, plugins: kernelRefs.plugins },
  errors: [],
  async handler({ db, params, body, deps, audit }) {
    const plugin = deps.plugins.byName.get(params.plugin);
    if (!plugin || plugin.scope === 'host') throw new NotFoundError(`No installed plugin is named ${params.plugin}`);
    const problems = checkPrices(body.prices);
    if (Object.keys(problems).length > 0) throw new ValidationError(problems);
    const before = await db.one<{ prices: BillingPrice[] }>('select prices from billing_plugin_prices where plugin = $1 for update', [params.plugin]);
    const row = await db.one<{ plugin: string; prices: BillingPrice[] }>(
      `insert into billing_plugin_prices (plugin, prices) values ($1, $2)
       on conflict (plugin) do update set prices = excluded.prices, updated_at = now() returning plugin, prices`,
      [params.plugin, JSON.stringify(body.prices)],
    );
    await audit({
      action: 'admin.billing.plugin_priced',
      targetType: 'plugin',
      targetId: params.plugin,
      data: { before: before?.prices ?? null, after: body.prices },
    });
    db.afterCommit(() => deps.entitlements.invalidate());
    return row!;
  },
});

export const deletePluginPrice = defineRoute({
  method: 'DELETE',
  path: '/admin/billing/plugin-prices/:plugin',
  summary: 'Stop selling a plugin as an add-on: plans that list no plugins include it again (running add-ons are not ended)',
  tag: 'admin',
  superAdmin: true,
  schema: { params: PluginParams, response: NoContent },
  deps: { entitlements: kernelRefs.entitlements },
  errors: [],
  async handler({ db, params, deps, audit }) {
    const removed = await db.one<{ prices: BillingPrice[] }>('delete from billing_plugin_prices where plugin = $1 returning prices', [params.plugin]);
    if (!removed) throw new NotFoundError(`The plugin ${params.plugin} has no price`);
    await audit({ action: 'admin.billing.plugin_unpriced', targetType: 'plugin', targetId: params.plugin, data: { before: removed.prices } });
    db.afterCommit(() => deps.entitlements.invalidate());
    return Reply.noContent();
  },
});

/** The add-on price routes (core-routes.ts mounts them). */
export const pluginPriceRoutes: readonly CoreRoute[] = [listPluginPrices, putPluginPrice, deletePluginPrice];
