import { commonErrors, defineMessages, html, NotFoundError, pageReply, rawBody, Reply } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runAsSystem } from '../db/scoped-db.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { KernelServices } from '../kernel.js';
import type { BillingPrice, PlanRow } from './billing-provider.js';
import { addInterval, issueInvoice } from './invoices.js';
import { cardPays, testCard, verifyCheckout, type CheckoutClaims, type TestCard, type TestProvider } from './test-provider.js';
import type { InvoiceRow } from './subscription-state.js';

// The test provider's hosted page (docs/billing.md §Subscriptions): where a tenant pays for a plan or adds its card, as
// it would on Stripe's. It answers only while the host's provider is `test`; the token names the tenant, the operation
// and the subscription version it was made for, and expires within the hour.

export const checkoutMessages = defineMessages({
  en: {
    title: 'Test payment',
    subscribe: 'Pay {amount} per {interval, select, year {year} other {month}} for the {plan} plan of {tenant}.',
    card: 'Add a card for {tenant}. Unpaid invoices are paid with it.',
    number: 'Card number',
    hint: 'Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0341 is accepted but declines every charge.',
    pay: 'Pay',
    save: 'Save card',
    refused: 'This card number is not a test card. Use 4242 4242 4242 4242.',
    declined: 'The card was declined. Nothing was charged.',
    stale: 'This payment link is out of date. Start again from the billing page.',
    back: 'Back to billing',
  },
  ar: {
    title: 'دفع تجريبي',
    subscribe: 'ادفع {amount} {interval, select, year {سنويًا} other {شهريًا}} مقابل خطة {plan} لـ {tenant}.',
    card: 'أضف بطاقة لـ {tenant}. تُدفع بها الفواتير غير المدفوعة.',
    number: 'رقم البطاقة',
    hint: 'بطاقات تجريبية: 4242 4242 4242 4242 تدفع؛ و4000 0000 0000 0341 مقبولة لكنها ترفض كل عملية خصم.',
    pay: 'ادفع',
    save: 'احفظ البطاقة',
    refused: 'رقم البطاقة هذا ليس بطاقة تجريبية. استخدم 4242 4242 4242 4242.',
    declined: 'رُفضت البطاقة. لم يُخصم أي مبلغ.',
    stale: 'رابط الدفع هذا لم يعد صالحًا. ابدأ من جديد من صفحة الفوترة.',
    back: 'العودة إلى الفوترة',
  },
});

type Deps = Pick<KernelServices, 'config' | 'database' | 'tenants' | 'billing' | 'clock' | 'publicUrl'>;
const deps = {
  config: kernelRefs.config,
  database: kernelRefs.database,
  tenants: kernelRefs.tenants,
  billing: kernelRefs.billing,
  clock: kernelRefs.clock,
  publicUrl: kernelRefs.publicUrl,
};
const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 2000 }) });
const Page = rawBody('text/html', 'The payment page; 303 to the billing page once done; the page again with what went wrong (422)', [200, 303, 422]);

/** The token's claims, tenant and plan, when the provider is `test` and the token is valid; else a 404. */
async function resolve(services: Deps, token: string) {
  if (services.billing.provider?.name !== 'test') throw new NotFoundError('Not found');
  const claims = verifyCheckout(services.config.jwtSecret, token, services.clock.now());
  const tenant = claims ? await services.tenants.byId(claims.tenantId) : undefined;
  if (!claims || !tenant) throw new NotFoundError('This payment link is not valid');
  const plan = claims.planId
    ? await runAsSystem(services.database, (db) => db.one<PlanRow>('select * from billing_plans where id = $1 and archived_at is null', [claims.planId]))
    : undefined;
  const price = plan?.prices.find((candidate: BillingPrice) => candidate.currency === claims.currency && candidate.interval === claims.interval);
  const language = tenant.locale.startsWith('ar') ? 'ar' : 'en';
  return { claims, tenant, plan, price, language, back: `${services.publicUrl()}/t/${tenant.slug}/settings/billing` };
}

type Resolved = Awaited<ReturnType<typeof resolve>>;

function page(found: Resolved, token: string, problem?: 'refused' | 'declined' | 'stale', status = 200) {
  const t = checkoutMessages.translator(found.language);
  const { plan, price, tenant } = found;
  const amount = price
    ? new Intl.NumberFormat(found.language === 'ar' ? 'ar-EG' : 'en', { style: 'currency', currency: price.currency }).format(price.amount / 100)
    : '';
  const what =
    found.claims.operation === 'subscribe' && plan && price
      ? t('subscribe', { amount, interval: price.interval, plan: plan.name, tenant: tenant.name })
      : t('card', { tenant: tenant.name });
  return pageReply({
    status,
    locale: found.language,
    brand: tenant.name,
    title: t('title'),
    body: html`<h1>${t('title')}</h1>
      <p>${what}</p>
      ${problem ? html`<p class="notice error" role="alert">${t(problem)}</p>` : html``}
      <form method="post" action="/billing/test-checkout/${token}">
        <label for="card">${t('number')}</label>
        <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required maxlength="23" aria-describedby="card-hint" />
        <p id="card-hint" class="muted">${t('hint')}</p>
        <button type="submit">${found.claims.operation === 'subscribe' ? t('pay') : t('save')}</button>
      </form>
      <p><a href="${found.back}">${t('back')}</a></p>`,
  });
}

export const testCheckoutPage = defineRoute({
  method: 'GET',
  path: '/billing/test-checkout/:token',
  summary: "Page: the test provider's payment page (a card number and Pay)",
  tag: 'billing',
  public: true,
  root: true,
  rateLimit: { per: 'ip', max: 60, windowSeconds: 600 },
  deps,
  schema: { params: TokenParams, response: rawBody('text/html', 'The payment page') },
  errors: [commonErrors.not_found],
  async handler({ params, deps }) {
    return page(await resolve(deps, params.token), params.token);
  },
});

export const testCheckoutSubmit = defineRoute({
  method: 'POST',
  path: '/billing/test-checkout/:token',
  summary: 'Page: pays with the test card (or stores it) and returns to the billing page',
  tag: 'billing',
  public: true,
  root: true,
  rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
  body: { types: ['application/x-www-form-urlencoded'], limitBytes: 1024 },
  deps,
  schema: { params: TokenParams, body: Type.Object({ card: Type.Optional(Type.String({ maxLength: 40 })) }), response: Page },
  errors: [commonErrors.not_found],
  async handler({ params, body, deps }) {
    const found = await resolve(deps, params.token);
    const card = testCard(body.card ?? '', deps.clock.now());
    if (!card) return page(found, params.token, 'refused', 422);
    const outcome = await complete(deps, found.claims, card);
    if (outcome !== 'done') return page(found, params.token, outcome, 422);
    return Reply.redirect(found.back, 303, { 'cache-control': 'no-store' });
  },
});

/**
 * Completes a checkout with the subscription locked: still at the token's version (else `stale`). `subscribe` starts
 * the plan and charges its first period (a declining card: nothing changes); `payment-method` stores the card and
 * charges every open invoice with it, oldest first.
 */
async function complete(services: Deps, claims: CheckoutClaims, card: TestCard): Promise<'done' | 'declined' | 'stale'> {
  const { state, config } = services.billing;
  const provider = services.billing.provider as TestProvider;
  const now = services.clock.now();
  return runAsSystem(services.database, async (db) => {
    const subscription = await state.load(db, claims.tenantId, { lock: true });
    if (subscription.version !== claims.version) return 'stale';
    if (claims.operation === 'payment-method') {
      const stored = await state.applySubscription(db, claims.tenantId, { payment_method: card });
      const open = await db.query<InvoiceRow>("select * from billing_invoices where tenant_id = $1 and status = 'open' order by issued_at, number", [
        claims.tenantId,
      ]);
      for (const invoice of open) if (!(await provider.charge(db, stored, invoice))) break;
      return 'done';
    }
    if (!cardPays(card)) return 'declined';
    const plan = await db.one<PlanRow>('select * from billing_plans where id = $1 and archived_at is null', [claims.planId]);
    const price = plan?.prices.find((candidate) => candidate.currency === claims.currency && candidate.interval === claims.interval);
    if (!plan || !price) return 'stale';
    const end = addInterval(now, price.interval);
    const started = await state.applySubscription(db, claims.tenantId, {
      plan_id: plan.id,
      status: 'active',
      currency: price.currency,
      interval: price.interval,
      provider: 'test',
      payment_method: card,
      current_period_start: now,
      current_period_end: end,
      trial_ends_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
    });
    const invoice = await issueInvoice(db, state, config, started, {
      key: `${subscription.id}:v${subscription.version}:subscribe`,
      currency: price.currency,
      lines: [{ kind: 'plan', description: plan.name, amount: price.amount, period_start: now.toISOString(), period_end: end.toISOString() }],
      periodStart: now,
      periodEnd: end,
    });
    await provider.charge(db, started, invoice);
    return 'done';
  });
}

/** The test provider's payment page and its form's POST. */
export const testCheckoutRoutes: CoreRoute[] = [testCheckoutPage, testCheckoutSubmit];
