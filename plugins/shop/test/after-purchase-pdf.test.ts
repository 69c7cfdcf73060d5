import { describe, expect, it } from 'vitest';
import { renderInvoicePdf, type InvoiceSnapshot } from '../src/services/invoice-pdf.js';
import { pdfFonts, visualRuns } from '@plinth/sdk';
import { pdfText } from '@plinth/core/testing';

const reversed = (text: string) => [...text].reverse().join('');

const snapshot: InvoiceSnapshot = {
  shopName: 'Acme Trading',
  invoiceNumber: 'INV-000007',
  issuedAt: '2026-01-02T10:00:00.000Z',
  placedAt: '2026-01-01T10:00:00.000Z',
  locale: 'en',
  timeZone: 'UTC',
  orderNumber: 'SO-000003',
  currency: 'USD',
  customer: { email: 'ann@example.test', name: 'Ann Buyer' },
  lines: [{ sku: 'W-1', name: 'Widget', quantity: 2, unitPrice: 1250, total: 2500 }],
  subtotal: 2500,
  discounts: [{ label: 'Welcome', amount: 500 }],
  shipping: 300,
  tax: 460,
  total: 2760,
};

describe('bidirectional runs for PDF lines', () => {
  it('keeps a left-to-right line as one run', () => {
    expect(visualRuns('Invoice INV-1 · $25.00', false)).toEqual([{ text: 'Invoice INV-1 · $25.00', rtl: false }]);
  });

  it('orders an Arabic line right to left, word by word; a Latin word and an amount stay whole and in reading order', () => {
    expect(visualRuns('دورة Python للمبتدئين', true)).toEqual([
      { text: 'للمبتدئين', rtl: true },
      { text: ' ', rtl: true },
      { text: 'Python', rtl: false },
      { text: ' ', rtl: true },
      { text: 'دورة', rtl: true },
    ]);
    expect(visualRuns('\u200f25.00 US$', true)).toEqual([{ text: '25.00 US$', rtl: false }]);
    expect(visualRuns('Blue mug دورة', false)).toEqual([
      { text: 'Blue mug ', rtl: false },
      { text: 'دورة', rtl: true },
    ]);
  });
});

describe('the PDF invoice', () => {
  it('says who sells what to whom, with dates, lines, discount, shipping, tax and total; the same snapshot gives the same bytes', async () => {
    const pdf = await renderInvoicePdf(snapshot);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf).split('\n');
    for (const expected of [
      'Acme Trading',
      'Invoice INV-000007',
      'Jan 2, 2026',
      'SO-000003',
      'Jan 1, 2026',
      'Ann Buyer',
      'ann@example.test',
      'Widget',
      '$12.50',
      '$25.00',
    ])
      expect(text).toContain(expected);
    expect(text.join('|')).toContain('Discount: Welcome|-$5.00|Shipping|$3.00|Tax|$4.60|Total|$27.60');
    expect((await renderInvoicePdf(snapshot)).equals(pdf)).toBe(true);
  });

  it('renders an Arabic invoice right to left in an embedded font with Arabic glyphs', async () => {
    expect(pdfFonts()?.arabic, 'a font with Arabic glyphs (DejaVu Sans) is installed').toBe(true);
    const pdf = await renderInvoicePdf({ ...snapshot, locale: 'ar-EG', shopName: 'متجر النور', lines: [{ ...snapshot.lines[0]!, name: 'دورة Python' }] });
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    const text = pdfText(pdf).split('\n').join('');
    // Drawn in visual order: Arabic reads reversed (right to left on the page); Latin text and amounts read as written.
    expect(text).toContain(reversed('متجر النور'));
    expect(text).toContain(reversed('الشحن'));
    expect(text).toContain(`Python ${reversed('دورة')}`);
    expect(text).toContain('INV-000007');
    expect(text).toMatch(/27\.60\sUS\$/);
    expect(text).toContain(reversed('الضريبة'));
    expect(text).toMatch(/-5\.00\sUS\$/);
  });
});
