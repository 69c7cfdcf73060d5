import { Type, type Plugin } from '@plinth/sdk';
import { coreErrors } from '../http/core-errors.js';
import { Exact, Nullable } from '../http/response-schemas.js';
import type { KernelServices } from '../kernel.js';
import { Price } from './billing-views.js';
import type { PluginAccess } from './entitlements.js';

/** A plugin's access under the tenant's plan, as the marketplace shows it (docs/billing.md §Paid plugins). */
export const PluginEntitlement = Exact(
  {
    included: Type.Boolean({ description: 'The plan includes it: enabling it costs nothing more' }),
    addon: Nullable(
      Type.Array(Price, { description: 'Not included but sold as an add-on at these prices: enabling it starts the add-on on the subscription' }),
    ),
    upgrade: Nullable(
      Exact({ key: Type.String(), name: Type.String() }, { description: 'The cheapest public plan that includes it, when this plan does not' }),
    ),
  },
  { description: 'What the plan allows: included, an add-on, or neither (enabling is refused 402 plan_excludes_plugin; upgrade names the plan)' },
);

/** What the marketplace asks of billing: the tenant's access to plugins, and its add-ons. */
export type PluginBilling = Pick<KernelServices, 'entitlements' | 'billing'>;

/** Each plugin's access under the tenant's plan, by name (plans and prices are cached: no query per plugin). */
export async function pluginEntitlements(
  services: Pick<KernelServices, 'entitlements'>,
  tenantId: string,
  plugins: readonly Plugin[],
): Promise<Map<string, PluginAccess>> {
  const access = await Promise.all(plugins.map((plugin) => services.entitlements.pluginAccess(tenantId, plugin.name)));
  return new Map(plugins.map((plugin, index) => [plugin.name, access[index]!]));
}

/**
 * What enabling `plugins` (the plugin and the dependencies enabled with it, none enabled yet) needs under the
 * tenant's plan: the names of those sold as add-ons, to start once they are enabled. Refuses with 402
 * `plan_excludes_plugin`, naming the plugin and the plan that includes it, when the plan neither includes one nor
 * may buy it as an add-on: nothing is enabled then.
 */
export async function addonsToStart(services: PluginBilling, tenantId: string, plugins: readonly Plugin[]): Promise<string[]> {
  const addons: string[] = [];
  for (const [name, access] of await pluginEntitlements(services, tenantId, plugins)) {
    if (access.included) continue;
    if (access.addon) {
      addons.push(name);
      continue;
    }
    const title = plugins.find((plugin) => plugin.name === name)?.title ?? name;
    throw coreErrors.plan_excludes_plugin(
      `The organisation's plan does not include ${title}${access.upgrade ? `: the ${access.upgrade.name} plan does` : ''}`,
      {
        errors: { plugin: [name], ...(access.upgrade ? { upgrade: [access.upgrade.key] } : {}) },
        translations: { ar: `خطة المؤسسة لا تشمل ${title}${access.upgrade ? `، وتشمله خطة ${access.upgrade.name}` : ''}` },
      },
    );
  }
  return addons;
}

/**
 * Starts the add-ons of plugins just enabled. Each is a provider operation of its own (it charges the prorated
 * rest of the period, on the system path, committed apart from the request), so the marketplace calls this last,
 * after every other write of the enable: a refusal (402 `payment_method_required`, 422 `currency_not_offered`)
 * rolls the enabling back, and the add-ons it had already started are ended again. Two enables at once are
 * serialised by the marketplace's lock and the second finds the plugin enabled; the billing service starts an
 * add-on that already runs only once anyway.
 */
export async function startAddons(services: PluginBilling, tenantId: string, plugins: readonly string[]): Promise<void> {
  const started: string[] = [];
  try {
    for (const plugin of plugins) {
      await services.billing.startAddon(tenantId, plugin);
      started.push(plugin);
    }
  } catch (error) {
    for (const plugin of started.reverse()) await services.billing.endAddon(tenantId, plugin);
    throw error;
  }
}
