/**
 * The plans the tenant may move to, as cards priced in the chosen currency and period, and the confirmation of a change:
 * what it costs now (prorated) and after, or what must go first when the plan allows less than the workspace uses.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call } from './api';
import { billingText as t } from './billing-messages';
import {
  dayOf,
  isPaid,
  money,
  monthly,
  offeredCurrencies,
  priceOf,
  type BillingInterval,
  type BillingOverview,
  type BillingPrice,
  type Plan,
} from './billing-model';
import { limitLabel } from './billing-notice';
import { formatBytes, formatNumber } from './format';
import { pluginText } from './plugin-text';
import { useTenant } from './session';
import { Dialog, ErrorBanner, useAction } from './ui';
import './fields/fields.css';

type Kind = 'upgrade' | 'downgrade' | 'change';
interface Choice {
  plan: Plan;
  price: BillingPrice | undefined;
  kind: Kind;
}

export function PlanChoices({ overview, onChanged }: { overview: BillingOverview; onChanged(message?: string): Promise<void> }) {
  const tenant = useTenant();
  const { subscription } = overview;
  const currencies = offeredCurrencies(overview.plans, [subscription.currency, tenant.currency]);
  const [currency, setCurrency] = useState(currencies[0] ?? tenant.currency);
  const [interval, setInterval] = useState<BillingInterval>(subscription.interval ?? 'month');
  const [choice, setChoice] = useState<Choice>();
  const suggested = new URLSearchParams(window.location.search).get('plan');
  const suggestedRef = useRef<HTMLLIElement>(null);
  useEffect(() => suggestedRef.current?.scrollIntoView({ block: 'nearest' }), []);
  const manage = tenant.can('core.billing.manage');
  const currentPrice = priceOf(overview.plan.prices, subscription.currency ?? '', subscription.interval ?? 'month');
  const plans = [...overview.plans].sort((a, b) => a.sort - b.sort);
  if (plans.length <= 1 && !plans.some(isPaid)) return null;
  return (
    <div class="panel" id="plans">
      <h2>{t('plansHeading')}</h2>
      <div class="billing-plan-options">
        <fieldset class="field">
          <legend class="field-label">{t('interval')}</legend>
          <div class="segmented">
            {(['month', 'year'] as const).map((value) => (
              <label key={value} class={interval === value ? 'selected' : undefined}>
                <input type="radio" name="billing-interval" value={value} checked={interval === value} onChange={() => setInterval(value)} />
                <span>{value === 'month' ? t('monthly') : t('yearly')}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {currencies.length > 1 && (
          <label>
            {t('currency')}
            <select value={currency} onChange={(event) => setCurrency(event.currentTarget.value)}>
              {currencies.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ul class="cards billing-plans">
        {plans.map((plan) => {
          const price = priceOf(plan.prices, currency, interval);
          const current = plan.key === overview.plan.key;
          const same = current && (!isPaid(plan) || (subscription.currency === currency && subscription.interval === interval));
          const kind: Kind = current ? 'change' : monthly(price) > monthly(currentPrice) ? 'upgrade' : 'downgrade';
          const offered = !isPaid(plan) || !!price;
          return (
            <li
              key={plan.key}
              class={`card billing-plan-card${current ? ' current' : ''}${plan.key === suggested ? ' suggested' : ''}`}
              data-plan={plan.key}
              ref={plan.key === suggested ? suggestedRef : undefined}
            >
              <div class="card-head">
                <h3>
                  <bdi>{plan.name}</bdi>
                </h3>
                {current && <span class="badge on">{t('currentPlan')}</span>}
              </div>
              <p class="billing-price">{price ? t('perInterval', { price: money(price), interval }) : isPaid(plan) ? '—' : t('free')}</p>
              {plan.description && <p class="muted">{plan.description}</p>}
              {plan.trial_days > 0 && !current && <p>{t('trialDays', { days: plan.trial_days })}</p>}
              <PlanFacts plan={plan} />
              {!offered && <p class="muted">{t('notOffered', { currency })}</p>}
              {manage && offered && !same && (
                <div class="card-actions">
                  <button
                    type="button"
                    class={kind === 'downgrade' ? 'secondary' : undefined}
                    aria-label={`${current ? t('switchTo', { interval }) : kind === 'upgrade' ? t('upgrade') : t('downgrade')} — ${plan.name}`}
                    onClick={() => setChoice({ plan, price, kind })}
                  >
                    {current ? t('switchTo', { interval }) : kind === 'upgrade' ? t('upgrade') : t('downgrade')}
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {choice && <ChangeDialog overview={overview} choice={choice} onClose={() => setChoice(undefined)} onChanged={onChanged} />}
    </div>
  );
}

/** A plan's limits and apps, in words. */
function PlanFacts({ plan }: { plan: Plan }) {
  const tenant = useTenant();
  const limits = Object.entries(plan.limits);
  const title = (name: string) => {
    const entry = tenant.plugins.find((plugin) => plugin.name === name);
    return entry ? pluginText(name, entry.title) : name;
  };
  return (
    <ul class="billing-plan-facts">
      {limits.map(([limit, max]) => (
        <li key={limit}>
          {max === null
            ? t('unlimitedLimit', { limit: limitLabel(limit) })
            : t('limitLine', { limit: limitLabel(limit), max: limit === 'storage_bytes' ? formatBytes(max) : formatNumber(max) })}
        </li>
      ))}
      <li>{plan.plugins === null ? t('everyApp') : t('apps', { apps: plan.plugins.map(title).join(', ') || '—' })}</li>
    </ul>
  );
}

/** The refusal of a plan the workspace has outgrown: each limit over and each app to disable first. */
function Exceeds({ error, plan }: { error: ApiError; plan: Plan }) {
  const tenant = useTenant();
  return (
    <div class="banner error" role="alert">
      <strong>{t('exceedsIntro', { plan: plan.name })}</strong>
      <ul>
        {Object.entries(error.errors).map(([key, messages]) => {
          if (key.startsWith('plugins.')) {
            const name = key.slice('plugins.'.length);
            const entry = tenant.plugins.find((plugin) => plugin.name === name);
            return <li key={key}>{t('pluginExcluded', { plugin: entry ? pluginText(name, entry.title) : name, plan: plan.name })}</li>;
          }
          const limit = key.startsWith('limits.') ? key.slice('limits.'.length) : key;
          return (
            <li key={key}>
              {limitLabel(limit)}: {messages.join('; ')}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function ChangeDialog(props: { overview: BillingOverview; choice: Choice; onClose(): void; onChanged(message?: string): Promise<void> }) {
  const { overview, choice, onClose, onChanged } = props;
  const tenant = useTenant();
  const { plan, price, kind } = choice;
  const { subscription } = overview;
  const paidNow = isPaid(overview.plan) && !!subscription.currency && subscription.status !== 'canceled';
  const until = dayOf(subscription.current_period_end ?? subscription.trial_ends_at, tenant.timeZone);
  const then = price ? t('perInterval', { price: money(price), interval: price.interval }) : t('free');
  const sentences: string[] = [];
  if (!price) sentences.push(t('toFree', { date: until, plan: plan.name }));
  else if (subscription.status === 'trialing') {
    sentences.push(t('trialContinues', { date: dayOf(subscription.trial_ends_at, tenant.timeZone), price: then }));
  } else if (!paidNow) {
    if (plan.trial_days > 0)
      sentences.push(
        t('trialStarts', { days: plan.trial_days, date: dayOf(new Date(Date.now() + plan.trial_days * 86_400_000).toISOString(), tenant.timeZone) }),
      );
    sentences.push(t('fromNow', { price: then }));
    if (!subscription.payment_method && plan.trial_days === 0) sentences.push(t('checkoutNext'));
  } else if (kind === 'downgrade') sentences.push(t('downgradeProrated', { date: until, price: then }));
  else sentences.push(t('upgradeProrated', { date: until, price: then }));
  const change = useAction(async () => {
    const body = price ? { plan: plan.key, currency: price.currency, interval: price.interval } : { plan: plan.key };
    const { data } = await call<{ checkout_url?: string }>('POST', '/billing/subscription', { tenant: tenant.slug, body });
    if (data?.checkout_url) {
      window.location.assign(data.checkout_url);
      return;
    }
    onClose();
    await onChanged(t('changed', { plan: plan.name }));
  });
  const exceeds = change.error instanceof ApiError && change.error.code === 'plan_change_exceeds_limits' ? change.error : undefined;
  return (
    <Dialog title={t('changeTitle', { kind, plan: plan.name })} onClose={onClose}>
      {exceeds ? <Exceeds error={exceeds} plan={plan} /> : <ErrorBanner error={change.error} />}
      {sentences.map((sentence) => (
        <p key={sentence}>{sentence}</p>
      ))}
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={onClose}>
          {t('keep')}
        </button>
        <button type="button" disabled={change.busy || !!exceeds} aria-busy={change.busy ? 'true' : undefined} onClick={() => void change.run()}>
          {t('confirmChange', { kind })}
        </button>
      </div>
    </Dialog>
  );
}
