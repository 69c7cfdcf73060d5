/**
 * The marketplace under the tenant's plan: a plugin the plan does not include shows the plan that does, with an
 * Upgrade link instead of Enable; a paid add-on shows its price, and enabling it states the charge first.
 */
import { money, type BillingPrice } from './billing-model';
import { defineMessages } from './i18n';
import { tenantPath, useTenant, type MarketplaceEntry } from './session';

const t = defineMessages({
  en: {
    includedIn: 'Included in {plan}',
    notInPlan: 'Not included in your plan.',
    upgrade: 'Upgrade',
    upgradeTo: 'Upgrade to {plan} to use {title}',
    addon: '+ {price} / {interval, select, year {year} other {month}}',
    per: '{price} per {interval, select, year {year} other {month}}',
    addonHeading: 'Charge',
    addonConsent: 'Enabling {title} adds {price} to your subscription, prorated for the rest of this period. Disabling it ends the charge.',
  },
  ar: {
    includedIn: 'مشمولة في {plan}',
    notInPlan: 'غير مشمولة في خطتك.',
    upgrade: 'ترقية',
    upgradeTo: 'ترقية إلى {plan} لاستخدام {title}',
    addon: '+ {price} / {interval, select, year {سنة} other {شهر}}',
    per: '{price} {interval, select, year {سنويًا} other {شهريًا}}',
    addonHeading: 'الرسوم',
    addonConsent: 'تفعيل {title} يضيف {price} إلى اشتراكك، بالتناسب عن بقية هذه الفترة. وتعطيلها يُنهي الرسوم.',
  },
});

/** The add-on price to show: in the tenant's currency monthly when offered, else the first. */
function addonPrice(prices: readonly BillingPrice[], currency: string): BillingPrice | undefined {
  return prices.find((price) => price.currency === currency && price.interval === 'month') ?? prices.find((price) => price.currency === currency) ?? prices[0];
}

/** The add-on price of a plugin the plan does not include, or undefined when the plugin is no add-on. */
function addonOf(plugin: MarketplaceEntry, currency: string): BillingPrice | undefined {
  const access = plugin.entitlement;
  return access && !access.included && access.addon ? addonPrice(access.addon, currency) : undefined;
}

/** Whether the plan keeps the plugin from being enabled (neither included nor sold as an add-on). */
export function excludedByPlan(plugin: MarketplaceEntry): boolean {
  const access = plugin.entitlement;
  return !!access && !access.included && !access.addon;
}

/** The card's line about the plan: the add-on's price, or the plan that includes it. */
export function PluginPlanNote({ plugin }: { plugin: MarketplaceEntry }) {
  const tenant = useTenant();
  if (plugin.enabled) return null;
  const addon = addonOf(plugin, tenant.currency);
  if (addon)
    return (
      <p class="plugin-plan addon">
        <strong>{t('addon', { price: money(addon), interval: addon.interval })}</strong>
      </p>
    );
  if (!excludedByPlan(plugin)) return null;
  const upgrade = plugin.entitlement?.upgrade;
  return <p class="plugin-plan excluded">{upgrade ? t('includedIn', { plan: upgrade.name }) : t('notInPlan')}</p>;
}

/** The Upgrade link shown instead of Enable, to the billing page's plans with the plan that includes the plugin. */
export function PluginUpgradeAction({ plugin, title }: { plugin: MarketplaceEntry; title: string }) {
  const tenant = useTenant();
  const upgrade = plugin.entitlement?.upgrade;
  if (!upgrade || !tenant.can('core.billing.view')) return null;
  return (
    <a
      class="button"
      href={`${tenantPath(tenant.slug, '/settings/billing')}?plan=${encodeURIComponent(upgrade.key)}`}
      aria-label={t('upgradeTo', { plan: upgrade.name, title })}
    >
      {t('upgrade')}
    </a>
  );
}

/** In the enable dialog of an add-on: what enabling it will charge. */
export function AddonCharge({ plugin, title }: { plugin: MarketplaceEntry; title: string }) {
  const tenant = useTenant();
  const addon = addonOf(plugin, tenant.currency);
  if (!addon) return null;
  const price = t('per', { price: money(addon), interval: addon.interval });
  return (
    <section class="consent-part addon-charge" aria-labelledby="consent-charge">
      <h3 id="consent-charge">{t('addonHeading')}</h3>
      <p>
        <strong>{t('addonConsent', { title, price })}</strong>
      </p>
    </section>
  );
}
