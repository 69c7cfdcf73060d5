/**
 * Numbers, money, dates and times for people, in the console's language (with the tenant's regional conventions
 * when they share it: see `formattingLocale`). Arabic text gets the digits its locale gives (`١٢٫٥`).
 * Formatters are cached per locale and options; bad input (an unknown currency or time zone, a date that is not
 * one) falls back to something readable rather than throwing during render.
 */
// `.js`: the unit test type-checks this file with NodeNext resolution; Vite maps it to i18n.ts.
import { defineMessages, formattingLocale } from './i18n.js';

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const locale = formattingLocale();
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = formattingLocale();
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

/** Whether `currency` is an ISO 4217 code the browser knows. */
function knownCurrency(currency: string): boolean {
  if (!/^[A-Za-z]{3}$/.test(currency)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency });
    return true;
  } catch {
    return false;
  }
}

/** The number of minor-unit digits of a currency (ISO 4217): JPY 0, USD 2, KWD 3; 2 for an unknown code. */
export function currencyDigits(currency: string): number {
  if (!knownCurrency(currency)) return 2;
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An amount held in minor units (cents, fils), in its currency: `formatMoney(123456, 'USD')` → `$1,234.56`. */
export function formatMoney(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  const digits = currencyDigits(code);
  const major = minor / 10 ** digits;
  if (!knownCurrency(code)) {
    return `${numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major)} ${currency}`;
  }
  return numberFormat({ style: 'currency', currency: code, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major);
}

/** A plain number with the locale's digits and grouping: `12345.5` → `12,345.5` or `١٢٬٣٤٥٫٥`. */
export function formatNumber(value: number): string {
  return numberFormat({ maximumFractionDigits: 20 }).format(value);
}

/** A basis-points value (1/100 of a percent) as a percentage: `1250` → `12.5%`. */
export function formatBasisPoints(basisPoints: number): string {
  return numberFormat({ style: 'percent', maximumFractionDigits: 2 }).format(basisPoints / 10_000);
}

/** Whether `timeZone` is an IANA time zone the browser knows. */
export function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An instant (ISO 8601 date-time) as a date and time in the tenant's time zone: `5 Dec 2026, 14:30`.
 * An unknown time zone shows UTC; a value that is not a date is returned as it is.
 */
export function formatDateTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = timeZone && knownTimeZone(timeZone) ? timeZone : 'UTC';
  return dateFormat({ dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(date);
}

/**
 * A calendar date (`2026-12-05`) in the console's language: `5 Dec 2026`. A calendar date has no time zone, so
 * it never shifts a day; a full date-time shows the date it has in the browser's time zone.
 */
export function formatDate(isoDate: string): string {
  const calendar = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (calendar) {
    const date = new Date(Date.UTC(Number(calendar[1]), Number(calendar[2]) - 1, Number(calendar[3])));
    if (Number.isNaN(date.getTime())) return isoDate;
    return dateFormat({ dateStyle: 'medium', timeZone: 'UTC' }).format(date);
  }
  const date = new Date(isoDate);
  if (Number.isNaN(date.getTime())) return isoDate;
  return dateFormat({ dateStyle: 'medium' }).format(date);
}

/**
 * Names that are identifiers (role names, permissions) as a list: `viewer, contact-reader` / `viewer، contact-reader`.
 * Intl.ListFormat would join Latin identifiers to the Arabic `و` ("and"), so only the separator is the language's.
 */
export function formatIdentifiers(items: readonly string[]): string {
  return items.join(sizeText('separator'));
}

/** A size in bytes for people: `12 KB`, `3.4 MB`, `١٢ كيلوبايت`, with the locale's digits. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < 3) {
    value /= 1024;
    unit += 1;
  }
  const size = numberFormat({ maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1 }).format(value);
  return sizeText((['bytes', 'kilobytes', 'megabytes', 'gigabytes'] as const)[unit]!, { size });
}

// The binary units as people write them (`KB`, not the SI `kB` that Intl would give), and a list's separator.
const sizeText = defineMessages({
  en: { bytes: '{size} bytes', kilobytes: '{size} KB', megabytes: '{size} MB', gigabytes: '{size} GB', separator: ', ' },
  ar: { bytes: '{size} بايت', kilobytes: '{size} كيلوبايت', megabytes: '{size} ميغابايت', gigabytes: '{size} غيغابايت', separator: '، ' },
});
