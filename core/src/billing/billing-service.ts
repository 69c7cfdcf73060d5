import { NotFoundError } from '@plinth/sdk';
import type { AuditActor } from '../audit/audit.js';
import { recordTenantAudit } from '../audit/audit.js';
import { runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import type { KernelServices } from '../kernel.js';
import { billingConfig, type BillingConfig } from './billing-config.js';
import type { BillingInterval, BillingPrice, BillingProvider, PlanRow, ProviderOperation } from './billing-provider.js';
import { addonPrice, planView, subscriptionView, type BillingOverview } from './billing-views.js';
import { createTestProvider } from './test-provider.js';
import { subscriptionState, type SubscriptionState } from './subscription-state.js';

/** A plan asked for: its key, and the currency and interval of its price (defaults: the running ones, the tenant's currency, monthly). */
export interface PlanInput {
  plan: string;
  currency?: string;
  interval?: BillingInterval;
}

/** The tenant's billing details (`PUT /billing/details`). */
export interface BillingDetailsInput {
  billing_name: string | null;
  billing_email: string | null;
  country: string | null;
  tax_id: string | null;
  address: Record<string, string> | null;
}

/**
 * Host billing of tenants (`billing` in KernelServices, docs/billing.md §Subscriptions): the overview a tenant reads,
 * and the changes it asks for, each run with its subscription row locked and handed to the provider.
 */
export interface BillingService {
  /** The host's provider (PLINTH_BILLING_PROVIDER): `test` by default outside production; null when it bills no one. */
  readonly provider: BillingProvider | null;
  readonly config: BillingConfig;
  /** The state functions every provider writes through (subscription-state.ts). */
  readonly state: SubscriptionState;
  /** What `GET /billing` answers. */
  overview(tenantId: string): Promise<BillingOverview>;
  /**
   * Moves the tenant to `plan` (docs/billing.md §Subscriptions): 409 `subscription_unchanged` when already there,
   * 422 `currency_not_offered`, 409 `plan_change_exceeds_limits` listing every limit and plugin over, 409
   * `billing_not_configured` for a paid plan without a provider; the default plan cancels at the period's end.
   */
  changePlan(tenantId: string, input: PlanInput, actor?: AuditActor): Promise<{ checkout_url?: string }>;
  /**
   * Subscribes a tenant created in `db` (a system-path transaction, not committed yet: sign-up) to `plan`: a trial, or
   * the checkout URL to pay at. Refuses as {@link changePlan} does (the caller's transaction then rolls back).
   */
  subscribeNew(db: ScopedDb, tenantId: string, input: PlanInput): Promise<{ checkout_url?: string }>;
  /** Ends the paid subscription when its period ends (the tenant then moves to the default plan). */
  cancel(tenantId: string, actor?: AuditActor): Promise<void>;
  /** Undoes {@link cancel} before the period ends. */
  resume(tenantId: string, actor?: AuditActor): Promise<void>;
  /** The provider's hosted page to add or replace the card (it pays what is unpaid). */
  paymentMethod(tenantId: string): Promise<{ url: string }>;
  /** Tries an open invoice of the tenant again now (404 for another tenant's). */
  payInvoice(tenantId: string, invoiceId: string): Promise<void>;
  updateDetails(tenantId: string, details: BillingDetailsInput, actor?: AuditActor): Promise<void>;
  /** Starts the paid add-on of `plugin` (the marketplace, on enable): 402 `payment_method_required` without a paid subscription. */
  startAddon(tenantId: string, plugin: string): Promise<void>;
  /** Ends it (on disable); nothing when none runs. */
  endAddon(tenantId: string, plugin: string): Promise<void>;
}

type BillingServices = Pick<KernelServices, 'config' | 'database' | 'clock' | 'tenants' | 'jobs' | 'logger' | 'entitlements' | 'publicUrl'>;

/** Other providers than the kernel's own test engine, built on the same state (Stripe: stripe-provider.ts). */
export type ProviderFactory = (deps: { state: SubscriptionState; services: BillingServices; config: BillingConfig }) => BillingProvider;

/** Builds the billing service; `stripe` builds the Stripe provider when the host chose it. */
export function createBillingService(services: BillingServices, factories: { stripe?: ProviderFactory } = {}): BillingService {
  const config = billingConfig(services.config);
  const state = subscriptionState(services);
  const now = () => services.clock.now();
  const provider: BillingProvider | null =
    config.provider === 'test'
      ? createTestProvider({ state, config, now, secret: services.config.jwtSecret, publicUrl: () => services.publicUrl() })
      : config.provider === 'stripe'
        ? (factories.stripe?.({ state, services, config }) ?? null)
        : null;

  const requireProvider = () => {
    if (!provider)
      throw coreErrors.billing_not_configured('This host bills no one: only the free plan is available', {
        translations: { ar: 'لا يفرض هذا المضيف رسومًا على أحد: الخطة المجانية وحدها متاحة' },
      });
    return provider;
  };

  /** Runs `fn` with the tenant's subscription locked, on the system path. */
  const operation = async <T>(tenantId: string, name: string, fn: (operation: ProviderOperation) => Promise<T>): Promise<T> => {
    const tenant = await services.tenants.byId(tenantId);
    const returnUrl = `${services.publicUrl()}/t/${tenant?.slug ?? tenantId}/settings/billing`;
    return runAsSystem(services.database, async (db) => {
      const subscription = await state.load(db, tenantId, { lock: true });
      return fn({ db, subscription, idempotencyKey: `${subscription.id}:v${subscription.version}:${name}`, returnUrl });
    });
  };

  const paid = (subscription: ProviderOperation['subscription']) => subscription.provider !== null && subscription.status !== 'canceled';

  const planNamed = async (key: string): Promise<PlanRow> => {
    const plan = (await services.entitlements.plans()).find((candidate) => candidate.key === key && !candidate.archived_at);
    if (!plan) throw new NotFoundError('Plan not found', { translations: { ar: 'الخطة غير موجودة' } });
    return plan;
  };

  /** The plan's price asked for (422 `currency_not_offered` when it has none; a running subscription keeps its currency). */
  const choosePrice = (plan: PlanRow, input: PlanInput, current: ProviderOperation['subscription'], tenantCurrency: string | undefined): BillingPrice => {
    const running = paid(current);
    const currency = (input.currency ?? (running ? current.currency : null) ?? tenantCurrency ?? '').toUpperCase();
    const interval = input.interval ?? (running ? current.interval : null) ?? 'month';
    let price = plan.prices.find((candidate) => candidate.currency === currency && candidate.interval === interval);
    // Nothing named and nothing running: the plan's first price of that interval stands in for the tenant's currency.
    if (!price && !input.currency && !running) price = plan.prices.find((candidate) => candidate.interval === interval);
    if (!price || (running && current.currency && price.currency !== current.currency))
      throw coreErrors.currency_not_offered(`The plan ${plan.name} has no ${interval}ly price in ${currency || 'that currency'}`, {
        errors: { currency: [currency], interval: [interval] },
        translations: { ar: `لا سعر للخطة ${plan.name} بهذه العملة وهذه المدة` },
      });
    return price;
  };

  const unchanged = () =>
    coreErrors.subscription_unchanged('The subscription is already on that plan and price', {
      translations: { ar: 'الاشتراك على هذه الخطة وهذا السعر بالفعل' },
    });

  return {
    provider,
    config,
    state,

    async overview(tenantId) {
      const [plan, plans, prices, tenant] = await Promise.all([
        services.entitlements.planOf(tenantId),
        services.entitlements.plans(),
        services.entitlements.pluginPrices(),
        services.tenants.byId(tenantId),
      ]);
      const usage = await runInTenant(services.database, tenantId, (db) => services.entitlements.usage(db, tenantId));
      const { subscription, addons, standing } = await runAsSystem(services.database, async (db) => ({
        subscription: await state.load(db, tenantId),
        addons: await db.query<{ plugin: string; started_at: Date }>(
          "select plugin, started_at from tenant_subscription_addons where tenant_id = $1 and status = 'active' order by plugin",
          [tenantId],
        ),
        standing: (await db.one<{ billing_status: 'ok' | 'read_only' | 'suspended' }>('select billing_status from tenants where id = $1', [tenantId]))
          ?.billing_status,
      }));
      return {
        plan: planView(plan),
        subscription: subscriptionView(subscription),
        billing_status: standing ?? tenant?.billing_status ?? 'ok',
        details: {
          billing_name: subscription.billing_name,
          billing_email: subscription.billing_email,
          country: subscription.country,
          tax_id: subscription.tax_id,
          address: subscription.address,
        },
        usage: usage.map((entry) => ({ limit: entry.limit, max: entry.max, used: entry.used })),
        addons: addons.map((addon) => ({
          plugin: addon.plugin,
          started_at: new Date(addon.started_at).toISOString(),
          price: addonPrice(prices[addon.plugin], subscription),
        })),
        plans: plans.filter((candidate) => (candidate.public && !candidate.archived_at) || candidate.id === plan.id).map(planView),
        provider: provider?.name ?? null,
      };
    },

    async subscribeNew(db, tenantId, input) {
      const plan = await planNamed(input.plan);
      if (plan.is_default) return {};
      const subscription = await state.load(db, tenantId, { lock: true });
      const tenant = await db.one<{ slug: string; currency: string }>('select slug, currency from tenants where id = $1', [tenantId]);
      const price = choosePrice(plan, input, subscription, tenant?.currency);
      const result = await requireProvider().subscribe(
        {
          db,
          subscription,
          idempotencyKey: `${subscription.id}:v${subscription.version}:signup`,
          returnUrl: `${services.publicUrl()}/t/${tenant?.slug}/settings/billing`,
        },
        { plan, price },
      );
      return result.checkoutUrl ? { checkout_url: result.checkoutUrl } : {};
    },

    async changePlan(tenantId, input, actor) {
      const plan = await planNamed(input.plan);
      const tenant = await services.tenants.byId(tenantId);
      let price: BillingPrice | undefined;
      if (!plan.is_default) {
        const current = await runAsSystem(services.database, (db) => state.load(db, tenantId));
        price = choosePrice(plan, input, current, tenant?.currency);
        requireProvider();
      }
      const over = await runInTenant(services.database, tenantId, (db) => services.entitlements.exceeds(db, tenantId, plan));
      if (over.limits.length > 0 || over.plugins.length > 0) {
        const errors: Record<string, string[]> = {};
        for (const limit of over.limits) errors[`limits.${limit.limit}`] = [`${limit.used} used, the plan allows ${limit.max}`];
        for (const plugin of over.plugins) errors[`plugins.${plugin}`] = ['not included'];
        throw coreErrors.plan_change_exceeds_limits(`This organisation uses more than the ${plan.name} plan allows`, {
          errors,
          translations: { ar: `تستخدم هذه المؤسسة أكثر مما تسمح به خطة ${plan.name}` },
        });
      }
      return operation(tenantId, `plan:${plan.key}`, async (op) => {
        const { subscription } = op;
        if (plan.is_default) {
          if (!paid(subscription) || subscription.cancel_at_period_end) throw unchanged();
          await requireProvider().cancel(op);
          await recordTenantAudit(op.db, actor ?? {}, { action: 'billing.downgrade_scheduled', targetType: 'plan', targetId: plan.id }, tenantId);
          return {};
        }
        const same = subscription.plan_id === plan.id && subscription.currency === price!.currency && subscription.interval === price!.interval;
        if (same && paid(subscription)) throw unchanged();
        const result = paid(subscription)
          ? await requireProvider().changePlan(op, { plan, price: price! })
          : await requireProvider().subscribe(op, { plan, price: price! });
        return result.checkoutUrl ? { checkout_url: result.checkoutUrl } : {};
      });
    },

    async cancel(tenantId) {
      await operation(tenantId, 'cancel', async (op) => {
        if (!paid(op.subscription) || op.subscription.cancel_at_period_end) throw unchanged();
        await requireProvider().cancel(op);
      });
    },

    async resume(tenantId) {
      await operation(tenantId, 'resume', async (op) => {
        if (!paid(op.subscription) || !op.subscription.cancel_at_period_end) throw unchanged();
        await requireProvider().resume(op);
      });
    },

    async paymentMethod(tenantId) {
      const chosen = requireProvider();
      return operation(tenantId, 'payment-method', (op) => chosen.paymentMethodCheckout(op));
    },

    async payInvoice(tenantId, invoiceId) {
      const chosen = requireProvider();
      await operation(tenantId, `pay:${invoiceId}`, (op) => chosen.payInvoice(op, invoiceId));
    },

    async updateDetails(tenantId, details, actor) {
      await runAsSystem(services.database, async (db) => {
        await db.query(
          `update tenant_subscriptions set billing_name = $2, billing_email = $3, country = $4, tax_id = $5, address = $6, version = version + 1, updated_at = now()
           where tenant_id = $1`,
          [tenantId, details.billing_name, details.billing_email, details.country, details.tax_id, details.address ? JSON.stringify(details.address) : null],
        );
        await recordTenantAudit(
          db,
          actor ?? {},
          { action: 'billing.details_updated', targetType: 'subscription', data: { country: details.country } },
          tenantId,
        );
      });
    },

    async startAddon(tenantId, plugin) {
      const prices = (await services.entitlements.pluginPrices())[plugin];
      if (!prices || prices.length === 0) return;
      const chosen = provider;
      await operation(tenantId, `addon:${plugin}`, async (op) => {
        const { subscription, db } = op;
        const running = await db.one('select 1 from tenant_subscription_addons where tenant_id = $1 and plugin = $2 and status = $3', [
          tenantId,
          plugin,
          'active',
        ]);
        if (running) return;
        if (!chosen || !paid(subscription))
          throw coreErrors.payment_method_required(`The ${plugin} plugin is a paid add-on: choose a paid plan first`, {
            errors: { plugin: [plugin] },
            translations: { ar: `الإضافة ${plugin} مدفوعة: اختر خطة مدفوعة أولًا` },
          });
        const price = addonPrice(prices, subscription);
        if (!price)
          throw coreErrors.currency_not_offered(`The ${plugin} add-on has no ${subscription.interval}ly price in ${subscription.currency}`, {
            errors: { currency: [subscription.currency ?? ''], interval: [subscription.interval ?? ''] },
            translations: { ar: `لا سعر للإضافة ${plugin} بعملة الاشتراك ومدته` },
          });
        await chosen.startAddon(op, plugin, price);
      });
    },

    async endAddon(tenantId, plugin) {
      await operation(tenantId, `addon-end:${plugin}`, async (op) => {
        const running = await op.db.one('select 1 from tenant_subscription_addons where tenant_id = $1 and plugin = $2 and status = $3', [
          tenantId,
          plugin,
          'active',
        ]);
        if (!running) return;
        if (provider) await provider.endAddon(op, plugin);
        else await state.endAddon(op.db, tenantId, plugin);
      });
    },
  };
}
