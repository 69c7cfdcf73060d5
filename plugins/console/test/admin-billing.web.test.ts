/** The host billing screens' conversions (web/src/admin-billing-model.ts): typed amounts and limits ↔ the API's. */
import { describe, expect, it } from 'vitest';
import {
  lastTwelveMonths,
  limitDrafts,
  limitsFrom,
  monthlyAmount,
  paidSeries,
  priceDrafts,
  pricesFrom,
  type PriceDraft,
} from '../web/src/admin-billing-model.js';

const words = { amount: (digits: number) => `digits ${digits}`, duplicate: 'twice' };
const row = (currency: string, interval: 'month' | 'year', amount: string): PriceDraft => ({
  key: `${currency}${interval}${amount}`,
  currency,
  interval,
  amount,
});

describe('prices', () => {
  it('reads amounts typed in major units as minor units of their currency, Arabic digits included', () => {
    const { prices, problems } = pricesFrom(
      [row('USD', 'month', '19.00'), row('EUR', 'year', '190'), row('JPY', 'month', '500'), row('KWD', 'month', '١٫٢٥٠')],
      words,
    );
    expect(problems).toEqual({});
    expect(prices).toEqual([
      { currency: 'USD', interval: 'month', amount: 1900 },
      { currency: 'EUR', interval: 'year', amount: 19000 },
      { currency: 'JPY', interval: 'month', amount: 500 },
      { currency: 'KWD', interval: 'month', amount: 1250 },
    ]);
  });

  it('names the row and field of an amount that is not one, negative, too precise, or a pair given twice', () => {
    const { problems } = pricesFrom(
      [row('USD', 'month', 'ten'), row('USD', 'year', '-1'), row('JPY', 'month', '1.5'), row('USD', 'month', '5'), row('EUR', 'month', '')],
      words,
    );
    expect(problems).toEqual({
      'prices.0.amount': ['digits 2'],
      'prices.1.amount': ['digits 2'],
      'prices.2.amount': ['digits 0'],
      'prices.3.currency': ['twice'],
      'prices.4.amount': ['digits 2'],
    });
  });

  it('shows stored prices with every decimal of their currency, and back unchanged', () => {
    const stored = [
      { currency: 'USD', interval: 'month' as const, amount: 1950 },
      { currency: 'JPY', interval: 'year' as const, amount: 12000 },
    ];
    const drafts = priceDrafts(stored);
    expect(drafts.map((draft) => draft.amount)).toEqual(['19.50', '12000']);
    expect(new Set(drafts.map((draft) => draft.key)).size).toBe(2);
    expect(pricesFrom(drafts, words).prices).toEqual(stored);
  });

  it('counts a yearly price as a twelfth per month', () => {
    expect(monthlyAmount({ currency: 'USD', interval: 'year', amount: 12000 })).toBe(1000);
    expect(monthlyAmount({ currency: 'USD', interval: 'month', amount: 1900 })).toBe(1900);
  });
});

describe('limits', () => {
  it('keeps empty as the default, unlimited as null, storage typed in megabytes', () => {
    const { limits, problems } = limitsFrom(
      {
        members: { value: '5', unlimited: false },
        api_tokens: { value: '', unlimited: false },
        'crm.contacts': { value: '', unlimited: true },
        storage_bytes: { value: '1.5', unlimited: false },
        'lms.courses': { value: '٣', unlimited: false },
      },
      'bad',
    );
    expect(problems).toEqual({});
    expect(limits).toEqual({ members: 5, 'crm.contacts': null, storage_bytes: 1572864, 'lms.courses': 3 });
  });

  it('refuses a fraction, a negative or a word at the limit it names', () => {
    const { problems } = limitsFrom(
      { members: { value: '2.5', unlimited: false }, 'crm.contacts': { value: '-1', unlimited: false }, api_tokens: { value: 'x', unlimited: false } },
      'bad',
    );
    expect(problems).toEqual({ 'limits.members': ['bad'], 'limits.crm.contacts': ['bad'], 'limits.api_tokens': ['bad'] });
  });

  it('shows stored limits as typed, and back unchanged', () => {
    const stored = { members: 10, storage_bytes: 1048576 * 512, 'crm.contacts': null };
    const drafts = limitDrafts(stored);
    expect(drafts).toEqual({
      members: { value: '10', unlimited: false },
      storage_bytes: { value: '512', unlimited: false },
      'crm.contacts': { value: '', unlimited: true },
    });
    expect(limitsFrom(drafts, 'bad').limits).toEqual(stored);
  });
});

describe('revenue', () => {
  it('lists the twelve months ending with this one, across a year boundary', () => {
    const months = lastTwelveMonths(new Date('2026-02-15T12:00:00Z'));
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2025-03');
    expect(months[11]).toBe('2026-02');
  });

  it('gives each currency a value per month, 0 when nothing was paid', () => {
    const series = paidSeries(
      [
        { month: '2026-01', currency: 'USD', paid: 1900 },
        { month: '2026-02', currency: 'USD', paid: 3800 },
        { month: '2026-02', currency: 'EUR', paid: 900 },
      ],
      ['2025-12', '2026-01', '2026-02'],
    );
    expect(series).toEqual([
      { currency: 'EUR', values: [0, 0, 900] },
      { currency: 'USD', values: [0, 1900, 3800] },
    ]);
  });
});
