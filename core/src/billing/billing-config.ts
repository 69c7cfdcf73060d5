import type { PlinthConfig } from '../config/variables.js';
import type { StripeBillingSettings } from './stripe-billing-client.js';

/** Billing's settings, read once from the configuration (docs/configuration.md, docs/billing.md). */
export interface BillingConfig {
  /** `null`: no provider (`none`): only the free (default) plan can be chosen. */
  provider: 'test' | 'stripe' | null;
  graceDays: number;
  readOnlyDays: number;
  /** Percent by ISO 3166 alpha-2 country code. */
  taxRates: Readonly<Record<string, number>>;
  /** The host's Stripe account (`PLINTH_BILLING_STRIPE_*`), when the provider is `stripe`. */
  stripe: StripeBillingSettings | null;
}

/**
 * The billing settings of `config`: the provider (`test` outside production and `none` in production when unset) and
 * the tax rates parsed from `PLINTH_BILLING_TAX_RATES`. Throws one line naming the variable when the rates are not a
 * JSON object of country codes to percentages from 0 to 100.
 */
export function billingConfig(config: PlinthConfig): BillingConfig {
  const chosen = config.billingProvider ?? (config.env === 'production' ? 'none' : 'test');
  return {
    provider: chosen === 'none' ? null : chosen,
    graceDays: config.billingGraceDays ?? 7,
    readOnlyDays: config.billingReadOnlyDays ?? 14,
    taxRates: parseTaxRates(config.billingTaxRates ?? '{}'),
    stripe: chosen === 'stripe' ? stripeSettings(config) : null,
  };
}

/** Stripe's settings; the secret key and the webhook secret are required with `PLINTH_BILLING_PROVIDER=stripe`. */
function stripeSettings(config: PlinthConfig): StripeBillingSettings {
  const { billingStripeSecretKey: secretKey, billingStripeWebhookSecret: webhookSecret } = config;
  if (!secretKey || !webhookSecret) {
    throw new Error('PLINTH_BILLING_PROVIDER=stripe needs PLINTH_BILLING_STRIPE_SECRET_KEY and PLINTH_BILLING_STRIPE_WEBHOOK_SECRET (docs/billing.md §Stripe)');
  }
  return { secretKey, webhookSecret, apiUrl: config.billingStripeApiUrl ?? 'https://api.stripe.com', automaticTax: config.billingStripeAutomaticTax ?? false };
}

function parseTaxRates(text: string): Record<string, number> {
  const fail = (why: string): never => {
    throw new Error(`PLINTH_BILLING_TAX_RATES must be a JSON object such as {"DE": 19, "EG": 14}: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('it is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('it is not an object');
  const rates: Record<string, number> = {};
  for (const [country, rate] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[A-Z]{2}$/.test(country)) fail(`${JSON.stringify(country)} is not an upper-case ISO country code`);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 100) fail(`the rate of ${country} is not a percentage from 0 to 100`);
    rates[country] = rate as number;
  }
  return rates;
}

/** The tax rate (percent) of a billing country; 0 when none is set or the tenant gave no country. */
export function taxRateOf(config: BillingConfig, country: string | null): number {
  return country ? (config.taxRates[country] ?? 0) : 0;
}
