/**
 * The plan choice of the sign-up form, shown only when the host sells plans (`GET /billing/plans` lists one with a
 * price): the default plan is preselected, prices in the chosen period and currency, the trial said beside each.
 */
import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import { isPaid, money, offeredCurrencies, priceOf, type BillingInterval, type Plan } from './billing-model';
import { defineMessages } from './i18n';
import './fields/fields.css';
import './billing-signup.css';

const t = defineMessages({
  en: {
    plan: 'Plan',
    free: 'Free',
    price: '{price} / {interval, select, year {year} other {month}}',
    trial: '{days, plural, one {# day free trial} other {# days free trial}}',
    monthly: 'Monthly',
    yearly: 'Yearly',
    period: 'Billing period',
    currency: 'Currency',
    notOffered: 'not offered for this period',
  },
  ar: {
    plan: 'الخطة',
    free: 'مجانية',
    price: '{price} / {interval, select, year {سنة} other {شهر}}',
    trial:
      '{days, plural, zero {بلا فترة تجريبية} one {يوم تجريبي مجاني واحد} two {يومان تجريبيان مجانًا} few {# أيام تجريبية مجانًا} many {# يومًا تجريبيًا مجانًا} other {# يوم تجريبي مجانًا}}',
    monthly: 'شهريًا',
    yearly: 'سنويًا',
    period: 'فترة الفوترة',
    currency: 'العملة',
    notOffered: 'غير متاحة لهذه الفترة',
  },
});

/** What the sign-up sends as `plan` (absent: the default plan). */
export interface PlanChoice {
  key: string;
  currency?: string;
  interval?: BillingInterval;
}

/** The public plans, when the host sells any; an empty list otherwise (or when they cannot be read). */
function usePublicPlans(): Plan[] {
  const [plans, setPlans] = useState<Plan[]>([]);
  useEffect(() => {
    let live = true;
    get<Plan[]>('/billing/plans', { anonymous: true }).then(
      (found) => live && setPlans(found.some(isPaid) ? [...found].sort((a, b) => a.sort - b.sort) : []),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return plans;
}

export function SignUpPlanPicker({ onChange }: { onChange(choice: PlanChoice | undefined): void }) {
  const plans = usePublicPlans();
  const [key, setKey] = useState<string>();
  const [interval, setInterval] = useState<BillingInterval>('month');
  const currencies = offeredCurrencies(plans, []);
  const [currency, setCurrency] = useState<string>();
  const chosenCurrency = currency ?? currencies[0] ?? 'USD';
  const selected = key ?? plans.find((plan) => plan.is_default)?.key ?? plans[0]?.key;
  useEffect(() => {
    const plan = plans.find((candidate) => candidate.key === selected);
    if (!plan || plan.is_default) onChange(undefined);
    else onChange(isPaid(plan) ? { key: plan.key, currency: chosenCurrency, interval } : { key: plan.key });
  }, [plans, selected, interval, chosenCurrency]);
  if (plans.length === 0) return null;
  const yearly = plans.some((plan) => plan.prices.some((price) => price.interval === 'year'));
  return (
    <fieldset class="signup-plans">
      <legend>{t('plan')}</legend>
      {yearly && (
        <div class="segmented" role="radiogroup" aria-label={t('period')}>
          {(['month', 'year'] as const).map((value) => (
            <label key={value} class={interval === value ? 'selected' : undefined}>
              <input type="radio" name="signup-interval" value={value} checked={interval === value} onChange={() => setInterval(value)} />
              <span>{value === 'month' ? t('monthly') : t('yearly')}</span>
            </label>
          ))}
        </div>
      )}
      {currencies.length > 1 && (
        <label class="signup-currency">
          {t('currency')}{' '}
          <select value={chosenCurrency} onChange={(event) => setCurrency(event.currentTarget.value)}>
            {currencies.map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
        </label>
      )}
      {plans.map((plan) => {
        const price = priceOf(plan.prices, chosenCurrency, interval);
        const offered = !isPaid(plan) || !!price;
        const details = [price ? t('price', { price: money(price), interval }) : isPaid(plan) ? t('notOffered') : t('free')];
        if (plan.trial_days > 0) details.push(t('trial', { days: plan.trial_days }));
        return (
          <label key={plan.key} class="signup-plan">
            <input type="radio" name="signup-plan" value={plan.key} checked={selected === plan.key} disabled={!offered} onChange={() => setKey(plan.key)} />
            <span>
              <strong>
                <bdi>{plan.name}</bdi>
              </strong>{' '}
              <span class="muted">{details.join(' · ')}</span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
