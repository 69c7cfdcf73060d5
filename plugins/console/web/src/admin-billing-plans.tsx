/**
 * The host's Plans screen: every plan (prices, trial, tenants on it, default / archived / unlisted badges) with a
 * link to its editor, and the plugins' add-on prices below.
 */
import { get } from './api';
import { billingAdminText as t } from './admin-billing-messages';
import type { AdminPlan } from './admin-billing-model';
import { PluginPricesSection } from './admin-billing-plugin-prices';
import { PriceList } from './admin-billing-prices';
import { formatNumber } from './format';
import { LoadedList, Table } from './list';
import type { Location } from './router';
import { PageHeader, useLoad } from './ui';
import './admin-billing.css';

/** A plan's badges: default, archived, not listed. */
export function PlanBadges({ plan }: { plan: Pick<AdminPlan, 'is_default' | 'archived_at' | 'public'> }) {
  return (
    <>
      {plan.is_default && <span class="badge on">{t('badgeDefault')}</span>}
      {plan.archived_at && <span class="badge warn">{t('badgeArchived')}</span>}
      {!plan.public && !plan.archived_at && <span class="badge">{t('badgeHidden')}</span>}
    </>
  );
}

/** `/admin/billing/plans` (`?saved=<key>` after the editor saved a plan). */
export function AdminBillingPlansPage({ location }: { location: Location }) {
  const plans = useLoad(() => get<AdminPlan[]>('/admin/billing/plans', { query: { archived: true } }), [location.key]);
  const savedKey = location.query.get('saved');
  const saved = savedKey ? plans.data?.find((plan) => plan.key === savedKey) : undefined;
  return (
    <section class="admin-billing">
      <PageHeader title={t('plansTitle')}>
        <a class="button" href="/admin/billing/plans/new">
          {t('newPlan')}
        </a>
      </PageHeader>
      <p class="muted">{t('plansHelp')}</p>
      {saved && (
        <p class="banner success" role="status">
          {t('planSaved', { name: saved.name })}
        </p>
      )}
      <LoadedList list={plans} items={plans.data} empty={t('noPlan')}>
        {(items) => (
          <Table columns={[t('name'), t('key'), t('prices'), t('trial'), t('tenants')]}>
            {[...items]
              .sort((a, b) => Number(Boolean(a.archived_at)) - Number(Boolean(b.archived_at)) || a.sort - b.sort || a.name.localeCompare(b.name))
              .map((plan) => (
                <tr key={plan.id} data-plan={plan.key}>
                  <td>
                    <span class="plan-name">
                      <a href={`/admin/billing/plans/${plan.id}`} aria-label={t('editPlan', { name: plan.name })}>
                        {plan.name}
                      </a>
                      <PlanBadges plan={plan} />
                    </span>
                  </td>
                  <td data-label={t('key')}>
                    <code>{plan.key}</code>
                  </td>
                  <td data-label={t('prices')}>
                    <PriceList prices={plan.prices} />
                  </td>
                  <td data-label={t('trial')}>{t('trialDays', { days: plan.trial_days })}</td>
                  <td data-label={t('tenants')}>{formatNumber(plan.tenants)}</td>
                </tr>
              ))}
          </Table>
        )}
      </LoadedList>
      <PluginPricesSection />
    </section>
  );
}
