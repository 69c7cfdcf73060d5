import type Stripe from 'stripe';
import { isPlinthError } from '@plinth/sdk';
import { coreErrors } from '../http/core-errors.js';
import type { Logger } from '../logger.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { BillingPrice, PlanRow, SubscriptionRow } from './billing-provider.js';

/** Stripe's API version the billing client speaks (its objects' shapes: periods on subscription items, invoice `parent`). */
export const STRIPE_BILLING_API_VERSION = '2026-10-28.endive';

/** The host's Stripe account for billing tenants (`PLINTH_BILLING_STRIPE_*`). */
export interface StripeBillingSettings {
  secretKey: string;
  webhookSecret: string;
  /** `https://api.stripe.com`, or a proxy / local stand-in (tests). */
  apiUrl: string;
  /** Stripe Tax computes the tax of every invoice and checkout (`automatic_tax`). */
  automaticTax: boolean;
}

/** What a Stripe price is for: a plan, or a plugin sold as an add-on. */
export type PriceOwner = { kind: 'plan'; plan: PlanRow } | { kind: 'addon'; plugin: string };

/** The official client, pointed at `apiUrl` (host, port, protocol), API version pinned, no retries of its own. */
export async function stripeFor(settings: StripeBillingSettings): Promise<Stripe> {
  // The official client is large: it loads with the first Stripe call, not at boot.
  const { default: StripeSdk } = await import('stripe');
  const url = new URL(settings.apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new StripeSdk(settings.secretKey, {
    host: url.hostname,
    port: Number(url.port) || (protocol === 'http' ? 80 : 443),
    protocol,
    apiVersion: STRIPE_BILLING_API_VERSION,
    maxNetworkRetries: 0,
    timeout: 20_000,
  });
}

/**
 * Stripe Billing for the host's tenants through the official client: customers, lazily created products and prices
 * (remembered in `provider_refs`), subscriptions, checkout sessions and invoices. Every POST carries an idempotency key
 * derived from the operation's, so a retried operation is answered by Stripe with the first answer.
 */
export class StripeBillingClient {
  private client: Promise<Stripe> | undefined;

  constructor(
    readonly settings: StripeBillingSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs a Stripe call, turning what Stripe or the network refused into 503 `billing_provider_unavailable` (the
   * transaction rolls back: nothing half-written; a webhook answered so is retried by Stripe). Stripe's or the network's
   * own words go to the log, not to the tenant. A declined card is not a failure of the call: callers that charge
   * catch {@link isCardDeclined} first.
   */
  async call<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isPlinthError(error)) throw error;
      this.logger.warn({ err: error }, 'a Stripe billing call failed');
      throw coreErrors.billing_provider_unavailable(undefined, { errors: { provider: ['stripe'] } });
    }
  }

  /** The official client (loaded once). */
  stripe(): Promise<Stripe> {
    this.client ??= stripeFor(this.settings);
    return this.client;
  }

  /** The tenant's Stripe customer: the subscription's, or a new one carrying `metadata.tenant_id`, its country and tax id. */
  async ensureCustomer(subscription: SubscriptionRow, tenant: { name: string; email: string | null }, idempotencyKey: string): Promise<string> {
    if (isStripeCustomer(subscription.provider_customer_id)) return subscription.provider_customer_id;
    const stripe = await this.stripe();
    const taxId = taxIdData(subscription.country, subscription.tax_id);
    const customer = await stripe.customers.create(
      {
        name: subscription.billing_name ?? tenant.name,
        ...((subscription.billing_email ?? tenant.email) ? { email: (subscription.billing_email ?? tenant.email)! } : {}),
        ...(subscription.country ? { address: { ...addressOf(subscription.address), country: subscription.country } } : {}),
        ...(taxId ? { tax_id_data: [taxId] } : {}),
        metadata: { tenant_id: subscription.tenant_id },
      },
      { idempotencyKey: `${idempotencyKey}:customer` },
    );
    return customer.id;
  }

  /**
   * The Stripe price for `price` of a plan or add-on: the remembered one (`provider_refs[`${currency}:${interval}`]`,
   * while its amount is unchanged), else a product (once) and a price created now and remembered. Prices are immutable
   * in Stripe, so a host changing an amount gets a new price; running subscriptions keep theirs until changed.
   */
  async priceId(db: ScopedDb, owner: PriceOwner, price: BillingPrice): Promise<string> {
    const table = owner.kind === 'plan' ? 'billing_plans' : 'billing_plugin_prices';
    const where = owner.kind === 'plan' ? ['id', owner.plan.id] : ['plugin', owner.plugin];
    // Two tenants choosing the same new plan at once create its price once.
    await db.lock(`core/billing/stripe-price/${table}/${where[1]}`);
    const row = await db.one<{ provider_refs: Record<string, string> }>(`select provider_refs from ${table} where ${where[0]} = $1`, [where[1]]);
    const refs = row?.provider_refs ?? {};
    const key = `${price.currency}:${price.interval}`;
    if (refs[key] && refs[`${key}:amount`] === String(price.amount)) return refs[key];
    const stripe = await this.call(() => this.stripe());
    const ownerKey = owner.kind === 'plan' ? `plan:${owner.plan.id}` : `addon:${owner.plugin}`;
    let product = refs.product;
    if (!product) {
      const name = owner.kind === 'plan' ? owner.plan.name : `Plugin ${owner.plugin}`;
      const metadata: Record<string, string> = owner.kind === 'plan' ? { plan_id: owner.plan.id, plan_key: owner.plan.key } : { plugin: owner.plugin };
      product = (await this.call(() => stripe.products.create({ name, metadata }, { idempotencyKey: `${ownerKey}:product` }))).id;
    }
    const created = await this.call(() =>
      stripe.prices.create(
        {
          product,
          currency: price.currency.toLowerCase(),
          unit_amount: price.amount,
          recurring: { interval: price.interval },
          metadata: owner.kind === 'plan' ? { plan_id: owner.plan.id } : { plugin: owner.plugin },
        },
        { idempotencyKey: `${ownerKey}:price:${key}:${price.amount}` },
      ),
    );
    const next = { ...refs, product, [key]: created.id, [`${key}:amount`]: String(price.amount) };
    await db.query(`update ${table} set provider_refs = $2, updated_at = now() where ${where[0]} = $1`, [where[1], JSON.stringify(next)]);
    return created.id;
  }

  /** A subscription starting in a trial with no card (`default_incomplete`): Stripe invoices when the trial ends. */
  async createTrialSubscription(input: { customer: string; price: string; trialDays: number; tenantId: string; planId: string }, idempotencyKey: string) {
    const stripe = await this.stripe();
    return stripe.subscriptions.create(
      {
        customer: input.customer,
        items: [{ price: input.price, metadata: { kind: 'plan' } }],
        trial_period_days: input.trialDays,
        payment_behavior: 'default_incomplete',
        metadata: { tenant_id: input.tenantId, plan_id: input.planId },
        ...(this.settings.automaticTax ? { automatic_tax: { enabled: true } } : {}),
      },
      { idempotencyKey: `${idempotencyKey}:subscription` },
    );
  }

  /** A hosted checkout for a first paid plan with no trial (`mode: 'subscription'`): the subscription starts once paid. */
  async subscriptionCheckout(
    input: { customer: string; price: string; tenantId: string; planId: string; returnUrl: string },
    idempotencyKey: string,
  ): Promise<string> {
    const stripe = await this.stripe();
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'subscription',
        customer: input.customer,
        client_reference_id: input.tenantId,
        line_items: [{ price: input.price, quantity: 1 }],
        subscription_data: { metadata: { tenant_id: input.tenantId, plan_id: input.planId } },
        metadata: { tenant_id: input.tenantId },
        success_url: input.returnUrl,
        cancel_url: input.returnUrl,
        ...(this.settings.automaticTax ? { automatic_tax: { enabled: true } } : {}),
      },
      { idempotencyKey: `${idempotencyKey}:checkout` },
    );
    return session.url!;
  }

  /** A hosted page saving a card for the customer (`mode: 'setup'`). */
  async setupCheckout(input: { customer: string; currency: string; tenantId: string; returnUrl: string }, idempotencyKey: string): Promise<string> {
    const stripe = await this.stripe();
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'setup',
        customer: input.customer,
        currency: input.currency.toLowerCase(),
        client_reference_id: input.tenantId,
        metadata: { tenant_id: input.tenantId },
        success_url: input.returnUrl,
        cancel_url: input.returnUrl,
      },
      { idempotencyKey: `${idempotencyKey}:setup` },
    );
    return session.url!;
  }

  /** Replaces the plan's item's price now, Stripe invoicing the proration at once (`always_invoice`). */
  async changePrice(subscriptionId: string, input: { price: string; planId: string }, idempotencyKey: string) {
    const stripe = await this.stripe();
    const current = await stripe.subscriptions.retrieve(subscriptionId);
    const item = planItem(current);
    return stripe.subscriptions.update(
      subscriptionId,
      {
        items: [item ? { id: item.id, price: input.price } : { price: input.price, metadata: { kind: 'plan' } }],
        proration_behavior: 'always_invoice',
        metadata: { plan_id: input.planId },
      },
      { idempotencyKey: `${idempotencyKey}:change` },
    );
  }

  /** Sets or clears `cancel_at_period_end`. */
  async setCancelAtPeriodEnd(subscriptionId: string, cancel: boolean, idempotencyKey: string) {
    const stripe = await this.stripe();
    return stripe.subscriptions.update(
      subscriptionId,
      { cancel_at_period_end: cancel },
      { idempotencyKey: `${idempotencyKey}:${cancel ? 'cancel' : 'resume'}` },
    );
  }

  /** Adds a plugin's add-on item (prorated, invoiced now). */
  async addItem(subscriptionId: string, input: { price: string; plugin: string }, idempotencyKey: string) {
    const stripe = await this.stripe();
    return stripe.subscriptionItems.create(
      { subscription: subscriptionId, price: input.price, proration_behavior: 'always_invoice', metadata: { kind: 'addon', plugin: input.plugin } },
      { idempotencyKey: `${idempotencyKey}:addon` },
    );
  }

  /** Removes an add-on item, crediting the unused time. */
  async removeItem(itemId: string, idempotencyKey: string): Promise<void> {
    const stripe = await this.stripe();
    await stripe.subscriptionItems.del(itemId, { proration_behavior: 'always_invoice' }, { idempotencyKey: `${idempotencyKey}:addon-end` });
  }

  /** A subscription with its default card expanded (the kernel shows its brand and last digits). */
  async retrieveSubscription(id: string) {
    return (await this.stripe()).subscriptions.retrieve(id, { expand: ['default_payment_method'] });
  }

  async retrieveInvoice(id: string) {
    return (await this.stripe()).invoices.retrieve(id);
  }

  async retrieveCheckoutSession(id: string) {
    return (await this.stripe()).checkout.sessions.retrieve(id);
  }

  /** Tries an open invoice again with the customer's default card. */
  async payInvoice(id: string, idempotencyKey: string) {
    return (await this.stripe()).invoices.pay(id, {}, { idempotencyKey: `${idempotencyKey}:pay:${id}` });
  }

  /** Makes a card saved by a setup checkout the customer's and the subscription's default. */
  async useSetupPaymentMethod(
    input: { customer: string; setupIntent: string; subscription: string | null },
    idempotencyKey: string,
  ): Promise<Stripe.PaymentMethod | null> {
    const stripe = await this.stripe();
    const intent = await stripe.setupIntents.retrieve(input.setupIntent, { expand: ['payment_method'] });
    const method = intent.payment_method;
    if (!method || typeof method === 'string') return null;
    await stripe.customers.update(
      input.customer,
      { invoice_settings: { default_payment_method: method.id } },
      { idempotencyKey: `${idempotencyKey}:default-card` },
    );
    if (input.subscription) {
      await stripe.subscriptions.update(input.subscription, { default_payment_method: method.id }, { idempotencyKey: `${idempotencyKey}:subscription-card` });
    }
    return method;
  }
}

/** The item carrying the plan (the one not marked as an add-on). */
export function planItem(subscription: Stripe.Subscription): Stripe.SubscriptionItem | undefined {
  return subscription.items.data.find((item) => item.metadata?.kind !== 'addon');
}

function addressOf(address: Record<string, string> | null): Stripe.AddressParam {
  if (!address) return {};
  const { line1, line2, city, state, postal_code } = address;
  return Object.fromEntries(
    Object.entries({ line1, line2, city, state, postal_code }).filter(([, value]) => typeof value === 'string' && value),
  ) as Stripe.AddressParam;
}

const euCountries = new Set('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '));
const taxIdTypes: Record<string, Stripe.CustomerCreateParams.TaxIdDatum.Type> = {
  GB: 'gb_vat',
  US: 'us_ein',
  EG: 'eg_tin',
  SA: 'sa_vat',
  AE: 'ae_trn',
  CH: 'ch_vat',
  NO: 'no_vat',
  AU: 'au_abn',
  CA: 'ca_bn',
  IN: 'in_gst',
  TR: 'tr_tin',
  ZA: 'za_vat',
  MA: 'ma_vat',
  NG: 'ng_tin',
  KE: 'ke_pin',
  JP: 'jp_trn',
  BR: 'br_cnpj',
  MX: 'mx_rfc',
};

/** Stripe's `tax_id_data` for the tenant's tax id, by its country (none when Stripe has no type for the country). */
export function taxIdData(country: string | null, taxId: string | null): Stripe.CustomerCreateParams.TaxIdDatum | undefined {
  if (!country || !taxId) return undefined;
  const type = euCountries.has(country) ? 'eu_vat' : taxIdTypes[country];
  return type ? { type, value: taxId } : undefined;
}

/** Whether a Stripe error is a declined card (`card_error`): an expected outcome of charging, recorded, not thrown. */
export function isCardDeclined(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: string }).type === 'StripeCardError';
}

/** Whether a stored customer id is a Stripe customer's (`cus_…`), not another provider's. */
export function isStripeCustomer(id: string | null): id is string {
  return typeof id === 'string' && id.startsWith('cus_');
}
