import { Readable } from 'node:stream';
import { NotFoundError } from '@plinth/sdk';
import type { Deps, Scope } from '../deps.js';
import { formatNumber, nextNumber } from './counters.js';
import { renderInvoice } from './invoice-html.js';
import { loadOrder } from './order-views.js';

/** Only what the shop renders itself is stored as an invoice: HTML, sniffed from the bytes by core. */
const invoiceTypes = ['text/html'];

/**
 * Issues the invoice of an order being paid, in the transition's transaction: the next number (no gaps: see
 * {@link nextNumber}) and the HTML rendered now, with the shop's name and the order as they are at this moment, so
 * that a later rename or product edit never changes it. The bytes wait in `pending_html` for the
 * `shop.invoice.store` job to store them as a file: storing is I/O to the object store, kept out of this transaction,
 * which holds the tenant's invoice counter (every other payment waits for it) and runs inside payment handling
 * (a refused store, a full quota, must never lose a payment).
 */
export async function issueInvoice(scope: Scope, orderId: string): Promise<void> {
  const { deps, settings, tenant } = scope;
  const sequence = await nextNumber(deps.db, 'invoice');
  const number = formatNumber(settings.invoice_prefix, sequence);
  const order = await loadOrder(deps.db, orderId);
  const [invoice] = await deps.db.query<{ id: string; issued_at: Date }>(
    'insert into shop_invoices (order_id, sequence, number) values ($1, $2, $3) returning id, issued_at',
    [orderId, sequence, number],
  );
  const html = renderInvoice({ shopName: tenant.name, invoiceNumber: number, issuedAt: invoice!.issued_at, order: order! });
  await deps.db.query('update shop_invoices set pending_html = $2 where id = $1', [invoice!.id, html]);
  await deps.jobs.enqueue('shop.invoice.store', { invoiceId: invoice!.id }, { key: invoice!.id });
}

/**
 * Stores an issued invoice's rendered bytes as a private file owned by the invoice, and forgets them in the row
 * (the `shop.invoice.store` job). Idempotent: an invoice already stored, or gone, is left alone. The file is stored
 * unattached and attached in this transaction, so a run that fails after storing leaves an orphan core sweeps, never
 * a second kept copy; a failed store throws and the job is retried, the invoice being served from its row meanwhile.
 */
export async function storeInvoiceFile(deps: Pick<Deps, 'db' | 'files'>, invoiceId: string): Promise<void> {
  const [invoice] = await deps.db.query<{ number: string; pending_html: string | null; file_id: string | null }>(
    'select number, pending_html, file_id from shop_invoices where id = $1 for update',
    [invoiceId],
  );
  if (!invoice || invoice.file_id || invoice.pending_html === null) return;
  const file = await deps.files.store({
    body: Readable.from([Buffer.from(invoice.pending_html, 'utf8')]),
    name: invoiceFileName(invoice.number),
    visibility: 'private',
    allowedTypes: invoiceTypes,
  });
  await deps.files.attach(file.id, invoiceId);
  await deps.db.query('update shop_invoices set file_id = $2, pending_html = null, updated_at = now() where id = $1', [invoiceId, file.id]);
}

/** `invoice-INV-000042.html`: the stored file's name, also offered to a browser that saves it. */
export function invoiceFileName(number: string): string {
  return `invoice-${number}.html`;
}

/** An order's invoice as served: its number and its HTML, exactly as issued. */
export interface InvoiceDocument {
  number: string;
  html: Buffer | string;
}

/**
 * The invoice of an order: the stored file's bytes, or the rendered bytes still waiting to be stored; an invoice
 * issued before invoices were stored (neither) is rendered now, as it always was. 404 for an unknown order or one
 * not paid yet. The file is read whole: an invoice is a few kilobytes, and a missing object fails before any
 * header is sent.
 */
export async function loadInvoice(deps: Pick<Deps, 'db' | 'files'>, tenantName: string, orderId: string): Promise<InvoiceDocument> {
  const [row] = await deps.db.query<{ number: string | null; issued_at: Date | null; file_id: string | null; pending_html: string | null }>(
    `select i.number, i.issued_at, i.file_id, i.pending_html
       from shop_orders o left join shop_invoices i on i.order_id = o.id where o.id = $1`,
    [orderId],
  );
  if (!row) throw new NotFoundError('Order not found');
  if (row.number === null) throw new NotFoundError('This order has no invoice yet (it is issued on payment)');
  if (row.file_id) return { number: row.number, html: await readAll(await deps.files.open(row.file_id)) };
  if (row.pending_html !== null) return { number: row.number, html: row.pending_html };
  const order = await loadOrder(deps.db, orderId);
  return { number: row.number, html: renderInvoice({ shopName: tenantName, invoiceNumber: row.number, issuedAt: row.issued_at!, order: order! }) };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
