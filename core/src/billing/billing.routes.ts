import { commonErrors, listPage, NotFoundError, PageQuery, paginate, Reply } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { coreErrors } from '../http/core-errors.js';
import { Exact, rawBody, Uuid } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { corePermissions } from '../rbac/permissions.js';
import { BillingDetails, BillingOverview } from './billing-views.js';
import { invoicePdf } from './invoice-pdf.js';
import { Invoice, invoiceView } from './invoices.js';
import type { InvoiceRow } from './subscription-state.js';

// The tenant's billing (docs/billing.md §Subscriptions): every route here stays open while dunning has the tenant
// read only or suspended (`billingExempt`), so that it can always pay.

const deps = { billing: kernelRefs.billing };
const view = corePermissions['billing.view'];
const manage = corePermissions['billing.manage'];
const IdParams = Type.Object({ id: Uuid });
const planErrors = [
  commonErrors.not_found,
  coreErrors.subscription_unchanged,
  coreErrors.currency_not_offered,
  coreErrors.plan_change_exceeds_limits,
  coreErrors.billing_not_configured,
  coreErrors.payment_method_required,
  coreErrors.billing_provider_unavailable,
];

export const getBilling = defineRoute({
  method: 'GET',
  path: '/billing',
  summary: "The tenant's plan, subscription, usage against its limits, add-ons and the plans on offer",
  tag: 'billing',
  permission: view,
  billingExempt: true,
  deps,
  schema: { response: BillingOverview },
  errors: [],
  async handler({ deps, tenant }) {
    return deps.billing.overview(tenant.id);
  },
});

export const putBillingDetails = defineRoute({
  method: 'PUT',
  path: '/billing/details',
  summary: 'The billing name, email, country, tax id and address printed on the next invoices',
  tag: 'billing',
  permission: manage,
  billingExempt: true,
  deps,
  schema: {
    body: Type.Object(
      {
        billing_name: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()]),
        billing_email: Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]),
        country: Type.Union([Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' }), Type.Null()]),
        tax_id: Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()]),
        address: Type.Union([Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200 }), { maxProperties: 10 }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    response: BillingDetails,
  },
  errors: [],
  async handler({ deps, tenant, body, actor }) {
    await deps.billing.updateDetails(tenant.id, body, actor);
    return (await deps.billing.overview(tenant.id)).details;
  },
});

const ChangeResult = Exact({
  ...BillingOverview.properties,
  checkout_url: Type.Optional(Type.String({ description: 'Go here to pay before the plan starts' })),
});

export const postSubscription = defineRoute({
  method: 'POST',
  path: '/billing/subscription',
  summary: 'Choose a plan: a trial or a prorated change now, a hosted checkout (`checkout_url`) to pay first, or the free plan at the end of the period',
  tag: 'billing',
  permission: manage,
  billingExempt: true,
  deps,
  schema: {
    body: Type.Object(
      {
        plan: Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$' }),
        currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
        interval: Type.Optional(Type.Union([Type.Literal('month'), Type.Literal('year')])),
      },
      { additionalProperties: false },
    ),
    response: ChangeResult,
  },
  errors: planErrors,
  async handler({ deps, tenant, body, actor }) {
    const result = await deps.billing.changePlan(tenant.id, body, actor);
    return { ...(await deps.billing.overview(tenant.id)), ...result };
  },
});

export const cancelSubscription = defineRoute({
  method: 'POST',
  path: '/billing/subscription/cancel',
  summary: 'End the paid subscription at the end of its period (then the free plan)',
  tag: 'billing',
  permission: manage,
  billingExempt: true,
  deps,
  schema: { response: BillingOverview },
  errors: [coreErrors.subscription_unchanged, coreErrors.billing_not_configured, coreErrors.billing_provider_unavailable],
  async handler({ deps, tenant, actor }) {
    await deps.billing.cancel(tenant.id, actor);
    return deps.billing.overview(tenant.id);
  },
});

export const resumeSubscription = defineRoute({
  method: 'POST',
  path: '/billing/subscription/resume',
  summary: 'Keep the subscription after all (undo a cancellation before the period ends)',
  tag: 'billing',
  permission: manage,
  billingExempt: true,
  deps,
  schema: { response: BillingOverview },
  errors: [coreErrors.subscription_unchanged, coreErrors.billing_not_configured, coreErrors.billing_provider_unavailable],
  async handler({ deps, tenant, actor }) {
    await deps.billing.resume(tenant.id, actor);
    return deps.billing.overview(tenant.id);
  },
});

export const postPaymentMethod = defineRoute({
  method: 'POST',
  path: '/billing/payment-method',
  summary: "The provider's page to add or replace the card (it pays what is unpaid)",
  tag: 'billing',
  permission: manage,
  billingExempt: true,
  deps,
  schema: { response: Exact({ url: Type.String() }) },
  errors: [coreErrors.billing_not_configured, coreErrors.billing_provider_unavailable],
  async handler({ deps, tenant }) {
    return deps.billing.paymentMethod(tenant.id);
  },
});

export const listInvoices = defineRoute({
  method: 'GET',
  path: '/billing/invoices',
  summary: "The tenant's invoices, newest first",
  tag: 'billing',
  permission: view,
  billingExempt: true,
  readOnly: true,
  schema: { query: PageQuery, response: Type.Array(Invoice) },
  errors: [],
  async handler({ db, query }) {
    const { items, total } = await listPage<InvoiceRow>(db, { select: '*', from: 'billing_invoices', orderBy: 'issued_at desc, number desc, id' }, query);
    return Reply.list(items.map(invoiceView), paginate(query, total));
  },
});

const invoiceNotFound = () => new NotFoundError('Invoice not found', { translations: { ar: 'الفاتورة غير موجودة' } });

export const getInvoice = defineRoute({
  method: 'GET',
  path: '/billing/invoices/:id',
  summary: 'One invoice with its lines',
  tag: 'billing',
  permission: view,
  billingExempt: true,
  readOnly: true,
  schema: { params: IdParams, response: Invoice },
  errors: [],
  async handler({ db, params }) {
    const row = await db.one<InvoiceRow>('select * from billing_invoices where id = $1', [params.id]);
    if (!row) throw invoiceNotFound();
    return invoiceView(row);
  },
});

export const getInvoicePdf = defineRoute({
  method: 'GET',
  path: '/billing/invoices/:id/pdf',
  summary: 'The invoice as a PDF (`?locale=ar` for Arabic; default the tenant’s language)',
  tag: 'billing',
  permission: view,
  billingExempt: true,
  readOnly: true,
  rateLimit: { per: 'principal', max: 60, windowSeconds: 600 },
  deps: { config: kernelRefs.config },
  schema: {
    params: IdParams,
    query: Type.Object({ locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('ar')])) }, { additionalProperties: false }),
    response: rawBody('application/pdf', 'The invoice'),
  },
  errors: [],
  async handler({ db, params, query, deps, tenant }) {
    const row = await db.one<InvoiceRow>('select * from billing_invoices where id = $1', [params.id]);
    if (!row) throw invoiceNotFound();
    const hostName = deps.config.mailFrom.replace(/\s*<.*>\s*$/, '').replace(/^"|"$/g, '') || 'Plinth';
    const pdf = await invoicePdf(row, { hostName, locale: query.locale ?? tenant.locale });
    return Reply.raw(pdf, {
      contentType: 'application/pdf',
      headers: { 'content-disposition': `attachment; filename="${row.number}.pdf"`, 'cache-control': 'private, no-store' },
    });
  },
});

export const payInvoice = defineRoute({
  method: 'POST',
  path: '/billing/invoices/:id/pay',
  summary: 'Charge an open invoice again now with the card on file (402 `payment_method_required` when declined or none)',
  tag: 'billing',
  permission: manage,
  billingExempt: true,
  deps,
  schema: { params: IdParams, response: Invoice },
  errors: [coreErrors.payment_method_required, coreErrors.billing_not_configured, coreErrors.billing_provider_unavailable],
  async handler({ db, params, deps, tenant }) {
    if (!(await db.one('select 1 from billing_invoices where id = $1', [params.id]))) throw invoiceNotFound();
    await deps.billing.payInvoice(tenant.id, params.id);
    // The request's transaction reads committed state: the payment, committed above, is seen.
    return invoiceView((await db.one<InvoiceRow>('select * from billing_invoices where id = $1', [params.id]))!);
  },
});

/** The tenant's billing routes. */
export const billingRoutes: CoreRoute[] = [
  getBilling,
  putBillingDetails,
  postSubscription,
  cancelSubscription,
  resumeSubscription,
  postPaymentMethod,
  listInvoices,
  getInvoicePdf,
  getInvoice,
  payInvoice,
];
