import { Readable } from 'node:stream';
import { NotFoundError, type RawReply, Reply } from '@plinth/sdk';
import type { Deps, Scope } from '../deps.js';
import { formatNumber, nextNumber } from './counters.js';
import { invoiceSnapshot, renderInvoicePdf, type InvoiceSnapshot } from './invoice-pdf.js';
import { loadOrder } from './order-views.js';

/** What the shop stores as an invoice: its PDFs, and the HTML of invoices issued before invoices were PDFs. */
const invoiceTypes = ['application/pdf', 'text/html'];

/**
 * Issues the invoice of an order being paid, in the transition's transaction: the next number (no gaps: see
 * {@link nextNumber}) and what the invoice says, fixed now as its snapshot (the shop's name, the order, the locale),
 * so that a later rename or product edit never changes it. The `shop.invoice.store` job renders the PDF from the
 * snapshot and stores it as a file: rendering and storing are kept out of this transaction, which holds the
 * tenant's invoice counter (every other payment waits for it) and runs inside payment handling (a refused store,
 * a full quota, must never lose a payment).
 */
export async function issueInvoice(scope: Scope, orderId: string): Promise<string> {
  const { deps, settings, tenant } = scope;
  const sequence = await nextNumber(deps.db, 'invoice');
  const number = formatNumber(settings.invoice_prefix, sequence);
  const order = await loadOrder(deps.db, orderId);
  const [invoice] = await deps.db.query<{ id: string; issued_at: Date }>(
    'insert into shop_invoices (order_id, sequence, number) values ($1, $2, $3) returning id, issued_at',
    [orderId, sequence, number],
  );
  const snapshot = invoiceSnapshot({
    shopName: tenant.name,
    invoiceNumber: number,
    issuedAt: invoice!.issued_at,
    locale: tenant.locale,
    timeZone: tenant.timeZone,
    order: order!,
  });
  await deps.db.query('update shop_invoices set snapshot = $2 where id = $1', [invoice!.id, JSON.stringify(snapshot)]);
  await deps.jobs.enqueue('shop.invoice.store', { invoiceId: invoice!.id }, { key: invoice!.id });
  return number;
}

/**
 * Stores an issued invoice as a private file owned by the invoice: the PDF rendered from its snapshot (or, for an
 * invoice issued as HTML before, those bytes, which the row then forgets). The `shop.invoice.store` job.
 * Idempotent: an invoice already stored, or gone, is left alone. The file is stored unattached and attached in this
 * transaction, so a run that fails after storing leaves an orphan core sweeps, never a second kept copy; a failed
 * store throws and the job is retried, the invoice being rendered from its snapshot meanwhile.
 */
export async function storeInvoiceFile(deps: Pick<Deps, 'db' | 'files'>, invoiceId: string): Promise<void> {
  const [invoice] = await deps.db.query<{ number: string; pending_html: string | null; snapshot: InvoiceSnapshot | null; file_id: string | null }>(
    'select number, pending_html, snapshot, file_id from shop_invoices where id = $1 for update',
    [invoiceId],
  );
  if (!invoice || invoice.file_id || (invoice.pending_html === null && invoice.snapshot === null)) return;
  const pdf = invoice.snapshot !== null;
  const bytes = pdf ? await renderInvoicePdf(invoice.snapshot!) : Buffer.from(invoice.pending_html!, 'utf8');
  const file = await deps.files.store({
    body: Readable.from([bytes]),
    name: invoiceFileName(invoice.number, pdf ? 'pdf' : 'html'),
    visibility: 'private',
    allowedTypes: invoiceTypes,
  });
  await deps.files.attach(file.id, invoiceId);
  await deps.db.query('update shop_invoices set file_id = $2, pending_html = null, updated_at = now() where id = $1', [invoiceId, file.id]);
}

/** `invoice-INV-000042.pdf`: the stored file's name, also offered to a browser that saves it. */
export function invoiceFileName(number: string, extension: 'pdf' | 'html' = 'pdf'): string {
  return `invoice-${number}.${extension}`;
}

/** An order's invoice as served: its number, its bytes exactly as issued, their type and file name. */
export interface InvoiceDocument {
  number: string;
  contentType: 'application/pdf' | 'text/html; charset=utf-8';
  body: Buffer;
  fileName: string;
}

/**
 * The invoice of an order: the stored file's bytes, or the PDF rendered from its snapshot while it waits to be
 * stored (or the HTML of an invoice issued as HTML before); an invoice issued before invoices were fixed at issue
 * (none of these) is rendered now from the order. 404 for an unknown order or one not paid yet. The file is read
 * whole: an invoice is a few kilobytes, and a missing object fails before any header is sent.
 */
export async function loadInvoice(deps: Pick<Deps, 'db' | 'files'>, scope: Pick<Scope, 'tenant'>, orderId: string): Promise<InvoiceDocument> {
  const [row] = await deps.db.query<{
    number: string | null;
    issued_at: Date | null;
    file_id: string | null;
    pending_html: string | null;
    snapshot: InvoiceSnapshot | null;
  }>(
    `select i.number, i.issued_at, i.file_id, i.pending_html, i.snapshot
       from shop_orders o left join shop_invoices i on i.order_id = o.id where o.id = $1`,
    [orderId],
  );
  if (!row) throw new NotFoundError('Order not found');
  if (row.number === null) throw new NotFoundError('This order has no invoice yet (it is issued on payment)');
  const pdf = (body: Buffer): InvoiceDocument => ({ number: row.number!, contentType: 'application/pdf', body, fileName: invoiceFileName(row.number!) });
  if (row.file_id) {
    const file = await deps.files.get(row.file_id);
    const body = await readAll(await deps.files.open(row.file_id));
    if (file?.contentType === 'application/pdf') return pdf(body);
    return { number: row.number, contentType: 'text/html; charset=utf-8', body, fileName: invoiceFileName(row.number, 'html') };
  }
  if (row.snapshot) return pdf(await renderInvoicePdf(row.snapshot));
  if (row.pending_html !== null) {
    return {
      number: row.number,
      contentType: 'text/html; charset=utf-8',
      body: Buffer.from(row.pending_html, 'utf8'),
      fileName: invoiceFileName(row.number, 'html'),
    };
  }
  const order = await loadOrder(deps.db, orderId);
  const { tenant } = scope;
  const snapshot = invoiceSnapshot({
    shopName: tenant.name,
    invoiceNumber: row.number,
    issuedAt: row.issued_at!,
    locale: tenant.locale,
    timeZone: tenant.timeZone,
    order: order!,
  });
  return pdf(await renderInvoicePdf(snapshot));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The invoice as a download: inline, under a header-safe name (the prefix is the owner's text), nothing active. */
export function invoiceReply(invoice: InvoiceDocument): RawReply {
  return Reply.raw(invoice.body, {
    contentType: invoice.contentType,
    headers: {
      'content-disposition': `inline; filename="${invoice.fileName.replace(/[^\w.-]/g, '_')}"`,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}
