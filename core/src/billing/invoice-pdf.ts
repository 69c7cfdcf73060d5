import { defineMessages, pdfFonts, visualRuns } from '@plinth/sdk';
import { moneyAmount, isRtl } from '../reports/writers/cell-values.js';
import { packagedFonts } from '../reports/writers/pdf-writer.js';
import type { InvoiceRow } from './subscription-state.js';

/** The invoice's words, in English and Arabic. */
export const invoicePdfMessages = defineMessages({
  en: {
    invoice: 'Invoice {number}',
    from: 'From: {host}',
    billTo: 'Bill to: {name}',
    country: 'Country: {country}',
    taxId: 'Tax ID: {taxId}',
    issued: 'Issued: {date}',
    period: 'Period: {start} – {end}',
    status: 'Status: {status, select, paid {Paid} open {Open} void {Void} uncollectible {Uncollectible} other {Draft}}',
    subtotal: 'Subtotal',
    tax: 'Tax ({rate}%)',
    total: 'Total',
    paid: 'Amount paid',
  },
  ar: {
    invoice: 'فاتورة {number}',
    from: 'من: {host}',
    billTo: 'إلى: {name}',
    country: 'الدولة: {country}',
    taxId: 'الرقم الضريبي: {taxId}',
    issued: 'تاريخ الإصدار: {date}',
    period: 'الفترة: {start} – {end}',
    status: 'الحالة: {status, select, paid {مدفوعة} open {مستحقة} void {ملغاة} uncollectible {غير قابلة للتحصيل} other {مسودة}}',
    subtotal: 'المجموع الفرعي',
    tax: 'الضريبة ({rate}٪)',
    total: 'الإجمالي',
    paid: 'المبلغ المدفوع',
  },
});

/** Line descriptions the engine writes, in Arabic (a plan's or plugin's name stays as it is). */
const arabicLines: Record<string, string> = {
  'Credit applied': 'رصيد مستخدم',
  'Unused time on the previous plan': 'الوقت غير المستخدم من الخطة السابقة',
};

const margin = 48;

/**
 * The invoice as a PDF (A4, pdfkit): the host's name, the tenant's billing name, country and tax id, the lines,
 * subtotal, tax and total. Arabic is laid out right to left and shaped by DejaVu Sans, as the reports' PDF writer does;
 * without that font the PDF is in English with Helvetica.
 */
export async function invoicePdf(invoice: InvoiceRow, input: { hostName: string; locale: string }): Promise<Buffer> {
  const fonts = pdfFonts(packagedFonts());
  const rtl = isRtl(input.locale) && fonts?.arabic === true;
  const language = rtl ? 'ar' : 'en';
  const t = invoicePdfMessages.translator(language);
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin, info: { Title: `Invoice ${invoice.number}`, Author: input.hostName } });
  const chunks: Buffer[] = [];
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (fonts) {
    doc.registerFont('regular', fonts.regular);
    doc.registerFont('bold', fonts.bold);
  }
  const face = (bold: boolean) => (fonts ? (bold ? 'bold' : 'regular') : bold ? 'Helvetica-Bold' : 'Helvetica');
  const width = doc.page.width - 2 * margin;
  const measure = (text: string) => visualRuns(text, rtl).reduce((sum, run) => sum + doc.widthOfString(run.text), 0);
  /** One line of text at the start edge (or the end edge) of the box `[x, x + w]` in the page's direction. */
  const write = (text: string, y: number, options: { x?: number; w?: number; end?: boolean; bold?: boolean; size?: number } = {}) => {
    doc.font(face(options.bold ?? false)).fontSize(options.size ?? 10);
    const x = options.x ?? margin;
    const w = options.w ?? width;
    let cursor = (options.end ?? false) !== rtl ? x + w - measure(text) : x;
    for (const run of visualRuns(text, rtl)) {
      doc.text(run.text, cursor, y, { lineBreak: false });
      cursor += doc.widthOfString(run.text);
    }
  };
  const money = (minor: string | number) =>
    new Intl.NumberFormat(language === 'ar' ? 'ar-EG' : 'en', { style: 'currency', currency: invoice.currency }).format(
      moneyAmount(Number(minor), invoice.currency) ?? 0,
    );
  const day = (date: Date | string | null) =>
    date ? new Intl.DateTimeFormat(language === 'ar' ? 'ar-EG' : 'en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(date)) : '';

  let y = margin;
  write(t('invoice', { number: invoice.number }), y, { bold: true, size: 18 });
  y += 30;
  write(t('from', { host: input.hostName }), y);
  y += 16;
  write(t('billTo', { name: invoice.billing_name ?? '—' }), y);
  y += 16;
  if (invoice.country) {
    write(t('country', { country: invoice.country }), y);
    y += 16;
  }
  if (invoice.tax_id) {
    write(t('taxId', { taxId: invoice.tax_id }), y);
    y += 16;
  }
  write(t('issued', { date: day(invoice.issued_at) }), y);
  y += 16;
  if (invoice.period_start && invoice.period_end) {
    write(t('period', { start: day(invoice.period_start), end: day(invoice.period_end) }), y);
    y += 16;
  }
  write(t('status', { status: invoice.status }), y);
  y += 28;
  doc
    .moveTo(margin, y)
    .lineTo(margin + width, y)
    .stroke();
  y += 10;
  for (const line of invoice.lines) {
    const description = language === 'ar' ? (arabicLines[line.description] ?? line.description) : line.description;
    write(description, y, { w: width * 0.7, x: rtl ? margin + width * 0.3 : margin });
    write(money(line.amount), y, { w: width * 0.3, x: rtl ? margin : margin + width * 0.7, end: true });
    y += 18;
    if (y > doc.page.height - margin - 80) {
      doc.addPage();
      y = margin;
    }
  }
  doc
    .moveTo(margin, y)
    .lineTo(margin + width, y)
    .stroke();
  y += 10;
  const total = (label: string, amount: string | number, bold = false) => {
    write(label, y, { w: width * 0.7, x: rtl ? margin + width * 0.3 : margin, bold });
    write(money(amount), y, { w: width * 0.3, x: rtl ? margin : margin + width * 0.7, end: true, bold });
    y += 18;
  };
  total(t('subtotal'), invoice.subtotal);
  if (Number(invoice.tax) !== 0 || invoice.tax_rate !== null) total(t('tax', { rate: Number(invoice.tax_rate ?? 0) }), invoice.tax);
  total(t('total'), invoice.total, true);
  total(t('paid'), invoice.amount_paid);
  doc.end();
  return finished;
}
