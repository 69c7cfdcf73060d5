import type { Scope } from '../deps.js';
import type { PaymobProviderOptions } from '../providers/paymob-provider.js';
import type { StripeProviderOptions } from '../providers/stripe-provider.js';
import { Intents } from './intents.js';
import { Providers } from './providers.js';
import { Refunds } from './refunds.js';
import { Subscriptions } from './subscriptions.js';
import { Webhooks } from './webhooks.js';

/** Host-level options of the payments plugin. */
export interface PaymentsOptions {
  /** Where the Stripe adapter sends requests (protocol, host and port; default `https://api.stripe.com`). */
  stripe?: StripeProviderOptions;
  /** Where the Paymob adapter sends requests for every tenant (default: each tenant's `base_url`, or `https://accept.paymob.com`). */
  paymob?: PaymobProviderOptions;
}

/** Payments' services for one unit of work. */
export interface PaymentsServices {
  providers: Providers;
  intents: Intents;
  refunds: Refunds;
  webhooks: Webhooks;
  subscriptions: Subscriptions;
}

/** Builds payments' services over a unit of work's deps, settings and tenant. */
export function paymentsServices(scope: Scope, options: PaymentsOptions): PaymentsServices {
  const providers = new Providers(scope, options.stripe ?? {}, options.paymob ?? {});
  const intents = new Intents(scope, providers);
  const refunds = new Refunds(scope, providers, intents);
  const webhooks = new Webhooks(scope, providers, intents, refunds);
  const subscriptions = new Subscriptions(scope, providers, intents);
  return { providers, intents, refunds, webhooks, subscriptions };
}
