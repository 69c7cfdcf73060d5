import type Stripe from 'stripe';
import type { ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import type { Logger } from '../logger.js';
import { isStripeCustomer, type StripeBillingClient } from './stripe-billing-client.js';
import { applyStripeInvoice, applyStripeSubscription, idOf, type StripeSyncDeps } from './stripe-sync.js';

/** What `POST /billing/webhooks/stripe` answers: the event acknowledged, and whether it had been applied before. */
export interface StripeWebhookReceipt {
  received: true;
  event_id: string;
  duplicate: boolean;
}

/** The events the kernel applies (docs/billing.md §Stripe lists them for the host's webhook endpoint). */
export const stripeBillingEvents = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

/**
 * Stripe's webhooks for host billing. Each event is verified over the raw body with the official client
 * (`stripe.webhooks.constructEvent`, the host's signing secret), recorded once in `billing_events` (a duplicate is
 * acknowledged and not applied again), and applied by re-reading its object from Stripe: the state written is Stripe's
 * current one, so events arriving out of order or replayed converge. The tenant is the one named in the object's
 * `metadata.tenant_id` **and** holding its customer: a webhook naming one tenant with another's ids changes neither.
 * All of it runs in one transaction: a failure rolls the event back too, and Stripe retries it.
 */
export class StripeWebhooks {
  constructor(
    private readonly client: StripeBillingClient,
    private readonly deps: StripeSyncDeps & { logger: Logger },
  ) {}

  /** Verifies, records and applies one delivery. Throws 400 `webhook_signature_invalid`, nothing written, on a bad signature. */
  async receive(db: ScopedDb, rawBody: Buffer | undefined, signature: string | string[] | undefined): Promise<StripeWebhookReceipt> {
    const event = await this.verify(rawBody, signature);
    const inserted = await db.one<{ id: string }>(
      `insert into billing_events (provider, event_id, type, occurred_at) values ('stripe', $1, $2, $3)
       on conflict (provider, event_id) do nothing returning id`,
      [event.id, event.type, new Date(event.created * 1000)],
    );
    if (!inserted) return { received: true, event_id: event.id, duplicate: true };
    await this.apply(db, event);
    return { received: true, event_id: event.id, duplicate: false };
  }

  private async verify(rawBody: Buffer | undefined, signature: string | string[] | undefined): Promise<Stripe.Event> {
    const refuse = (why: string) => coreErrors.webhook_signature_invalid(undefined, { errors: { signature: [why] } });
    if (!this.client.settings.webhookSecret) throw refuse('no webhook signing secret is configured');
    if (!rawBody || rawBody.length === 0) throw refuse('the body is empty');
    if (typeof signature !== 'string' || !signature) throw refuse('the Stripe-Signature header is missing');
    const stripe = await this.client.stripe();
    try {
      return stripe.webhooks.constructEvent(rawBody, signature, this.client.settings.webhookSecret);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'a Stripe billing webhook failed its signature check');
      throw refuse('the signature does not verify');
    }
  }

  private async apply(db: ScopedDb, event: Stripe.Event): Promise<void> {
    const object = event.data.object as { id?: string; object?: string };
    if (typeof object.id !== 'string') return;
    const key = `stripe-event:${event.id}`;
    switch (event.type) {
      case 'checkout.session.completed':
        return this.checkoutCompleted(db, object.id, key);
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.subscriptionChanged(db, object.id);
      case 'customer.subscription.trial_will_end':
        return this.trialWillEnd(db, object.id);
      case 'invoice.finalized':
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return this.invoiceChanged(db, object.id);
      default:
        return;
    }
  }

  private async subscriptionChanged(db: ScopedDb, id: string): Promise<void> {
    const readAt = this.deps.clock.now();
    const subscription = await this.client.call(() => this.client.retrieveSubscription(id));
    const tenantId = await this.tenantOf(db, subscription.metadata?.tenant_id, idOf(subscription.customer));
    if (tenantId) await applyStripeSubscription(this.deps, db, tenantId, subscription, readAt);
  }

  private async invoiceChanged(db: ScopedDb, id: string): Promise<void> {
    const invoice = await this.client.call(() => this.client.retrieveInvoice(id));
    const details = invoice.parent?.subscription_details;
    const tenantId = await this.tenantOf(db, details?.metadata?.tenant_id ?? invoice.metadata?.tenant_id, idOf(invoice.customer));
    if (tenantId) await applyStripeInvoice(this.deps, db, tenantId, invoice);
  }

  private async trialWillEnd(db: ScopedDb, id: string): Promise<void> {
    const subscription = await this.client.call(() => this.client.retrieveSubscription(id));
    const tenantId = await this.tenantOf(db, subscription.metadata?.tenant_id, idOf(subscription.customer));
    if (!tenantId || subscription.status !== 'trialing') return;
    const row = await this.deps.state.load(db, tenantId);
    if (row.payment_method || row.provider_subscription_id !== subscription.id) return;
    this.deps.state.notice(db, { tenantId, template: 'core.billing-trial-ending', key: `billing:trial-ending:${row.id}:${subscription.trial_end ?? 0}` });
  }

  private async checkoutCompleted(db: ScopedDb, id: string, key: string): Promise<void> {
    const session = await this.client.call(() => this.client.retrieveCheckoutSession(id));
    const tenantId = await this.tenantOf(db, session.metadata?.tenant_id ?? session.client_reference_id ?? undefined, idOf(session.customer));
    if (!tenantId) return;
    if (session.mode === 'subscription' && session.subscription) {
      const readAt = this.deps.clock.now();
      const subscription = await this.client.call(() => this.client.retrieveSubscription(idOf(session.subscription)!));
      await applyStripeSubscription(this.deps, db, tenantId, subscription, readAt);
      return;
    }
    if (session.mode === 'setup' && session.setup_intent) {
      const row = await this.deps.state.load(db, tenantId, { lock: true });
      const method = await this.client.call(() =>
        this.client.useSetupPaymentMethod(
          { customer: idOf(session.customer)!, setupIntent: idOf(session.setup_intent)!, subscription: row.provider_subscription_id },
          key,
        ),
      );
      if (method?.card) {
        const { brand, last4, exp_month, exp_year } = method.card;
        await this.deps.state.applySubscription(db, tenantId, { payment_method: { brand, last4, exp_month, exp_year } });
      }
      await this.payOpenInvoices(db, tenantId, key);
    }
  }

  /** With a new card, the tenant's open invoices are tried again at once (paying ends dunning). */
  private async payOpenInvoices(db: ScopedDb, tenantId: string, key: string): Promise<void> {
    const open = await db.query<{ provider_invoice_id: string }>(
      "select provider_invoice_id from billing_invoices where tenant_id = $1 and provider = 'stripe' and status = 'open' order by issued_at",
      [tenantId],
    );
    for (const { provider_invoice_id: invoiceId } of open) {
      await this.client
        .payInvoice(invoiceId, key)
        .catch((error: unknown) => this.deps.logger.info({ err: error, invoiceId }, 'an open Stripe invoice was not paid'));
      await applyStripeInvoice(this.deps, db, tenantId, await this.client.call(() => this.client.retrieveInvoice(invoiceId)));
    }
  }

  /**
   * The tenant an object belongs to: the one its metadata names, if that tenant holds the object's customer; without
   * metadata, the tenant holding the customer. Anything else (another tenant's customer, an unknown one) is no one's.
   */
  private async tenantOf(db: ScopedDb, named: string | undefined, customer: string | null): Promise<string | undefined> {
    if (!isStripeCustomer(customer)) return undefined;
    const row = named
      ? /^[0-9a-f-]{36}$/i.test(named)
        ? await db.one<{ tenant_id: string }>('select tenant_id from tenant_subscriptions where tenant_id = $1 and provider_customer_id = $2', [
            named,
            customer,
          ])
        : undefined
      : await db.one<{ tenant_id: string }>('select tenant_id from tenant_subscriptions where provider_customer_id = $1', [customer]);
    if (!row) this.deps.logger.warn({ customer, tenant: named }, 'a Stripe billing webhook names no tenant holding its customer: ignored');
    return row?.tenant_id;
  }
}
