/**
 * The tenant's billing page (`/settings/billing`, `core.billing.view`; changes need `core.billing.manage`): the plan
 * and its status in plain words with "Pay now" while an invoice is unpaid, usage against the plan's limits, the card on
 * file, the billing details, the plans to move to, cancel or resume, and the add-ons running.
 */
import { useState } from 'preact/hooks';
import { call, get } from './api';
import { billingText as t } from './billing-messages';
import { dayOf, goToCardPage, money, type BillingOverview, type Invoice } from './billing-model';
import { limitLabel } from './billing-notice';
import { BillingDetailsForm } from './billing-details';
import { PlanChoices } from './billing-plans';
import { formatBytes, formatMoney, formatNumber } from './format';
import { pluginText } from './plugin-text';
import { tenantPath, useTenant } from './session';
import { Dialog, ErrorBanner, Loading, PageHeader, useAction, useLoad } from './ui';
import './billing.css';

export function BillingPage() {
  const tenant = useTenant();
  const overview = useLoad(() => get<BillingOverview>('/billing', { tenant: tenant.slug }), [tenant.slug]);
  const [notice, setNotice] = useState<string>();
  /** After a change: the page's data again, and the session's billing status (the console's banner). */
  const refresh = async (message?: string) => {
    setNotice(message);
    overview.reload();
    await tenant.reload();
  };
  return (
    <section class="billing">
      <PageHeader title={t('title')}>
        <a class="button secondary" href={tenantPath(tenant.slug, '/settings/billing/invoices')}>
          {t('invoices')}
        </a>
      </PageHeader>
      <p class="muted">{t('intro')}</p>
      {notice && (
        <p class="banner success" role="status">
          {notice}
        </p>
      )}
      {overview.error ? (
        <ErrorBanner error={overview.error} />
      ) : !overview.data ? (
        <Loading />
      ) : (
        <>
          <PlanStatus overview={overview.data} onChanged={refresh} />
          <Usage overview={overview.data} />
          <CardOnFile overview={overview.data} />
          <BillingDetailsForm details={overview.data.details} />
          <PlanChoices overview={overview.data} onChanged={refresh} />
          <Addons overview={overview.data} />
        </>
      )}
    </section>
  );
}

/** The plan, its status in a sentence, "Pay now" while unpaid, and cancel or resume. */
function PlanStatus({ overview, onChanged }: { overview: BillingOverview; onChanged(message?: string): Promise<void> }) {
  const tenant = useTenant();
  const manage = tenant.can('core.billing.manage');
  const { plan, subscription } = overview;
  const [cancelling, setCancelling] = useState(false);
  const day = (iso: string | null) => dayOf(iso, tenant.timeZone);
  const price = plan.prices.find((candidate) => candidate.currency === subscription.currency && candidate.interval === subscription.interval);
  const priced = price ? t('perInterval', { price: money(price), interval: price.interval }) : '';
  const unpaid = ['past_due', 'read_only', 'suspended'].includes(subscription.status);
  const pay = useAction(async () => {
    // An unpaid invoice is tried again with the card on file; without a card, the card page pays it.
    const invoices = await get<Invoice[]>('/billing/invoices', { tenant: tenant.slug });
    const open = invoices.find((invoice) => invoice.status === 'open');
    if (!open || !subscription.payment_method) return goToCardPage(tenant.slug);
    await call('POST', `/billing/invoices/${open.id}/pay`, { tenant: tenant.slug });
    await onChanged(t('paid'));
  });
  const resume = useAction(async () => {
    await call('POST', '/billing/subscription/resume', { tenant: tenant.slug });
    await onChanged(t('resumed'));
  });
  let sentence: string;
  if (subscription.status === 'past_due') sentence = t('pastDue', { date: day(subscription.past_due_since) });
  else if (subscription.status === 'read_only') sentence = t('readOnly', { date: day(subscription.past_due_since) });
  else if (subscription.status === 'suspended') sentence = t('suspended', { date: day(subscription.past_due_since) });
  else if (subscription.status === 'canceled') sentence = t('canceled');
  else if (subscription.status === 'trialing')
    sentence = subscription.payment_method
      ? t('trialWithCard', { date: day(subscription.trial_ends_at), price: priced })
      : t('trialNoCard', { date: day(subscription.trial_ends_at) });
  else if (subscription.cancel_at_period_end) sentence = t('endsOn', { date: day(subscription.current_period_end) });
  else if (price) sentence = t('renews', { date: day(subscription.current_period_end), price: priced });
  else sentence = t('freeNoCharge');
  const credit = Number(subscription.credit_balance) || 0;
  const paidPlan = !!price && subscription.status !== 'canceled';
  return (
    <div class={`panel billing-plan${unpaid ? ' unpaid' : ''}`} id="billing-plan">
      <div class="card-head">
        <h2>
          {t('planHeading')}: <bdi>{plan.name}</bdi>
        </h2>
        <span class={`badge ${subscription.status === 'active' || subscription.status === 'trialing' ? 'on' : 'warn'}`}>
          {t(`status_${subscription.status}`)}
        </span>
      </div>
      {unpaid ? (
        <div class={`banner ${subscription.status === 'past_due' ? 'warning' : 'error'}`} role="alert">
          <strong>{sentence}</strong>
          {manage && (
            <p>
              <button type="button" disabled={pay.busy} aria-busy={pay.busy ? 'true' : undefined} onClick={() => void pay.run()}>
                {t('payNow')}
              </button>
            </p>
          )}
        </div>
      ) : (
        <p class="billing-sentence">{sentence}</p>
      )}
      <ErrorBanner error={pay.error ?? resume.error} />
      {credit > 0 && subscription.currency && <p class="muted">{t('credit', { amount: formatMoney(credit, subscription.currency) })}</p>}
      {manage && paidPlan && (
        <div class="card-actions">
          {subscription.cancel_at_period_end ? (
            <button type="button" class="secondary" disabled={resume.busy} onClick={() => void resume.run()}>
              {t('resume')}
            </button>
          ) : (
            <button type="button" class="secondary" onClick={() => setCancelling(true)}>
              {t('cancel')}
            </button>
          )}
        </div>
      )}
      {cancelling && <CancelDialog overview={overview} onClose={() => setCancelling(false)} onChanged={onChanged} />}
    </div>
  );
}

function CancelDialog({ overview, onClose, onChanged }: { overview: BillingOverview; onClose(): void; onChanged(message?: string): Promise<void> }) {
  const tenant = useTenant();
  const date = dayOf(overview.subscription.current_period_end ?? overview.subscription.trial_ends_at, tenant.timeZone);
  const cancel = useAction(async () => {
    await call('POST', '/billing/subscription/cancel', { tenant: tenant.slug });
    onClose();
    await onChanged(t('canceledNote', { date }));
  });
  return (
    <Dialog title={t('cancelTitle', { plan: overview.plan.name })} onClose={onClose}>
      <ErrorBanner error={cancel.error} />
      <p>{t('cancelText', { date })}</p>
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={onClose}>
          {t('keep')}
        </button>
        <button type="button" class="danger" disabled={cancel.busy} onClick={() => void cancel.run()}>
          {t('confirmCancel')}
        </button>
      </div>
    </Dialog>
  );
}

/** Each limit as a meter: used against the plan's maximum, or "Unlimited". */
function Usage({ overview }: { overview: BillingOverview }) {
  const shown = (limit: string, value: number) => (limit === 'storage_bytes' ? formatBytes(value) : formatNumber(value));
  if (overview.usage.length === 0) return null;
  return (
    <div class="panel" id="billing-usage">
      <h2>{t('usageHeading')}</h2>
      <p class="muted">{t('usageIntro')}</p>
      <ul class="billing-meters">
        {overview.usage.map((state) => {
          const label = limitLabel(state.limit, state.label);
          const id = `meter-${state.limit.replace(/[^a-z0-9]+/gi, '-')}`;
          const full = state.max !== null && state.used >= state.max;
          return (
            <li key={state.limit} data-limit={state.limit} class={full ? 'full' : undefined}>
              <span class="meter-label" id={id}>
                {label}
              </span>
              {state.max === null ? (
                <span class="meter-value">
                  {t('usedAlone', { used: shown(state.limit, state.used) })} · {t('unlimited')}
                </span>
              ) : (
                <>
                  <meter
                    aria-labelledby={id}
                    min={0}
                    max={Math.max(state.max, 1)}
                    value={Math.min(state.used, Math.max(state.max, 1))}
                    high={state.max * 0.8}
                    optimum={0}
                  />
                  <span class="meter-value">{t('usedOf', { used: shown(state.limit, state.used), max: shown(state.limit, state.max) })}</span>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The card on file, and the way to the provider's page to change it. */
function CardOnFile({ overview }: { overview: BillingOverview }) {
  const tenant = useTenant();
  const card = overview.subscription.payment_method;
  const change = useAction(() => goToCardPage(tenant.slug));
  if (!overview.provider) return null;
  return (
    <div class="panel" id="billing-card">
      <h2>{t('cardHeading')}</h2>
      <ErrorBanner error={change.error} />
      <p>
        {card
          ? t('cardOnFile', {
              brand: card.brand.charAt(0).toUpperCase() + card.brand.slice(1),
              last4: card.last4,
              month: String(card.exp_month).padStart(2, '0'),
              year: String(card.exp_year),
            })
          : t('noCard')}
      </p>
      {tenant.can('core.billing.manage') && (
        <div class="card-actions">
          <button type="button" class="secondary" disabled={change.busy} onClick={() => void change.run()}>
            {card ? t('changeCard') : t('addCard')}
          </button>
        </div>
      )}
    </div>
  );
}

function Addons({ overview }: { overview: BillingOverview }) {
  const tenant = useTenant();
  return (
    <div class="panel" id="billing-addons">
      <h2>{t('addonsHeading')}</h2>
      {overview.addons.length === 0 ? (
        <p class="muted">{t('noAddons')}</p>
      ) : (
        <ul class="billing-addons">
          {overview.addons.map((addon) => {
            const entry = tenant.plugins.find((plugin) => plugin.name === addon.plugin);
            return (
              <li key={addon.plugin} data-plugin={addon.plugin}>
                <strong>{entry ? pluginText(addon.plugin, entry.title) : addon.plugin}</strong>
                {addon.price && <span> · {t('perInterval', { price: money(addon.price), interval: addon.price.interval })}</span>}
                <span class="muted"> · {t('addonSince', { date: dayOf(addon.started_at, tenant.timeZone) })}</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
