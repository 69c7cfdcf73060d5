import { booleanOf, calendarDate, currencyDigits, currencyOf, dateOf, moneyAmount, numberOf, textOf, wallClock } from './cell-values.js';
import { relieve, type ReportWriter, type WriterColumn } from './report-writer.js';

/** Rows gathered into one chunk before it is written (a few kilobytes each). */
const rowsPerChunk = 200;

/**
 * CSV (RFC 4180): CRLF line ends, a field quoted when it holds a comma, a quote or a line break, its quotes doubled;
 * UTF-8 with a byte-order mark, so that Excel reads it as UTF-8. Numbers are plain (`19.99`, `.` as the decimal
 * point), dates `YYYY-MM-DD` and times `YYYY-MM-DD HH:mm:ss` in the tenant's time zone.
 */
export const writeCsv: ReportWriter = async (input, out) => {
  const { columns } = input;
  let chunk = '\uFEFF' + columns.map((column) => field(column.label, true)).join(',') + '\r\n';
  let rows = 0;
  for await (const row of input.rows) {
    chunk += columns.map((column) => cell(column, row, input.timeZone, input.currency)).join(',') + '\r\n';
    if (++rows % rowsPerChunk === 0) {
      out.write(chunk);
      chunk = '';
      await relieve(out);
    }
  }
  out.end(chunk);
};

function cell(column: WriterColumn, row: Record<string, unknown>, timeZone: string, currency: string): string {
  const value = row[column.key];
  switch (column.type) {
    case 'integer':
    case 'number':
    case 'percent':
      return numberOf(value)?.toString() ?? '';
    case 'money': {
      const code = currencyOf(column, row, currency);
      return moneyAmount(value, code)?.toFixed(currencyDigits(code)) ?? '';
    }
    case 'date':
      return calendarDate(value, timeZone) ?? '';
    case 'datetime': {
      const date = dateOf(value);
      if (!date) return '';
      const clock = wallClock(date, timeZone);
      return `${clock.date} ${clock.time}`;
    }
    case 'boolean': {
      const flag = booleanOf(value);
      return flag === null ? '' : String(flag);
    }
    default:
      return field(textOf(value), true);
  }
}

/**
 * One field, quoted when it must be. A text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return) is
 * prefixed with `'`: spreadsheets would otherwise run it as a formula (CSV injection).
 */
export function field(text: string, guard: boolean): string {
  const safe = guard && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
