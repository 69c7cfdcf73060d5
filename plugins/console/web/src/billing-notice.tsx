/**
 * What every console screen shows of the tenant's billing: the one explanation of an answer refused by the plan
 * (`limit_reached`, `plan_excludes_plugin`, `storage_quota_exceeded` with `upgrade`) or by dunning
 * (`billing_read_only`, `billing_suspended`), with a link to the billing page; and the banner across the console
 * while the tenant is read-only or suspended. `ErrorBanner` and the shell use them, so no screen handles them itself.
 */
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api';
import { defineMessages } from './i18n';
import { humanize, pluginText } from './plugin-text';
import { SessionContext, tenantPath } from './session';

export const noticeText = defineMessages({
  en: {
    billing: 'Billing',
    members: 'Members',
    api_tokens: 'API tokens',
    storage_bytes: 'Storage',
    requests_per_minute: 'Requests per minute',
    limitReached: 'Your plan allows {max} of “{limit}”, and {used} are in use.',
    limitReachedPlain: 'Your plan’s limit of “{limit}” is reached.',
    storageFull: 'Your plan’s storage is full.',
    excluded: '{plugin} is not included in your plan.',
    upgradeTo: 'Upgrade to {plan}',
    seePlans: 'See plans',
    readOnly: 'This workspace is read-only because a payment failed. Reading works; changes are refused until the invoice is paid.',
    suspended: 'This workspace is suspended because its invoice is unpaid. Pay it to restore access; nothing has been deleted.',
    readOnlyOther: 'This workspace is read-only because a payment failed. An administrator of billing can restore it by paying the invoice.',
    suspendedOther: 'This workspace is suspended because its invoice is unpaid. An administrator of billing can restore it by paying the invoice.',
    payNow: 'Pay now',
  },
  ar: {
    billing: 'الفوترة',
    members: 'الأعضاء',
    api_tokens: 'رموز API',
    storage_bytes: 'مساحة التخزين',
    requests_per_minute: 'الطلبات في الدقيقة',
    limitReached: 'تسمح خطتك بـ {max} من «{limit}»، والمستخدم منها {used}.',
    limitReachedPlain: 'بلغتَ حدّ «{limit}» في خطتك.',
    storageFull: 'امتلأت مساحة التخزين في خطتك.',
    excluded: '{plugin} غير مشمولة في خطتك.',
    upgradeTo: 'الترقية إلى {plan}',
    seePlans: 'عرض الخطط',
    readOnly: 'مساحة العمل هذه للقراءة فقط لأن عملية دفع فشلت. القراءة متاحة، أما التغييرات فمرفوضة حتى تُدفع الفاتورة.',
    suspended: 'مساحة العمل هذه موقوفة لأن فاتورتها غير مدفوعة. ادفعها لاستعادة الوصول؛ لم يُحذف شيء.',
    readOnlyOther: 'مساحة العمل هذه للقراءة فقط لأن عملية دفع فشلت. يستطيع مسؤول الفوترة استعادتها بدفع الفاتورة.',
    suspendedOther: 'مساحة العمل هذه موقوفة لأن فاتورتها غير مدفوعة. يستطيع مسؤول الفوترة استعادتها بدفع الفاتورة.',
    payNow: 'ادفع الآن',
  },
});

const coreLimits = ['members', 'api_tokens', 'storage_bytes', 'requests_per_minute'] as const;

/**
 * A limit's name for people: core limits from this catalogue, a plugin's (`crm.contacts`) from its label (or its key)
 * through the plugin's translations.
 */
export function limitLabel(limit: string, label?: string): string {
  if ((coreLimits as readonly string[]).includes(limit)) return noticeText(limit as (typeof coreLimits)[number]);
  const dot = limit.indexOf('.');
  if (dot < 0) return label ?? humanize(limit);
  return pluginText(limit.slice(0, dot), label ?? humanize(limit.slice(dot + 1)));
}

/** The API's error codes this module explains. */
const billingCodes = ['limit_reached', 'plan_excludes_plugin', 'storage_quota_exceeded', 'billing_read_only', 'billing_suspended'];

/** Whether an error is one the billing notice explains (its `errors` are then not listed as fields). */
export function isBillingError(error: unknown): error is ApiError {
  return error instanceof ApiError && billingCodes.includes(error.code) && (error.code !== 'storage_quota_exceeded' || !!error.errors.upgrade?.length);
}

/** Public plans' names by key, fetched once when a notice first needs one. */
let planNames: Promise<Record<string, string>> | undefined;
function usePlanName(key: string | undefined): string | undefined {
  const [names, setNames] = useState<Record<string, string>>();
  useEffect(() => {
    if (!key) return;
    planNames ??= get<{ key: string; name: string }[]>('/billing/plans', { anonymous: true }).then(
      (plans) => Object.fromEntries(plans.map((plan) => [plan.key, plan.name])),
      () => {
        planNames = undefined; // asked again by the next notice; this one shows the plan's key
        return {};
      },
    );
    let live = true;
    void planNames.then((found) => live && setNames(found));
    return () => {
      live = false;
    };
  }, [key]);
  return key ? (names?.[key] ?? key) : undefined;
}

/** The explanation of a refusal by the plan or by dunning ({@link isBillingError}), with the way to the billing page. */
export function BillingErrorNotice({ error }: { error: ApiError }) {
  const tenant = useContext(SessionContext)?.tenant;
  const first = (field: string) => error.errors[field]?.[0];
  const upgrade = first('upgrade');
  const plan = usePlanName(upgrade);
  let sentence: string;
  if (error.code === 'limit_reached') {
    const limit = first('limit') ?? '';
    const [max, used] = [first('max'), first('used')];
    sentence =
      max !== undefined && used !== undefined
        ? noticeText('limitReached', { limit: limitLabel(limit), max: Number(max), used: Number(used) })
        : noticeText('limitReachedPlain', { limit: limitLabel(limit) });
  } else if (error.code === 'plan_excludes_plugin') {
    const plugin = first('plugin') ?? '';
    const entry = tenant?.plugins.find((candidate) => candidate.name === plugin);
    sentence = noticeText('excluded', { plugin: entry ? pluginText(plugin, entry.title) : plugin });
  } else if (error.code === 'storage_quota_exceeded') sentence = noticeText('storageFull');
  else sentence = error.message;
  const billing = tenant?.can('core.billing.view') ? tenantPath(tenant.slug, '/settings/billing') : undefined;
  return (
    <>
      <strong>{sentence}</strong>
      {billing && (
        <p>
          <a href={upgrade ? `${billing}?plan=${encodeURIComponent(upgrade)}` : billing} class="billing-upgrade-link">
            {upgrade ? noticeText('upgradeTo', { plan }) : error.code.startsWith('billing_') ? noticeText('payNow') : noticeText('seePlans')}
          </a>
        </p>
      )}
    </>
  );
}

/** The banner across the console while the tenant is read-only or suspended by dunning. */
export function BillingStatusBanner({ path }: { path: string }) {
  const tenant = useContext(SessionContext)?.tenant;
  if (!tenant || tenant.billingStatus === 'ok') return null;
  const page = tenantPath(tenant.slug, '/settings/billing');
  // The billing page says it in its own words, with the actions.
  if (path === page || path.startsWith(`${page}/`)) return null;
  const manage = tenant.can('core.billing.view');
  const suspended = tenant.billingStatus === 'suspended';
  return (
    <div class={`banner ${suspended ? 'error' : 'warning'} billing-banner`} role="status">
      <strong>{noticeText(suspended ? (manage ? 'suspended' : 'suspendedOther') : manage ? 'readOnly' : 'readOnlyOther')}</strong>
      {manage && (
        <p>
          <a href={page}>{noticeText('payNow')}</a>
        </p>
      )}
    </div>
  );
}
