import type { WriterColumn } from './report-writer.js';

/** A number from what PostgreSQL gives (`bigint` and `numeric` come as strings), or null for none or not a number. */
export function numberOf(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number(String(value));
  return Number.isFinite(number) ? number : null;
}

const digitsByCurrency = new Map<string, number>();

/** Digits after the decimal point of a currency's amounts (2 for USD, 0 for JPY, 3 for KWD); 2 for an unknown code. */
export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** The currency of a `money` cell: the row's `currencyKey`, else the tenant's. */
export function currencyOf(column: WriterColumn, row: Record<string, unknown>, fallback: string): string {
  const own = column.currencyKey ? row[column.currencyKey] : undefined;
  return typeof own === 'string' && /^[A-Za-z]{3}$/.test(own) ? own.toUpperCase() : fallback;
}

/** A `money` cell's amount in major units (minor 1999 → 19.99 in USD), or null. */
export function moneyAmount(value: unknown, currency: string): number | null {
  const minor = numberOf(value);
  return minor === null ? null : minor / 10 ** currencyDigits(currency);
}

/** A Date from a timestamp value (a Date, an ISO string or epoch milliseconds), or null. */
export function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
/** UTC offsets (ms) by time zone and quarter hour: time zones change offset only on quarter hours. */
const offsets = new Map<string, number>();
const quarterHourMs = 15 * 60 * 1000;

/** The UTC offset of `timeZone` at `instant` (ms since the epoch), from Intl: slow, so {@link wallClock} caches it. */
function offsetOf(instant: number, timeZone: string): number {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    zoneFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return local - Math.floor(instant / 1000) * 1000;
}

/**
 * The wall-clock fields of `date` in `timeZone`: `{ date: '2026-03-01', time: '14:05:09' }`. The zone's offset is
 * looked up once per quarter hour: a million rows in time order cost a few thousand lookups, not a million.
 */
export function wallClock(date: Date, timeZone: string): { date: string; time: string } {
  const instant = date.getTime();
  const quarter = Math.floor(instant / quarterHourMs);
  const key = `${timeZone}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 100_000) offsets.clear();
    offset = offsetOf(quarter * quarterHourMs, timeZone);
    offsets.set(key, offset);
  }
  const local = new Date(instant + offset).toISOString();
  return { date: local.slice(0, 10), time: local.slice(11, 19) };
}

/**
 * A `date` cell as `YYYY-MM-DD`: a string that already is one stays (a `date` column), a timestamp is read in the
 * tenant's time zone.
 */
export function calendarDate(value: unknown, timeZone: string): string | null {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const date = dateOf(value);
  return date ? wallClock(date, timeZone).date : null;
}

/** A cell as plain text, whatever its type (for text cells and values of an unexpected type). */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Whether a cell holds a truthy boolean (`true`, `'t'`, `'true'`, 1), or null when empty. */
export function booleanOf(value: unknown): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value;
  return ['t', 'true', '1', 'yes'].includes(String(value).toLowerCase());
}

/** Whether a language is written right to left (Arabic, Hebrew, Persian, Urdu). */
export function isRtl(locale: string): boolean {
  try {
    return ['ar', 'he', 'fa', 'ur'].includes(new Intl.Locale(locale).language);
  } catch {
    return false;
  }
}
