import { pdfFonts, visualRuns } from '@plinth/sdk';
import { shopMailMessages } from './emails-messages.js';
import type { OrderView } from './order-views.js';

/** What an invoice says, fixed when it is issued (stored as `shop_invoices.snapshot`). */
export interface InvoiceSnapshot {
  shopName: string;
  invoiceNumber: string;
  /** ISO timestamps. */
  issuedAt: string;
  placedAt: string;
  /** The tenant's locale and time zone at issue: the invoice's language and dates. */
  locale: string;
  timeZone: string;
  orderNumber: string;
  currency: string;
  customer: { email: string; name: string | null };
  lines: { sku: string; name: string; quantity: number; unitPrice: number; total: number }[];
  subtotal: number;
  discounts: { label: string; amount: number }[];
  shipping: number;
  tax: number;
  total: number;
}

/** The snapshot of an order being invoiced now. */
export function invoiceSnapshot(input: {
  shopName: string;
  invoiceNumber: string;
  issuedAt: Date;
  locale: string;
  timeZone: string;
  order: OrderView;
}): InvoiceSnapshot {
  const { order } = input;
  return {
    shopName: input.shopName,
    invoiceNumber: input.invoiceNumber,
    issuedAt: input.issuedAt.toISOString(),
    placedAt: new Date(order.placed_at).toISOString(),
    locale: input.locale,
    timeZone: input.timeZone,
    orderNumber: order.number,
    currency: order.currency,
    customer: { email: order.customer.email, name: order.customer.name },
    lines: order.lines.map((line) => ({ sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: line.unit_price, total: line.total })),
    subtotal: order.subtotal,
    discounts: order.discounts.map((discount) => ({ label: discount.label, amount: discount.amount })),
    shipping: order.shipping,
    tax: order.tax,
    total: order.total,
  };
}

/** Amounts and dates in Latin digits: readable in every locale and laid out left to right inside a line. */
function formatters(locale: string, timeZone: string, currency: string) {
  const tag = `${locale}-u-nu-latn`;
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency });
  const digits = money.resolvedOptions().maximumFractionDigits ?? 2;
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone });
  return { money: (minor: number) => money.format(minor / 10 ** digits), date: (iso: string) => date.format(new Date(iso)) };
}

const PAGE = { width: 595.28, margin: 50 };
const CONTENT = PAGE.width - 2 * PAGE.margin;

/**
 * Renders an invoice as a PDF (A4): the shop, the invoice and order numbers and dates, the buyer, the lines, the
 * totals with tax. Arabic invoices are laid out right to left, shaped by the embedded font (DejaVu Sans, found on
 * disk: see {@link pdfFonts}); without such a font the invoice is in English with the built-in Helvetica.
 */
export async function renderInvoicePdf(invoice: InvoiceSnapshot): Promise<Buffer> {
  const fonts = pdfFonts();
  const locale = fonts?.arabic ? invoice.locale : 'en';
  const t = shopMailMessages.translator(locale);
  const rtl = shopMailMessages.language(locale) === 'ar';
  const format = formatters(locale, invoice.timeZone, invoice.currency);
  // pdfkit (and fontkit under it) loads on the first invoice, not at boot: ~20 MB no host process needs until then.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    info: { Title: t('invoice_title', { number: invoice.invoiceNumber }), Author: invoice.shopName, CreationDate: new Date(invoice.issuedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  if (fonts) {
    doc.registerFont('regular', fonts.regular);
    doc.registerFont('bold', fonts.bold);
  }
  const face = (bold: boolean) => (fonts ? (bold ? 'bold' : 'regular') : bold ? 'Helvetica-Bold' : 'Helvetica');

  /** One line of text in a box `[x, x + width]`: `start`/`end` follow the invoice's direction; too long is cut. */
  const cell = (text: string, x: number, y: number, width: number, options: { align?: 'start' | 'end'; bold?: boolean; size?: number } = {}) => {
    doc.font(face(options.bold ?? false)).fontSize(options.size ?? 10);
    let value = text;
    const runsOf = (candidate: string) => visualRuns(candidate, rtl);
    const measure = (candidate: string) => runsOf(candidate).reduce((sum, run) => sum + doc.widthOfString(run.text), 0);
    while (value.length > 1 && measure(value) > width) value = `${value.slice(0, -2)}…`;
    const total = measure(value);
    const alignEnd = (options.align ?? 'start') === 'end';
    // Start is the left edge in a left-to-right invoice and the right edge in a right-to-left one.
    let cursor = alignEnd !== rtl ? x + width - total : x;
    for (const run of runsOf(value)) {
      doc.text(run.text, cursor, y, { lineBreak: false });
      cursor += doc.widthOfString(run.text);
    }
  };
  /** Columns mirror in a right-to-left invoice: `x` is measured from the start edge. */
  const at = (x: number, width: number) => (rtl ? PAGE.margin + CONTENT - x - width : PAGE.margin + x);

  let y = PAGE.margin;
  cell(invoice.shopName, at(0, CONTENT), y, CONTENT, { bold: true, size: 18 });
  y += 30;
  cell(t('invoice_title', { number: invoice.invoiceNumber }), at(0, CONTENT), y, CONTENT, { bold: true, size: 14 });
  y += 26;
  const facts: [string, string][] = [
    [t('invoice_issued'), format.date(invoice.issuedAt)],
    [t('invoice_order'), invoice.orderNumber],
    [t('invoice_order_date'), format.date(invoice.placedAt)],
    [t('invoice_billed_to'), invoice.customer.name ?? invoice.customer.email],
    // The address on a line of its own: angle brackets around it would need mirroring in a right-to-left invoice.
    ...(invoice.customer.name ? [['', invoice.customer.email] as [string, string]] : []),
  ];
  for (const [label, value] of facts) {
    cell(label, at(0, 110), y, 110, { bold: true });
    cell(value, at(120, CONTENT - 120), y, CONTENT - 120);
    y += 16;
  }
  y += 14;

  const columns = { item: [0, 255], qty: [260, 45], unit: [310, 90], amount: [405, CONTENT - 405] } as const;
  const row = (values: [string, string, string, string], bold = false) => {
    cell(values[0], at(...columns.item), y, columns.item[1], { bold });
    cell(values[1], at(...columns.qty), y, columns.qty[1], { bold, align: 'end' });
    cell(values[2], at(...columns.unit), y, columns.unit[1], { bold, align: 'end' });
    cell(values[3], at(...columns.amount), y, columns.amount[1], { bold, align: 'end' });
    y += 18;
  };
  const rule = () => {
    doc
      .moveTo(PAGE.margin, y - 4)
      .lineTo(PAGE.margin + CONTENT, y - 4)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
  };
  row([t('col_item'), t('col_qty'), t('col_unit'), t('col_amount')], true);
  rule();
  for (const line of invoice.lines) {
    if (y > 760) {
      doc.addPage();
      y = PAGE.margin;
    }
    row([line.name, String(line.quantity), format.money(line.unitPrice), format.money(line.total)]);
  }
  rule();
  const totals: [string, number, boolean][] = [
    [t('subtotal'), invoice.subtotal, false],
    ...invoice.discounts.map((discount): [string, number, boolean] => [t('discount', { label: discount.label }), -discount.amount, false]),
    [t('shipping'), invoice.shipping, false],
    [t('tax'), invoice.tax, false],
    [t('total'), invoice.total, true],
  ];
  for (const [label, amount, bold] of totals) {
    cell(label, at(0, columns.amount[0] - 10), y, columns.amount[0] - 10, { bold, align: 'end' });
    cell(format.money(amount), at(...columns.amount), y, columns.amount[1], { bold, align: 'end' });
    y += 16;
  }
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}
