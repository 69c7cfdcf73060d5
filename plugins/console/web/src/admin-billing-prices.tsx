/**
 * Prices as a person edits them (a plan's, an add-on's): one row per price — currency, interval, amount typed in
 * major units — added and removed, with the API's or the form's problems beside the control they name.
 */
import { useMemo } from 'preact/hooks';
import { billingAdminText as t } from './admin-billing-messages';
import { intervals, rowKey, type BillingPrice, type FieldProblems, type PriceDraft } from './admin-billing-model';
import { currencyDigits, formatMoney } from './format';
import { currentLanguage } from './i18n';
import { FieldNotes } from './ui';

/** Currencies offered: the browser's ISO 4217 list (named in the console's language), those in use first. */
function useCurrencyOptions(inUse: readonly string[]): { value: string; label: string }[] {
  const language = currentLanguage();
  return useMemo(() => {
    let known: string[] = [];
    try {
      known = Intl.supportedValuesOf('currency');
    } catch {
      known = ['EUR', 'GBP', 'USD'];
    }
    const names = new Intl.DisplayNames([language], { type: 'currency' });
    return [...new Set([...inUse, ...known])].map((code) => ({ value: code, label: `${code} — ${names.of(code) ?? code}` }));
  }, [language, inUse.join()]);
}

/** A price for people: `$19.00 / month`. */
export function priceText(price: BillingPrice): string {
  return t('pricePer', { amount: formatMoney(price.amount, price.currency), interval: price.interval });
}

/** Prices as a short list (or "Free" / `empty`). */
export function PriceList({ prices, empty = t('free') }: { prices: readonly BillingPrice[]; empty?: string }) {
  if (prices.length === 0) return <span class="muted">{empty}</span>;
  return (
    <ul class="billing-prices">
      {prices.map((price) => (
        <li key={`${price.currency}:${price.interval}`}>
          <bdi>{priceText(price)}</bdi>
        </li>
      ))}
    </ul>
  );
}

/** The price rows of a form; `problems` keyed `<prefix>.<index>.<field>` (the API's paths). */
export function PriceRows(props: {
  id: string;
  rows: PriceDraft[];
  onRows(rows: PriceDraft[]): void;
  problems: FieldProblems;
  prefix?: string;
  /** The currency a new row starts with. */
  currency?: string;
}) {
  const { id, rows, onRows, problems, prefix = 'prices', currency = 'USD' } = props;
  const options = useCurrencyOptions(rows.map((row) => row.currency));
  const change = (index: number, patch: Partial<PriceDraft>) => onRows(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  const whole = problems[prefix] ?? [];
  return (
    <div class="price-rows" id={id}>
      {rows.length === 0 && <p class="muted">{t('noPrice')}</p>}
      {rows.map((row, index) => {
        const at = (field: string) => problems[`${prefix}.${index}.${field}`] ?? [];
        const control = (field: string) => `${id}-${index}-${field}`;
        const described = (field: string) => (at(field).length > 0 ? `${control(field)}-error` : undefined);
        const digits = currencyDigits(row.currency);
        return (
          <fieldset class="price-row" key={row.key}>
            <legend class="visually-hidden">{t('priceRow', { number: index + 1 })}</legend>
            <div class={`field${at('currency').length > 0 ? ' invalid' : ''}`}>
              <label for={control('currency')}>{t('currency')}</label>
              <select
                id={control('currency')}
                value={row.currency}
                aria-invalid={at('currency').length > 0 ? 'true' : undefined}
                aria-describedby={described('currency')}
                onChange={(event) => change(index, { currency: event.currentTarget.value })}
              >
                {options.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
              <FieldNotes id={control('currency')} errors={at('currency')} />
            </div>
            <div class={`field${at('interval').length > 0 ? ' invalid' : ''}`}>
              <label for={control('interval')}>{t('interval')}</label>
              <select
                id={control('interval')}
                value={row.interval}
                aria-invalid={at('interval').length > 0 ? 'true' : undefined}
                aria-describedby={described('interval')}
                onChange={(event) => change(index, { interval: event.currentTarget.value as PriceDraft['interval'] })}
              >
                {intervals.map((interval) => (
                  <option key={interval} value={interval}>
                    {interval === 'year' ? t('intervalYear') : t('intervalMonth')}
                  </option>
                ))}
              </select>
              <FieldNotes id={control('interval')} errors={at('interval')} />
            </div>
            <div class={`field price-amount${at('amount').length > 0 ? ' invalid' : ''}`}>
              <label for={control('amount')}>{t('amount')}</label>
              <div class="affixed">
                <span class="affix" aria-hidden="true">
                  {row.currency}
                </span>
                <input
                  id={control('amount')}
                  type="text"
                  inputMode="decimal"
                  dir="ltr"
                  autoComplete="off"
                  placeholder={digits > 0 ? `0.${'0'.repeat(digits)}` : '0'}
                  value={row.amount}
                  aria-invalid={at('amount').length > 0 ? 'true' : undefined}
                  aria-describedby={described('amount')}
                  onInput={(event) => change(index, { amount: event.currentTarget.value })}
                />
              </div>
              <FieldNotes id={control('amount')} errors={at('amount')} />
            </div>
            <button type="button" class="secondary price-remove" onClick={() => onRows(rows.filter((_, at) => at !== index))}>
              {t('removePrice', { number: index + 1 })}
            </button>
            {(problems[`${prefix}.${index}`] ?? []).length > 0 && (
              <p class="field-error price-row-error">{(problems[`${prefix}.${index}`] ?? []).join('; ')}</p>
            )}
          </fieldset>
        );
      })}
      {whole.length > 0 && <FieldNotes errors={whole} />}
      <button
        type="button"
        class="secondary"
        onClick={() => onRows([...rows, { key: rowKey(), currency: rows[rows.length - 1]?.currency ?? currency, interval: 'month', amount: '' }])}
      >
        {t('addPrice')}
      </button>
    </div>
  );
}
