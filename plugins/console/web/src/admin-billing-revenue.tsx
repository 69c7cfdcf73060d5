/**
 * The host's Revenue screen (`/admin/billing/revenue`): monthly recurring revenue per currency, subscribers per plan,
 * subscriptions by status, and what was paid per month over the last 12 months — a bar chart per currency
 * (`<plinth-chart>`, the console's chart.js element) with the same figures as a table.
 */
import type {} from '../../../../web-kit/elements'; // `<plinth-chart>` in JSX
import { useMemo } from 'preact/hooks';
import { get } from './api';
import { billingAdminText as t } from './admin-billing-messages';
import { lastTwelveMonths, paidSeries, subscriptionStatuses, type Revenue } from './admin-billing-model';
import { StatusBadge } from './admin-billing-subscriptions';
import { formatMoney, formatNumber } from './format';
import { formattingLocale } from './i18n';
import { Empty, ErrorBanner, Loading, PageHeader, useLoad } from './ui';
import './admin-billing.css';

/** `2026-03` → "Mar 2026" in the console's language. */
function monthLabel(month: string): string {
  const [year, number] = month.split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (number ?? 1) - 1, 1));
  return new Intl.DateTimeFormat(formattingLocale(), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Statuses in the lifecycle's order (trial first, canceled last), as the filters list them. */
function byStatus(a: { status: string }, b: { status: string }): number {
  const rank = (status: string) => (subscriptionStatuses as readonly string[]).indexOf(status);
  return rank(a.status) - rank(b.status);
}

export function AdminBillingRevenuePage() {
  const revenue = useLoad(() => get<Revenue>('/admin/billing/revenue'), []);
  return (
    <section class="admin-billing">
      <PageHeader title={t('revenueTitle')} />
      <p class="muted">{t('revenueHelp')}</p>
      {revenue.loading && !revenue.data ? (
        <Loading />
      ) : revenue.error || !revenue.data ? (
        <ErrorBanner error={revenue.error} />
      ) : (
        <RevenueFigures revenue={revenue.data} />
      )}
    </section>
  );
}

function RevenueFigures({ revenue }: { revenue: Revenue }) {
  const months = useMemo(() => lastTwelveMonths(new Date()), []);
  const series = paidSeries(revenue.months, months);
  return (
    <>
      <section aria-labelledby="mrr-title">
        <h2 id="mrr-title">{t('mrrTitle')}</h2>
        {revenue.mrr.length === 0 ? (
          <Empty>{t('noMrr')}</Empty>
        ) : (
          <ul class="cards billing-figures">
            {revenue.mrr.map((entry) => (
              <li key={entry.currency} class="card" data-currency={entry.currency}>
                <span class="muted">{entry.currency}</span>
                <strong class="billing-figure">
                  <bdi>{formatMoney(entry.amount, entry.currency)}</bdi>
                </strong>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div class="billing-columns">
        <section aria-labelledby="subscribers-title">
          <h2 id="subscribers-title">{t('subscribersTitle')}</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('plan')}</th>
                  <th scope="col">{t('subscribers')}</th>
                </tr>
              </thead>
              <tbody>
                {revenue.plans.map((plan) => (
                  <tr key={plan.key} data-plan={plan.key}>
                    <th scope="row">{plan.name}</th>
                    <td data-label={t('subscribers')}>{formatNumber(plan.subscribers)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section aria-labelledby="statuses-title">
          <h2 id="statuses-title">{t('statusesTitle')}</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('count')}</th>
                </tr>
              </thead>
              <tbody>
                {[...revenue.statuses].sort(byStatus).map((entry) => (
                  <tr key={entry.status} data-status={entry.status}>
                    <th scope="row">
                      <StatusBadge status={entry.status} />
                    </th>
                    <td data-label={t('count')}>{formatNumber(entry.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
      <section aria-labelledby="paid-title">
        <h2 id="paid-title">{t('paidTitle')}</h2>
        {series.length === 0 ? (
          <Empty>{t('noPayment')}</Empty>
        ) : (
          series.map((entry) => (
            <section key={entry.currency} class="billing-paid" data-currency={entry.currency} aria-labelledby={`paid-${entry.currency}`}>
              <h3 id={`paid-${entry.currency}`}>{entry.currency}</h3>
              <plinth-chart
                class="billing-chart"
                label={t('paidChart', { currency: entry.currency })}
                chart={{
                  kind: 'bar',
                  labels: months.map(monthLabel),
                  series: [{ label: t('paid'), values: entry.values }],
                  format: 'money',
                  currency: entry.currency,
                }}
              />
              <details class="billing-paid-table">
                <summary>{t('paidFigures', { currency: entry.currency })}</summary>
                <div class="table-wrap">
                  <table>
                    <caption class="visually-hidden">{t('paidChart', { currency: entry.currency })}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('month')}</th>
                        <th scope="col">{t('paid')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {months.map((month, index) => (
                        <tr key={month} data-month={month}>
                          <th scope="row">{monthLabel(month)}</th>
                          <td data-label={t('paid')}>
                            <bdi>{formatMoney(entry.values[index] ?? 0, entry.currency)}</bdi>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            </section>
          ))
        )}
      </section>
    </>
  );
}
