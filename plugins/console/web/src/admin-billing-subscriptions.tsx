/**
 * The host's Subscriptions screen (`/admin/billing/subscriptions`): every tenant's plan, subscription status, access
 * (what dunning did), monthly recurring revenue and period end; filtered by status and plan, searched by tenant,
 * each tenant linked to its admin page.
 */
import { get } from './api';
import { billingAdminText as t } from './admin-billing-messages';
import { subscriptionStatuses, type AdminPlan, type AdminSubscription, type BillingStatus } from './admin-billing-model';
import { formatMoney } from './format';
import { LoadedList, SearchForm, Table, usePagedList } from './list';
import { navigate, type Location } from './router';
import { PageHeader, Pager, useLoad, When } from './ui';
import './admin-billing.css';

/** A subscription status as a badge: words and colour (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  const known = (subscriptionStatuses as readonly string[]).includes(status);
  return (
    <span class={`badge billing-status status-${status}`} data-status={status}>
      {known ? t(`status_${status as AdminSubscription['status']}`) : status}
    </span>
  );
}

/** What dunning did to the tenant's access, as a badge. */
function AccessBadge({ status }: { status: BillingStatus }) {
  return (
    <span class={`badge billing-status access-${status}`} data-access={status}>
      {t(`access_${status}`)}
    </span>
  );
}

/** "unpaid since <date>", the date in the console's format. */
function PastDue({ since }: { since: string }) {
  const marker = '\u0000';
  const [before = '', after = ''] = t('unpaidSince', { date: marker }).split(marker);
  return (
    <>
      {before}
      <When value={since} />
      {after}
    </>
  );
}

export function AdminBillingSubscriptionsPage({ location }: { location: Location }) {
  const q = location.query.get('q') ?? '';
  const status = location.query.get('status') ?? '';
  const plan = location.query.get('plan') ?? '';
  const list = usePagedList<AdminSubscription>('/admin/billing/subscriptions', location, {
    query: { ...(q ? { q } : {}), ...(status ? { status } : {}), ...(plan ? { plan } : {}) },
  });
  const plans = useLoad(() => get<AdminPlan[]>('/admin/billing/plans', { query: { archived: true } }), []);
  const go = (next: Record<string, string | number>) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ q, status, plan, ...next }))
      if (value && !(key === 'page' && String(value) === '1')) query.set(key, String(value));
    navigate(`/admin/billing/subscriptions${query.size ? `?${query}` : ''}`);
  };
  return (
    <section class="admin-billing">
      <PageHeader title={t('subscriptionsTitle')} />
      <p class="muted">{t('subscriptionsHelp')}</p>
      <SearchForm
        value={q}
        label={t('search')}
        button={t('searchButton')}
        placeholder={t('searchPlaceholder')}
        onSearch={(value) => go({ q: value.trim(), page: 1 })}
      >
        <label>
          {t('status')}{' '}
          <select value={status} onChange={(event) => go({ status: event.currentTarget.value, page: 1 })}>
            <option value="">{t('any')}</option>
            {subscriptionStatuses.map((value) => (
              <option key={value} value={value}>
                {t(`status_${value}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('plan')}{' '}
          <select value={plan} onChange={(event) => go({ plan: event.currentTarget.value, page: 1 })}>
            <option value="">{t('any')}</option>
            {(plans.data ?? []).map((entry) => (
              <option key={entry.key} value={entry.key}>
                {entry.name}
              </option>
            ))}
          </select>
        </label>
      </SearchForm>
      <LoadedList list={list} items={list.data?.data} empty={t('noSubscription')}>
        {(rows) => (
          <Table columns={[t('tenant'), t('plan'), t('status'), t('billingStatus'), t('mrr'), t('periodEnd')]}>
            {rows.map((row) => (
              <tr key={row.tenant.id} data-tenant={row.tenant.slug} data-status={row.status}>
                <td>
                  <a href={`/admin/tenants/${row.tenant.id}`}>{row.tenant.name}</a>{' '}
                  {row.tenant.slug !== row.tenant.name && (
                    <code class="muted" dir="ltr">
                      {row.tenant.slug}
                    </code>
                  )}
                </td>
                <td data-label={t('plan')}>{row.plan.name}</td>
                <td data-label={t('status')}>
                  <StatusBadge status={row.status} />
                  {row.cancel_at_period_end && <span class="muted billing-note">{t('cancels')}</span>}
                </td>
                <td data-label={t('billingStatus')}>
                  <AccessBadge status={row.billing_status} />
                </td>
                <td data-label={t('mrr')} class="billing-money">
                  {row.mrr ? <bdi>{formatMoney(row.mrr.amount, row.mrr.currency)}</bdi> : <span class="muted">—</span>}
                </td>
                <td data-label={t('periodEnd')}>
                  <When value={row.current_period_end} />
                  {row.past_due_since && (
                    <span class="muted billing-note">
                      <PastDue since={row.past_due_since} />
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      <Pager pagination={list.data?.pagination} onPage={(next) => go({ page: next })} />
    </section>
  );
}
