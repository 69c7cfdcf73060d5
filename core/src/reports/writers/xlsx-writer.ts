import { setImmediate as turn } from 'node:timers/promises';
import { booleanOf, calendarDate, currencyDigits, currencyOf, dateOf, isRtl, moneyAmount, numberOf, textOf, wallClock } from './cell-values.js';
import { relieve, type ReportWriter, type WriterColumn } from './report-writer.js';

/** Rows written between two looks at the output's room. */
const rowsPerCheck = 500;

/**
 * XLSX through exceljs's streaming writer (rows committed as they come, no shared strings table): typed cells
 * (numbers, money in major units with its digits, dates as Excel dates of the tenant's wall clock, booleans), a bold
 * header row frozen at the top, and the sheet right to left for a right-to-left language.
 */
export const writeXlsx: ReportWriter = async (input, out) => {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  workbook.creator = input.tenantName;
  workbook.created = input.generatedAt;
  const rtl = isRtl(input.locale);
  const sheet = workbook.addWorksheet(sheetName(input.title), { views: [{ state: 'frozen', ySplit: 1, rightToLeft: rtl }] });
  sheet.columns = input.columns.map((column) => ({
    header: column.label,
    key: column.key,
    width: Math.min(60, Math.max(10, column.label.length + 2, column.type === 'datetime' ? 20 : 0)),
    ...(numberFormat(column, input.currency) ? { style: { numFmt: numberFormat(column, input.currency)! } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  let rows = 0;
  for await (const row of input.rows) {
    const added = sheet.addRow(input.columns.map((column) => cell(column, row, input.timeZone, input.currency)));
    for (const [index, column] of input.columns.entries()) {
      // A row's own currency may have other digits than the column's format.
      if (column.type === 'money' && column.currencyKey) added.getCell(index + 1).numFmt = moneyFormat(currencyOf(column, row, input.currency));
    }
    added.commit();
    if (++rows % rowsPerCheck === 0) {
      // Lets the zip stream take what the sheet wrote, then waits while the file's reader is behind.
      await turn();
      await relieve(out);
    }
  }
  sheet.commit();
  await workbook.commit();
};

function moneyFormat(currency: string): string {
  const digits = currencyDigits(currency);
  return digits > 0 ? `#,##0.${'0'.repeat(digits)}` : '#,##0';
}

function numberFormat(column: WriterColumn, currency: string): string | undefined {
  switch (column.type) {
    case 'integer':
      return '#,##0';
    case 'money':
      return moneyFormat(currency);
    case 'date':
      return 'yyyy-mm-dd';
    case 'datetime':
      return 'yyyy-mm-dd hh:mm:ss';
    default:
      return undefined;
  }
}

/** The wall clock of a time in the tenant's zone as a Date whose UTC fields carry it: Excel dates have no time zone. */
function excelDate(date: Date, timeZone: string): Date {
  const clock = wallClock(date, timeZone);
  return new Date(`${clock.date}T${clock.time}Z`);
}

function cell(column: WriterColumn, row: Record<string, unknown>, timeZone: string, currency: string): unknown {
  const value = row[column.key];
  switch (column.type) {
    case 'integer':
    case 'number':
    case 'percent':
      return numberOf(value);
    case 'money':
      return moneyAmount(value, currencyOf(column, row, currency));
    case 'date': {
      const day = calendarDate(value, timeZone);
      return day ? new Date(`${day}T00:00:00Z`) : null;
    }
    case 'datetime': {
      const date = dateOf(value);
      return date ? excelDate(date, timeZone) : null;
    }
    case 'boolean':
      return booleanOf(value);
    default:
      return textOf(value);
  }
}

/** A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`. */
function sheetName(title: string): string {
  return (
    title
      .replace(/[[\]:*?/\\]/g, ' ')
      .slice(0, 31)
      .trim() || 'Report'
  );
}
