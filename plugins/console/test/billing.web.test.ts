/** The tenant billing screens' arithmetic (web/src/billing-model.ts): which price to show, and what a change compares. */
import { describe, expect, it } from 'vitest';
import { isPaid, monthly, offeredCurrencies, priceOf, type Plan } from '../web/src/billing-model.js';

const plan = (key: string, prices: Plan['prices']): Plan => ({
  id: key,
  key,
  name: key,
  description: '',
  prices,
  trial_days: 0,
  limits: {},
  plugins: null,
  is_default: key === 'free',
  public: true,
  sort: 0,
  archived_at: null,
});

const free = plan('free', []);
const pro = plan('pro', [
  { currency: 'USD', interval: 'month', amount: 2900 },
  { currency: 'USD', interval: 'year', amount: 29000 },
  { currency: 'EUR', interval: 'month', amount: 2700 },
]);
const team = plan('team', [{ currency: 'EGP', interval: 'month', amount: 90000 }]);

describe('billing model', () => {
  it('finds the price of a currency and period, or none', () => {
    expect(priceOf(pro.prices, 'USD', 'year')).toEqual({ currency: 'USD', interval: 'year', amount: 29000 });
    expect(priceOf(pro.prices, 'EUR', 'year')).toBeUndefined();
    expect(priceOf(free.prices, 'USD', 'month')).toBeUndefined();
  });

  it('compares prices per month, yearly ones spread over twelve months, a free plan at zero', () => {
    expect(monthly(priceOf(pro.prices, 'USD', 'year'))).toBeCloseTo(2416.67, 2);
    expect(monthly(priceOf(pro.prices, 'USD', 'month'))).toBe(2900);
    expect(monthly(undefined)).toBe(0);
  });

  it('offers the currencies of every plan, the preferred one first when offered', () => {
    expect(offeredCurrencies([free, pro, team], ['EUR'])).toEqual(['EUR', 'EGP', 'USD']);
    expect(offeredCurrencies([free, pro, team], [null, 'JPY', 'USD'])).toEqual(['USD', 'EGP', 'EUR']);
    expect(offeredCurrencies([free], ['USD'])).toEqual([]);
  });

  it('calls a plan paid when it has a price', () => {
    expect(isPaid(free)).toBe(false);
    expect(isPaid(team)).toBe(true);
  });
});
