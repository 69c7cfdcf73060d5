import { defineMessages } from '@plinth/sdk';
import { runAsSystem, runInTenant } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { mailLocale } from '../mail/mail-messages.js';
import { coreNotify } from '../notifications/plugin-notify.js';
import { moneyAmount } from '../reports/writers/cell-values.js';
import { resolveRecipients } from '../notifications/recipients.js';
import { billingConfig } from './billing-config.js';
import { invoicePdf } from './invoice-pdf.js';
import { billingNoticeJob, type BillingNotice, type InvoiceRow } from './subscription-state.js';

/** Who hears of billing: the members holding `core.billing.manage` (the owners, and admins by default). */
export const billingManagers = { permission: 'core.billing.manage' } as const;

/** The invoice mail (English and Arabic, ICU); the PDF goes with it. */
export const invoiceMailMessages = defineMessages({
  en: {
    subject: 'Invoice {number} — {tenant}',
    body: 'Thank you. Invoice {number} of {tenant} is paid: {total}. The invoice is attached as a PDF; all invoices are on the billing page.\n',
  },
  ar: {
    subject: 'الفاتورة {number} — {tenant}',
    body: 'شكرًا لك. تم دفع الفاتورة {number} الخاصة بـ {tenant}: {total}. الفاتورة مرفقة بصيغة PDF؛ وجميع الفواتير في صفحة الفوترة.\n',
  },
});

type NoticeServices = Pick<
  KernelServices,
  'database' | 'tenants' | 'jobs' | 'logger' | 'mailer' | 'plugins' | 'tenantAccess' | 'orgUnits' | 'config' | 'clock'
>;

/**
 * Sends one billing notice: a `core.billing` notification to the billing managers (inbox and email, each in their
 * language; the notification's key makes a retried job send it once), or for `core.billing-invoice` the invoice mail
 * with its PDF, to each billing manager and the billing email (the mail's idempotency key: once per person).
 */
export async function sendBillingNotice(services: NoticeServices, notice: BillingNotice): Promise<void> {
  const tenant = await services.tenants.byId(notice.tenantId);
  if (!tenant) return;
  if (notice.template === 'core.billing-invoice') return mailInvoice(services, tenant, notice);
  const config = billingConfig(services.config);
  const facts = await runAsSystem(services.database, (db) =>
    db.one<{ plan: string; trial_ends_at: Date | null }>(
      'select p.name as plan, s.trial_ends_at from tenant_subscriptions s join billing_plans p on p.id = s.plan_id where s.tenant_id = $1',
      [tenant.id],
    ),
  );
  const days =
    notice.template === 'core.billing-read-only'
      ? config.readOnlyDays
      : notice.template === 'core.billing-reminder'
        ? Math.ceil(config.graceDays / 2)
        : config.graceDays;
  await runInTenant(services.database, tenant.id, (db) =>
    coreNotify(services, db, tenant).send({
      to: billingManagers,
      template: notice.template,
      data: { tenant: tenant.name, days, plan: facts?.plan ?? '', date: facts?.trial_ends_at ? new Date(facts.trial_ends_at) : services.clock.now() },
      link: '/settings/billing',
      key: notice.key,
    }),
  );
}

async function mailInvoice(services: NoticeServices, tenant: { id: string; name: string; locale: string }, notice: BillingNotice): Promise<void> {
  const { invoice, billingEmail } = await runAsSystem(services.database, async (db) => ({
    invoice: await db.one<InvoiceRow>('select * from billing_invoices where tenant_id = $1 and id = $2', [tenant.id, notice.invoiceId]),
    billingEmail: (await db.one<{ billing_email: string | null }>('select billing_email from tenant_subscriptions where tenant_id = $1', [tenant.id]))
      ?.billing_email,
  }));
  if (!invoice) return;
  const { people } = await runInTenant(services.database, tenant.id, (db) => resolveRecipients(db, services, tenant.id, [billingManagers]));
  const recipients = people.map((person) => ({ key: person.userId, email: person.email, locale: mailLocale(person.locale, tenant.locale) }));
  if (billingEmail && !recipients.some((recipient) => recipient.email.toLowerCase() === billingEmail.toLowerCase()))
    recipients.push({ key: 'billing-email', email: billingEmail, locale: mailLocale(tenant.locale) });
  const hostName = services.config.mailFrom.replace(/\s*<.*>\s*$/, '').replace(/^"|"$/g, '') || 'Plinth';
  const pdfs = new Map<string, Buffer>();
  for (const recipient of recipients) {
    const language = recipient.locale.startsWith('ar') ? 'ar' : 'en';
    let pdf = pdfs.get(language);
    if (!pdf) pdfs.set(language, (pdf = await invoicePdf(invoice, { hostName, locale: language })));
    const t = invoiceMailMessages.translator(language);
    const total = new Intl.NumberFormat(language === 'ar' ? 'ar-EG' : 'en', { style: 'currency', currency: invoice.currency }).format(
      moneyAmount(Number(invoice.total), invoice.currency) ?? 0,
    );
    const values = { number: invoice.number, tenant: tenant.name, total };
    await services.mailer.send({
      to: recipient.email,
      subject: t('subject', values),
      text: t('body', values),
      attachments: [{ filename: `${invoice.number}.pdf`, contentType: 'application/pdf', content: pdf }],
      idempotencyKey: `billing-invoice:${invoice.id}:${recipient.key}`,
    });
  }
}

/** Defines the notice job (every role: an API process queues it after a state change commits). */
export function defineBillingNotices(services: NoticeServices): void {
  services.jobs.define<BillingNotice>(billingNoticeJob, (run) => sendBillingNotice(services, run.data), { concurrency: 2 });
}
