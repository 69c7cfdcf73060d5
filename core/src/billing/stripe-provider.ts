import { coreErrors } from '../http/core-errors.js';
import type { Logger } from '../logger.js';
import type { ProviderFactory } from './billing-service.js';
import type { BillingPrice, BillingProvider, PlanChoice, ProviderOperation, ProviderResult } from './billing-provider.js';
import { isCardDeclined, isStripeCustomer, StripeBillingClient, type StripeBillingSettings } from './stripe-billing-client.js';
import { applyStripeInvoice, applyStripeSubscription, type StripeSyncDeps } from './stripe-sync.js';
import { StripeWebhooks } from './stripe-webhooks.js';

/**
 * Stripe Billing as the host's billing provider (`PLINTH_BILLING_PROVIDER=stripe`, docs/billing.md §Stripe). Stripe
 * renews, prorates and retries; each operation here calls Stripe (idempotency keys from the operation's) and writes
 * the state Stripe answers through `subscription-state.ts`, and the webhooks (`webhooks`) keep it in step afterwards.
 */
export class StripeProvider implements BillingProvider {
  readonly name = 'stripe' as const;
  readonly client: StripeBillingClient;
  /** `POST /billing/webhooks/stripe` applies its events through this. */
  readonly webhooks: StripeWebhooks;

  constructor(
    settings: StripeBillingSettings,
    private readonly deps: StripeSyncDeps & { logger: Logger },
  ) {
    this.client = new StripeBillingClient(settings, deps.logger);
    this.webhooks = new StripeWebhooks(this.client, deps);
  }

  /** A trial without a card when the plan has one (Stripe invoices when it ends); else a hosted checkout to pay first. */
  async subscribe(operation: ProviderOperation, choice: PlanChoice): Promise<ProviderResult> {
    const { db, subscription, idempotencyKey } = operation;
    const customer = await this.customer(operation);
    const price = await this.client.priceId(db, { kind: 'plan', plan: choice.plan }, choice.price);
    const ids = { customer, price, tenantId: subscription.tenant_id, planId: choice.plan.id };
    if (choice.plan.trial_days > 0) {
      const readAt = this.deps.clock.now();
      const created = await this.client.call(() => this.client.createTrialSubscription({ ...ids, trialDays: choice.plan.trial_days }, idempotencyKey));
      await applyStripeSubscription(this.deps, db, subscription.tenant_id, created, readAt);
      return {};
    }
    const checkoutUrl = await this.client.call(() => this.client.subscriptionCheckout({ ...ids, returnUrl: operation.returnUrl }, idempotencyKey));
    return { checkoutUrl };
  }

  /** Replaces the plan's price now; Stripe invoices the proration at once (`proration_behavior: 'always_invoice'`). */
  async changePlan(operation: ProviderOperation, choice: PlanChoice): Promise<ProviderResult> {
    const { db, subscription, idempotencyKey } = operation;
    if (!subscription.provider_subscription_id || subscription.provider !== 'stripe') return this.subscribe(operation, choice);
    const price = await this.client.priceId(db, { kind: 'plan', plan: choice.plan }, choice.price);
    const readAt = this.deps.clock.now();
    const updated = await this.client.call(() =>
      this.client.changePrice(subscription.provider_subscription_id!, { price, planId: choice.plan.id }, idempotencyKey),
    );
    await applyStripeSubscription(this.deps, db, subscription.tenant_id, updated, readAt);
    return {};
  }

  async cancel(operation: ProviderOperation): Promise<void> {
    await this.setCancel(operation, true);
  }

  async resume(operation: ProviderOperation): Promise<void> {
    await this.setCancel(operation, false);
  }

  async paymentMethodCheckout(operation: ProviderOperation): Promise<{ url: string }> {
    const customer = await this.customer(operation);
    const currency = operation.subscription.currency ?? 'USD';
    const url = await this.client.call(() =>
      this.client.setupCheckout({ customer, currency, tenantId: operation.subscription.tenant_id, returnUrl: operation.returnUrl }, operation.idempotencyKey),
    );
    return { url };
  }

  /**
   * Charges an open invoice again. A declined card answers 402 `payment_method_required` (nothing written here: Stripe
   * counts the attempt and its `invoice.payment_failed` webhook records it); paid, the invoice and the state are
   * written at once.
   */
  async payInvoice(operation: ProviderOperation, invoiceId: string): Promise<void> {
    const { db, subscription } = operation;
    const row = await db.one<{ provider_invoice_id: string | null; attempt_count: number; status: string }>(
      "select provider_invoice_id, attempt_count, status from billing_invoices where tenant_id = $1 and id = $2 and provider = 'stripe'",
      [subscription.tenant_id, invoiceId],
    );
    if (!row?.provider_invoice_id || row.status !== 'open') return;
    const providerId = row.provider_invoice_id;
    // Each attempt its own key: a retry after a declined card is a new charge, not the declined answer replayed.
    const key = `${operation.idempotencyKey}:attempt-${row.attempt_count}`;
    const declined = await this.client.call(() =>
      this.client.payInvoice(providerId, key).then(
        () => false,
        (error: unknown) => {
          if (isCardDeclined(error)) return true;
          throw error;
        },
      ),
    );
    if (declined) {
      throw coreErrors.payment_method_required('The card was declined: add another card to pay this invoice', {
        errors: { invoice: [invoiceId] },
        translations: { ar: 'رُفضت البطاقة: أضف بطاقة أخرى لدفع هذه الفاتورة' },
      });
    }
    await applyStripeInvoice(this.deps, db, subscription.tenant_id, await this.client.call(() => this.client.retrieveInvoice(providerId)));
  }

  async startAddon(operation: ProviderOperation, plugin: string, price: BillingPrice): Promise<void> {
    const { db, subscription, idempotencyKey } = operation;
    if (!subscription.provider_subscription_id) return;
    const priceId = await this.client.priceId(db, { kind: 'addon', plugin }, price);
    const item = await this.client.call(() => this.client.addItem(subscription.provider_subscription_id!, { price: priceId, plugin }, idempotencyKey));
    await this.deps.state.startAddon(db, subscription.tenant_id, plugin, item.id);
  }

  async endAddon(operation: ProviderOperation, plugin: string): Promise<void> {
    const { db, subscription, idempotencyKey } = operation;
    const addon = await db.one<{ provider_item_id: string | null }>(
      "select provider_item_id from tenant_subscription_addons where tenant_id = $1 and plugin = $2 and status = 'active'",
      [subscription.tenant_id, plugin],
    );
    if (addon?.provider_item_id) await this.client.call(() => this.client.removeItem(addon.provider_item_id!, idempotencyKey));
    await this.deps.state.endAddon(db, subscription.tenant_id, plugin);
  }

  private async setCancel(operation: ProviderOperation, cancel: boolean): Promise<void> {
    const { db, subscription, idempotencyKey } = operation;
    if (!subscription.provider_subscription_id) return;
    const readAt = this.deps.clock.now();
    const updated = await this.client.call(() => this.client.setCancelAtPeriodEnd(subscription.provider_subscription_id!, cancel, idempotencyKey));
    await applyStripeSubscription(this.deps, db, subscription.tenant_id, updated, readAt);
  }

  /**
   * The tenant's Stripe customer, created on first use and its id written to the row at once (webhooks find the tenant
   * by it). Only the id: the row stays on its plan, without a provider, until a subscription starts.
   */
  private async customer(operation: ProviderOperation): Promise<string> {
    const { db, subscription } = operation;
    if (isStripeCustomer(subscription.provider_customer_id)) return subscription.provider_customer_id;
    const tenant = await db.one<{ name: string }>('select name from tenants where id = $1', [subscription.tenant_id]);
    const customer = await this.client.call(() =>
      this.client.ensureCustomer(subscription, { name: tenant?.name ?? '', email: null }, operation.idempotencyKey),
    );
    await this.deps.state.applySubscription(db, subscription.tenant_id, { provider_customer_id: customer });
    // Later steps of this operation see the customer (the caller's row is the one it locked).
    subscription.provider_customer_id = customer;
    return customer;
  }
}

/** The billing service's factory for the Stripe provider (`createBillingService(services, { stripe: createStripeProvider })`). */
export const createStripeProvider: ProviderFactory = ({ state, services, config }) => {
  if (!config.stripe) throw new Error('PLINTH_BILLING_PROVIDER=stripe needs the PLINTH_BILLING_STRIPE_* settings (docs/billing.md §Stripe)');
  return new StripeProvider(config.stripe, { state, clock: services.clock, logger: services.logger });
};
