import type { NotificationCategory, NotificationTemplate, PluginTranslations } from '@plinth/sdk';

/** The name core's own notifications are recorded under, as a plugin's are under the plugin's. */
export const corePlugin = 'core';

/** Core's categories: security notices cannot be muted; reports and support access can. */
export const coreCategories: Readonly<Record<string, NotificationCategory>> = {
  'core.security': {
    label: 'Security',
    description: 'Sign-ins, changes to your account and access to your data',
    audience: 'both',
    required: true,
  },
  'core.reports': { label: 'Reports', description: 'A report you asked for is ready, or could not be written', audience: 'staff' },
  'core.support': { label: 'Support access', description: 'The host asks for or starts support access to this organisation', audience: 'staff' },
  'core.billing': {
    label: 'Billing',
    description: 'Payments, invoices and what happens when an invoice is not paid',
    audience: 'staff',
    required: true,
  },
};

const days = '{days, plural, one {# day} other {# days}}';
const daysAr = '{days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}';
const billingFailedBody = `We could not charge the card of {tenant}. Pay the open invoice or add another card on the billing page: in ${days} the organisation becomes read only until it is paid.`;
const billingReminderBody = `The invoice of {tenant} is still unpaid. In ${days} the organisation becomes read only until it is paid: pay it on the billing page.`;
const billingReadOnlyBody = `The invoice of {tenant} is unpaid, so it is now read only: your data is there, but nothing can be changed. Paying on the billing page restores it at once. In ${days} it will be suspended.`;
const billingSuspendedBody =
  'The invoice of {tenant} is still unpaid, so it is suspended: only billing works. Nothing is deleted; paying on the billing page restores it at once.';
const billingTrialBody = 'The trial of {tenant} on {plan} ends on {date, date, long}. Add a card on the billing page to keep the plan.';

/** Billing's templates (core/src/billing/billing-notifications.ts): `{ tenant, days }`, the trial's `{ tenant, plan, date }`. */
const billingTemplates: Readonly<Record<string, NotificationTemplate>> = {
  'core.billing-payment-failed': { category: 'core.billing', title: 'Payment failed for {tenant}', body: billingFailedBody },
  'core.billing-reminder': { category: 'core.billing', title: 'Reminder: the invoice of {tenant} is unpaid', body: billingReminderBody },
  'core.billing-read-only': { category: 'core.billing', title: '{tenant} is read only', body: billingReadOnlyBody },
  'core.billing-suspended': { category: 'core.billing', title: '{tenant} is suspended', body: billingSuspendedBody },
  'core.billing-trial-ending': { category: 'core.billing', title: 'The trial of {tenant} ends soon', body: billingTrialBody },
};

const supportBody =
  '{operator} of the host asked for {readOnly, select, true {read-only} other {role {role}}} support access to {tenant} for {minutes, plural, one {# minute} other {# minutes}}.\n\nReason: {reason}\n\n{pending, select, true {It starts only once an owner approves it: approve or deny it in the console.} other {Your settings do not ask for approval: it is active now. You can end it at once in the console.}}';

/**
 * Core's templates: `core.report-ready` takes `{ report }`, `core.report-failed` `{ report, error }`; `core.support-access-requested` takes `{ tenant, operator,
 * reason, minutes, readOnly, role, pending }` (`readOnly` and `pending` as `'true'` or `'false'`).
 */
export const coreTemplates: Readonly<Record<string, NotificationTemplate>> = {
  'core.report-ready': { category: 'core.reports', title: 'Your report is ready', body: '{report} is ready to download.' },
  'core.report-failed': { category: 'core.reports', title: 'Your report failed', body: '{report} could not be written: {error}' },
  'core.support-access-requested': { category: 'core.support', title: 'Support access to {tenant} requested', body: supportBody },
  ...billingTemplates,
};

/** Core's notification texts in the languages the host speaks besides English. */
export const coreNotificationTranslations: PluginTranslations = {
  ar: {
    Security: 'الأمان',
    'Sign-ins, changes to your account and access to your data': 'عمليات تسجيل الدخول والتغييرات على حسابك والوصول إلى بياناتك',
    Reports: 'التقارير',
    'A report you asked for is ready, or could not be written': 'تقرير طلبته أصبح جاهزًا أو تعذّر إعداده',
    'Support access': 'وصول الدعم',
    'The host asks for or starts support access to this organisation': 'يطلب المضيف وصول الدعم إلى هذه المؤسسة أو يبدؤه',
    'Your report is ready': 'تقريرك جاهز',
    '{report} is ready to download.': '{report} جاهز للتنزيل.',
    'Your report failed': 'تعذّر إعداد تقريرك',
    '{report} could not be written: {error}': 'تعذّر إعداد {report}: {error}',
    'Support access to {tenant} requested': 'طلب وصول الدعم إلى {tenant}',
    Billing: 'الفوترة',
    'Payments, invoices and what happens when an invoice is not paid': 'المدفوعات والفواتير وما يحدث عند عدم دفع فاتورة',
    'Payment failed for {tenant}': 'تعذّر الدفع لـ {tenant}',
    [billingFailedBody]: `تعذّر خصم المبلغ من بطاقة {tenant}. ادفع الفاتورة المستحقة أو أضف بطاقة أخرى من صفحة الفوترة: بعد ${daysAr} تصبح المؤسسة للقراءة فقط حتى تُدفع.`,
    'Reminder: the invoice of {tenant} is unpaid': 'تذكير: فاتورة {tenant} غير مدفوعة',
    [billingReminderBody]: `ما زالت فاتورة {tenant} غير مدفوعة. بعد ${daysAr} تصبح المؤسسة للقراءة فقط حتى تُدفع: ادفعها من صفحة الفوترة.`,
    '{tenant} is read only': '{tenant} للقراءة فقط',
    [billingReadOnlyBody]: `فاتورة {tenant} غير مدفوعة، لذا أصبحت للقراءة فقط: بياناتك موجودة لكن لا يمكن تغيير شيء. الدفع من صفحة الفوترة يعيدها فورًا. بعد ${daysAr} ستُعلَّق.`,
    '{tenant} is suspended': 'تم تعليق {tenant}',
    [billingSuspendedBody]: 'ما زالت فاتورة {tenant} غير مدفوعة، لذا عُلّقت: لا يعمل إلا قسم الفوترة. لم يُحذف شيء؛ الدفع من صفحة الفوترة يعيدها فورًا.',
    'The trial of {tenant} ends soon': 'تنتهي الفترة التجريبية لـ {tenant} قريبًا',
    [billingTrialBody]: 'تنتهي الفترة التجريبية لـ {tenant} على خطة {plan} في {date, date, long}. أضف بطاقة من صفحة الفوترة للإبقاء على الخطة.',
    [supportBody]:
      'طلب {operator} من المضيف وصول الدعم {readOnly, select, true {للقراءة فقط} other {بدور {role}}} إلى {tenant} لمدة {minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}.\n\nالسبب: {reason}\n\n{pending, select, true {لا يبدأ إلا بعد موافقة أحد المالكين: وافق عليه أو ارفضه من لوحة التحكم.} other {إعداداتك لا تطلب الموافقة: الوصول نشط الآن. يمكنك إنهاؤه فورًا من لوحة التحكم.}}',
  },
};
