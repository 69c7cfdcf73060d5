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
    [supportBody]:
      'طلب {operator} من المضيف وصول الدعم {readOnly, select, true {للقراءة فقط} other {بدور {role}}} إلى {tenant} لمدة {minutes, plural, zero {# دقيقة} one {دقيقة واحدة} two {دقيقتين} few {# دقائق} many {# دقيقة} other {# دقيقة}}.\n\nالسبب: {reason}\n\n{pending, select, true {لا يبدأ إلا بعد موافقة أحد المالكين: وافق عليه أو ارفضه من لوحة التحكم.} other {إعداداتك لا تطلب الموافقة: الوصول نشط الآن. يمكنك إنهاؤه فورًا من لوحة التحكم.}}',
  },
};
