import { defineMigration } from '@plinth/sdk';

/**
 * Invoices become PDF documents. What an invoice says is fixed when it is issued, as `snapshot` (the shop's name,
 * the order and its lines, the locale): the `shop.invoice.store` job renders the PDF from it and stores the file,
 * receipts attach the same rendering. Rows issued before keep `pending_html` and their HTML file.
 */
export const addShopInvoicePdf = defineMigration({
  name: '006-add-shop-invoice-pdf',
  async up({ db }) {
    await db.raw('alter table shop_invoices add column snapshot jsonb');
  },
  async down({ db }) {
    await db.raw('alter table shop_invoices drop column snapshot');
  },
});
