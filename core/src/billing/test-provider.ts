import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { NotFoundError } from '@plinth/sdk';
import { coreErrors } from '../http/core-errors.js';
import { isUuid } from '../db/scoped-db.js';
import type { BillingConfig } from './billing-config.js';
import type { BillingInterval, BillingPrice, BillingProvider, ProviderOperation, SubscriptionRow } from './billing-provider.js';
import { addInterval, invoiceOf, issueInvoice, prorate } from './invoices.js';
import type { InvoiceLine, InvoiceRow, SubscriptionState } from './subscription-state.js';

/**
 * The `test` provider: the kernel's own billing engine for development and tests (docs/billing.md §Subscriptions).
 * It prorates plan changes and add-ons, issues invoices, renews (renewals.ts) and charges a test card entered on its
 * hosted page (test-checkout.pages.ts): `4242 4242 4242 4242` pays, `4000 0000 0000 0341` is accepted but declines
 * every charge, any other number is refused. Time is the kernel's clock.
 */

/** What the test provider needs besides the operation. */
export interface TestProviderInput {
  state: SubscriptionState;
  config: BillingConfig;
  now: () => Date;
  /** The host's HMAC secret material (`PLINTH_JWT_SECRET`): signs checkout tokens. */
  secret: string;
  /** The site's public base URL, for the hosted page's links. */
  publicUrl: () => string;
}

/** A test card as stored: display fields only. */
export type TestCard = NonNullable<SubscriptionRow['payment_method']>;

/** The card a number stands for, or undefined when the test provider does not accept it. */
export function testCard(number: string, now: Date): TestCard | undefined {
  const digits = number.replace(/[\s-]/g, '');
  if (digits !== '4242424242424242' && digits !== '4000000000000341') return undefined;
  return { brand: 'visa', last4: digits.slice(-4), exp_month: 12, exp_year: now.getUTCFullYear() + 3 };
}

/** Whether a charge on the card goes through (`0341` declines every charge). */
export function cardPays(card: SubscriptionRow['payment_method']): boolean {
  return card !== null && card.last4 !== '0341';
}

/** What a checkout token stands for: the tenant, the operation and the subscription version it was issued at. */
export interface CheckoutClaims {
  tenantId: string;
  operation: 'subscribe' | 'payment-method';
  version: number;
  /** Seconds since the epoch. */
  expires: number;
  planId?: string;
  currency?: string;
  interval?: BillingInterval;
}

const keyLabel = 'plinth billing test checkout v1';
const checkoutSeconds = 3600;

function mac(secret: string, text: string): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('plinth', 'utf8'), Buffer.from(keyLabel, 'utf8'), 32));
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** A signed checkout token (an hour long): the claims, base64url, and their HMAC. */
export function signCheckout(secret: string, claims: CheckoutClaims): string {
  const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The claims of a token this host signed and that has not expired, or undefined. */
export function verifyCheckout(secret: string, token: string, now: Date): CheckoutClaims | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || body.length > 2000) return undefined;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CheckoutClaims;
    if (typeof claims.tenantId !== 'string' || !isUuid(claims.tenantId) || claims.expires * 1000 < now.getTime()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

const declined = () => coreErrors.payment_method_required('The card was declined: add another card', { translations: { ar: 'رُفضت البطاقة: أضف بطاقة أخرى' } });
const cardNeeded = () => coreErrors.payment_method_required('Add a card first', { translations: { ar: 'أضف بطاقة أولًا' } });

/** The test provider, with the charge the renewals and the checkout page use. */
export type TestProvider = ReturnType<typeof createTestProvider>;

/** Builds the test provider. */
export function createTestProvider(input: TestProviderInput): BillingProvider & {
  /** Charges an open invoice with the subscription's card: paid, or the failure recorded (dunning starts). */
  charge(db: ProviderOperation['db'], subscription: SubscriptionRow, invoice: InvoiceRow): Promise<boolean>;
} {
  const { state, config, now } = input;
  const checkoutUrl = (claims: Omit<CheckoutClaims, 'expires'>) =>
    `${input.publicUrl()}/billing/test-checkout/${signCheckout(input.secret, { ...claims, expires: Math.floor(now().getTime() / 1000) + checkoutSeconds })}`;

  const charge = async (db: ProviderOperation['db'], subscription: SubscriptionRow, invoice: InvoiceRow) => {
    if (Number(invoice.total) <= 0 || cardPays(subscription.payment_method)) {
      await state.invoicePaid(db, subscription.tenant_id, invoice.id);
      return true;
    }
    await state.invoiceFailed(db, subscription.tenant_id, invoice.id);
    return false;
  };

  /** Issues and charges an invoice the tenant asked for now (a change, an add-on): a declined card undoes it all. */
  const chargeNow = async (operation: ProviderOperation, lines: InvoiceLine[], periodStart: Date | null, periodEnd: Date | null) => {
    const { db, subscription } = operation;
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    if (total <= 0) return;
    if (!subscription.payment_method) throw cardNeeded();
    if (!cardPays(subscription.payment_method)) throw declined();
    const invoice = await issueInvoice(db, state, config, subscription, {
      key: operation.idempotencyKey,
      currency: subscription.currency!,
      lines,
      periodStart,
      periodEnd,
    });
    await state.invoicePaid(db, subscription.tenant_id, invoice.id);
  };

  const periodOf = (subscription: SubscriptionRow) => ({
    start: new Date(subscription.current_period_start!),
    end: new Date(subscription.current_period_end!),
  });

  return {
    name: 'test',
    charge,

    async subscribe(operation, { plan, price }) {
      const { db, subscription } = operation;
      if (plan.trial_days > 0) {
        const start = now();
        const end = new Date(start.getTime() + plan.trial_days * 86_400_000);
        await state.applySubscription(db, subscription.tenant_id, {
          plan_id: plan.id,
          status: 'trialing',
          currency: price.currency,
          interval: price.interval,
          provider: 'test',
          current_period_start: start,
          current_period_end: end,
          trial_ends_at: end,
          cancel_at_period_end: false,
          canceled_at: null,
        });
        return {};
      }
      return {
        checkoutUrl: checkoutUrl({
          tenantId: subscription.tenant_id,
          operation: 'subscribe',
          version: subscription.version,
          planId: plan.id,
          currency: price.currency,
          interval: price.interval,
        }),
      };
    },

    async changePlan(operation, { plan, price }) {
      const { db, subscription } = operation;
      const at = now();
      const switched = { plan_id: plan.id, currency: price.currency, interval: price.interval, cancel_at_period_end: false };
      if (subscription.status === 'trialing') {
        await state.applySubscription(db, subscription.tenant_id, switched);
        return {};
      }
      const { start, end } = periodOf(subscription);
      const current = (await db.one<{ prices: BillingPrice[] }>('select prices from billing_plans where id = $1', [subscription.plan_id]))?.prices ?? [];
      const old = current.find((candidate) => candidate.currency === subscription.currency && candidate.interval === subscription.interval);
      const unused = old ? prorate(old.amount, start, end, at) : 0;
      const credit: InvoiceLine = {
        kind: 'proration',
        description: 'Unused time on the previous plan',
        amount: -unused,
        period_start: at.toISOString(),
        period_end: end.toISOString(),
      };
      if (price.interval !== subscription.interval) {
        // A new interval starts a new period now: the unused time is credited, the new price charged in full.
        const periodEnd = addInterval(at, price.interval);
        const line: InvoiceLine = {
          kind: 'plan',
          description: plan.name,
          amount: price.amount,
          period_start: at.toISOString(),
          period_end: periodEnd.toISOString(),
        };
        await state.applySubscription(db, subscription.tenant_id, { ...switched, current_period_start: at, current_period_end: periodEnd });
        await settle(operation, [credit, line], at, periodEnd);
        return {};
      }
      const remaining = prorate(price.amount, start, end, at);
      const line: InvoiceLine = {
        kind: 'proration',
        description: `Remaining time on ${plan.name}`,
        amount: remaining,
        period_start: at.toISOString(),
        period_end: end.toISOString(),
      };
      await state.applySubscription(db, subscription.tenant_id, switched);
      await settle(operation, [credit, line], at, end);
      return {};
    },

    async cancel({ db, subscription }) {
      await state.applySubscription(db, subscription.tenant_id, { cancel_at_period_end: true });
    },

    async resume({ db, subscription }) {
      await state.applySubscription(db, subscription.tenant_id, { cancel_at_period_end: false });
    },

    async paymentMethodCheckout({ subscription }) {
      return { url: checkoutUrl({ tenantId: subscription.tenant_id, operation: 'payment-method', version: subscription.version }) };
    },

    async payInvoice({ db, subscription }, invoiceId) {
      const invoice = await invoiceOf(db, subscription.tenant_id, invoiceId);
      if (!invoice) throw new NotFoundError('Invoice not found');
      if (invoice.status !== 'open') return;
      if (!subscription.payment_method) throw cardNeeded();
      if (!cardPays(subscription.payment_method)) throw declined();
      await state.invoicePaid(db, subscription.tenant_id, invoice.id);
    },

    async startAddon(operation, plugin, price) {
      const { db, subscription } = operation;
      if (subscription.status !== 'trialing') {
        const { start, end } = periodOf(subscription);
        const at = now();
        const line: InvoiceLine = {
          kind: 'addon',
          description: `Add-on ${plugin} (remaining time)`,
          amount: prorate(price.amount, start, end, at),
          period_start: at.toISOString(),
          period_end: end.toISOString(),
        };
        await chargeNow(operation, [line], at, end);
      }
      await state.startAddon(db, subscription.tenant_id, plugin);
    },

    async endAddon({ db, subscription }, plugin) {
      await state.endAddon(db, subscription.tenant_id, plugin);
    },
  };

  /** A change's lines: a net charge is invoiced and charged now; a net credit goes to the tenant's balance. */
  async function settle(operation: ProviderOperation, lines: InvoiceLine[], periodStart: Date, periodEnd: Date): Promise<void> {
    const net = lines.reduce((sum, line) => sum + line.amount, 0);
    const fresh = await state.load(operation.db, operation.subscription.tenant_id, { lock: true });
    if (net < 0) {
      await state.applySubscription(operation.db, fresh.tenant_id, { credit_balance: Number(fresh.credit_balance) - net });
      return;
    }
    await chargeNow({ ...operation, subscription: fresh }, lines, periodStart, periodEnd);
  }
}
