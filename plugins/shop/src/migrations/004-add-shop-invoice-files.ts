import { defineMigration } from '@plinth/sdk';

/**
 * An invoice is rendered once, when it is issued, and kept as a stored file (core's `files`, private, owned by the
 * invoice): `file_id` names it. Until the `shop.invoice.store` job has stored it, `pending_html` holds the rendered
 * bytes, so the invoice is fixed from the moment it is numbered. Invoices issued before this migration have
 * neither and are rendered on demand. No foreign key: the file rows are core's.
 */
export const addShopInvoiceFiles = defineMigration({
  name: '004-add-shop-invoice-files',
  async up({ db }) {
    await db.raw('alter table shop_invoices add column file_id uuid, add column pending_html text');
  },
  async down({ db }) {
    await db.raw('alter table shop_invoices drop column pending_html, drop column file_id');
  },
});
