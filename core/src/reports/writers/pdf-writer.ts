import { pdfFonts, visualRuns, type PdfFonts } from '@plinth/sdk';
import { createRequire } from 'node:module';
import path from 'node:path';
import { booleanOf, calendarDate, currencyOf, dateOf, isRtl, moneyAmount, numberOf, textOf } from './cell-values.js';
import { relieve, type ReportWriter, type WriterColumn } from './report-writer.js';

/** The `dejavu-fonts-ttf` package's faces, core's last resort when the system has no DejaVu Sans. */
export function packagedFonts(): PdfFonts[] {
  try {
    const directory = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    return [{ regular: path.join(directory, 'DejaVuSans.ttf'), bold: path.join(directory, 'DejaVuSans-Bold.ttf'), arabic: true }];
  } catch {
    return [];
  }
}

const margin = 36;
const fontSize = 8;
const lineHeight = 10;
const padding = 3;
/** Lines of a cell at most; the last is cut with an ellipsis. */
const maxLines = 3;
/** How wide a column is, relative to the others, by type. */
const weights: Record<WriterColumn['type'], number> = {
  text: 3,
  integer: 1,
  number: 1.2,
  money: 1.5,
  percent: 1,
  date: 1.5,
  datetime: 2.2,
  boolean: 0.8,
};

/**
 * A PDF table (A4, landscape past five columns): the tenant's logo and name, the title and when it was made, then the
 * rows with the header row repeated on every page, long text wrapped (three lines at most), and page numbers. A
 * right-to-left language lays the page out from the right, its text shaped by DejaVu Sans (see the SDK's `pdfFonts`);
 * without that font the PDF is in the built-in Helvetica. Pages are written as they fill: memory holds one page.
 */
export const writePdf: ReportWriter = async (input, out) => {
  const fonts = pdfFonts(packagedFonts());
  const rtl = isRtl(input.locale) && fonts?.arabic === true;
  const locale = rtl || !isRtl(input.locale) ? input.locale : 'en';
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    layout: input.columns.length > 5 ? 'landscape' : 'portrait',
    margin,
    info: { Title: input.title, Author: input.tenantName, CreationDate: input.generatedAt },
  });
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.on('data', (chunk: Buffer) => out.write(chunk));
  if (fonts) {
    doc.registerFont('regular', fonts.regular);
    doc.registerFont('bold', fonts.bold);
  }
  const face = (bold: boolean) => (fonts ? (bold ? 'bold' : 'regular') : bold ? 'Helvetica-Bold' : 'Helvetica');
  const pageWidth = doc.page.width;
  const pageHeight = doc.page.height;
  const contentWidth = pageWidth - 2 * margin;
  const bottom = pageHeight - margin - 16;

  const runsOf = (text: string) => visualRuns(text, rtl);
  const measure = (text: string) => runsOf(text).reduce((sum, run) => sum + doc.widthOfString(run.text), 0);
  /** One line in the box `[x, x + width]`, at its start (or end) edge in the page's direction. */
  const line = (text: string, x: number, y: number, width: number, alignEnd = false) => {
    let cursor = alignEnd !== rtl ? x + width - measure(text) : x;
    for (const run of runsOf(text)) {
      doc.text(run.text, cursor, y, { lineBreak: false });
      cursor += doc.widthOfString(run.text);
    }
  };
  const cut = (text: string, width: number) => {
    let value = text;
    while (value.length > 1 && measure(value) > width) value = `${value.slice(0, -2)}…`;
    return value;
  };
  /** Text wrapped on spaces into the width, at most {@link maxLines} lines. */
  const wrap = (text: string, width: number): string[] => {
    const lines: string[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      let current = '';
      for (const word of paragraph.split(/\s+/).filter(Boolean)) {
        const candidate = current ? `${current} ${word}` : word;
        if (measure(candidate) <= width || !current) current = candidate;
        else {
          lines.push(current);
          current = word;
        }
      }
      lines.push(current);
    }
    if (lines.length > maxLines) lines.splice(maxLines - 1, lines.length, `${lines[maxLines - 1]} …`);
    return lines.map((text) => cut(text, width));
  };

  const total = input.columns.reduce((sum, column) => sum + weights[column.type], 0);
  const widths = input.columns.map((column) => (weights[column.type] / total) * contentWidth);
  /** The left edge of column `index`: columns run from the right in a right-to-left page. */
  const lefts = widths.map((_, index) => {
    const before = widths.slice(0, index).reduce((sum, width) => sum + width, 0);
    return rtl ? margin + contentWidth - before - widths[index]! : margin + before;
  });
  const numeric = (column: WriterColumn) => column.type !== 'text' && column.type !== 'boolean';
  const format = formatters(locale, input.timeZone);

  let page = 1;
  let y = margin;
  const footer = () => {
    doc.font(face(false)).fontSize(fontSize).fillColor('#666666');
    line(format.page(page), margin, pageHeight - margin - 8, contentWidth, true);
    doc.fillColor('#000000');
  };
  const headerRow = () => {
    doc.font(face(true)).fontSize(fontSize);
    const cells = input.columns.map((column, index) => wrap(column.label, widths[index]! - 2 * padding));
    const height = Math.max(...cells.map((lines) => lines.length)) * lineHeight + 2 * padding;
    doc.rect(margin, y, contentWidth, height).fill('#eeeeee').fillColor('#000000');
    doc.font(face(true)).fontSize(fontSize);
    cells.forEach((lines, index) =>
      lines.forEach((text, at) =>
        line(text, lefts[index]! + padding, y + padding + at * lineHeight, widths[index]! - 2 * padding, numeric(input.columns[index]!)),
      ),
    );
    y += height;
  };

  // The heading: logo, tenant, title, when.
  if (input.logo) {
    try {
      doc.image(input.logo, rtl ? pageWidth - margin - 120 : margin, y, { fit: [120, 40] });
      y += 46;
    } catch {
      // A logo pdfkit cannot read (an SVG, a WebP) is left out; the report is still written.
    }
  }
  doc.font(face(false)).fontSize(10);
  line(cut(input.tenantName, contentWidth), margin, y, contentWidth);
  y += 16;
  doc.font(face(true)).fontSize(16);
  line(cut(input.title, contentWidth), margin, y, contentWidth);
  y += 24;
  doc.font(face(false)).fontSize(fontSize).fillColor('#666666');
  line(format.datetime(input.generatedAt), margin, y, contentWidth);
  doc.fillColor('#000000');
  y += 18;
  headerRow();

  let rows = 0;
  for await (const row of input.rows) {
    doc.font(face(false)).fontSize(fontSize);
    const cells = input.columns.map((column, index) => wrap(format.cell(column, row, input.currency), widths[index]! - 2 * padding));
    const height = Math.max(...cells.map((lines) => lines.length)) * lineHeight + 2 * padding;
    if (y + height > bottom) {
      footer();
      doc.addPage();
      page += 1;
      y = margin;
      headerRow();
      doc.font(face(false)).fontSize(fontSize);
      // A page is written out as the next begins: wait here while the file's reader is behind.
      await relieve(out);
    }
    if (rows++ % 2 === 1) doc.rect(margin, y, contentWidth, height).fill('#f7f7f7').fillColor('#000000');
    cells.forEach((lines, index) =>
      lines.forEach((text, at) =>
        line(text, lefts[index]! + padding, y + padding + at * lineHeight, widths[index]! - 2 * padding, numeric(input.columns[index]!)),
      ),
    );
    y += height;
  }
  footer();
  doc.end();
  await finished;
  out.end();
};

/** Cells, the date line and page numbers in the file's language. */
function formatters(locale: string, timeZone: string) {
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 6 });
  const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const datetimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const moneys = new Map<string, Intl.NumberFormat>();
  const money = (amount: number, currency: string) => {
    let formatter = moneys.get(currency);
    if (!formatter) {
      try {
        formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
      } catch {
        formatter = numbers;
      }
      moneys.set(currency, formatter);
    }
    return formatter.format(amount);
  };
  const arabic = new Intl.Locale(locale).language === 'ar';
  return {
    page: (page: number) => (arabic ? `صفحة ${numbers.format(page)}` : `Page ${numbers.format(page)}`),
    datetime: (date: Date) => datetimes.format(date),
    cell(column: WriterColumn, row: Record<string, unknown>, currency: string): string {
      const value = row[column.key];
      switch (column.type) {
        case 'integer':
        case 'number': {
          const number = numberOf(value);
          return number === null ? '' : numbers.format(number);
        }
        case 'percent': {
          const number = numberOf(value);
          return number === null ? '' : percents.format(number / 100);
        }
        case 'money': {
          const code = currencyOf(column, row, currency);
          const amount = moneyAmount(value, code);
          return amount === null ? '' : money(amount, code);
        }
        case 'date': {
          const day = calendarDate(value, timeZone);
          return day ? dates.format(new Date(`${day}T00:00:00Z`)) : '';
        }
        case 'datetime': {
          const date = dateOf(value);
          return date ? datetimes.format(date) : '';
        }
        case 'boolean': {
          const flag = booleanOf(value);
          return flag === null ? '' : flag ? (arabic ? 'نعم' : 'Yes') : arabic ? 'لا' : 'No';
        }
        default:
          return textOf(value);
      }
    },
  };
}
