import { createHash } from 'node:crypto';
import { pdfText, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, eventually, GOOD_CARD, shopApi, shopKernel } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;

beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [owner, other] = kit.owners as [TestUser, TestUser];
});
afterAll(() => t?.close());

interface InvoiceRow {
  id: string;
  number: string;
  file_id: string | null;
  pending_html: string | null;
  snapshot: { shopName: string } | null;
}

async function invoiceOf(orderId: string): Promise<InvoiceRow> {
  const [row] = await t.sql<InvoiceRow>('select id, number, file_id, pending_html, snapshot from shop_invoices where order_id = $1', [orderId]);
  return row!;
}

/** The invoice as served to staff: status, headers and the exact bytes. */
async function served(user: TestUser, orderId: string) {
  const response = await fetch(`${t.url}/api/v1/shop/orders/${orderId}/invoice`, { headers: user.headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** What the served invoice says. */
async function invoiceText(user: TestUser, orderId: string): Promise<string> {
  const invoice = await served(user, orderId);
  expect(invoice.status).toBe(200);
  return pdfText(invoice.bytes);
}

/** The invoice once its file is stored (the `shop.invoice.store` job ran). */
function storedInvoiceOf(orderId: string): Promise<InvoiceRow> {
  return eventually(async () => {
    const row = await invoiceOf(orderId);
    return row?.file_id ? row : undefined;
  });
}

async function fileRow(id: string) {
  const [row] = await t.sql<{
    owner_plugin: string;
    owner_id: string | null;
    visibility: string;
    content_type: string;
    name: string;
    checksum: string;
    storage_key: string;
    attached_at: Date | null;
  }>('select owner_plugin, owner_id, visibility, content_type, name, checksum, storage_key, attached_at from files where id = $1', [id]);
  return row;
}

/** Places an order and pays it through the test gateway and its webhook (the invoice is issued in a payment handler). */
async function paidThroughGateway(user: TestUser, variantId: string): Promise<string> {
  const api = shopApi(t, user);
  const placed = await api('POST', '/orders', {
    customer: { email: 'buyer@example.test', name: 'Bea Buyer' },
    items: [{ variant_id: variantId, quantity: 1 }],
  });
  expect(placed.status).toBe(201);
  const checkout = await api('POST', `/orders/${placed.body.data.id}/checkout`);
  const confirmed = await t.request('POST', `/api/v1/payments/intents/${checkout.body.data.payment_intent.id}/confirm`, {
    headers: user.headers,
    body: { payment_method: GOOD_CARD },
  });
  expect(confirmed.status).toBe(200);
  await eventually(async () => {
    await t.drainJobs();
    await t.drainEvents();
    return (await api('GET', `/orders/${placed.body.data.id}`)).body.data.status === 'paid';
  });
  return placed.body.data.id;
}

/** Places a free order: checking it out marks it paid at once, in the request (no payment to wait for). */
async function paidFree(user: TestUser, variantId: string): Promise<string> {
  const api = shopApi(t, user);
  const placed = await api('POST', '/orders', { customer: { email: 'free@example.test' }, items: [{ variant_id: variantId, quantity: 1 }] });
  expect(placed.status).toBe(201);
  expect((await api('POST', `/orders/${placed.body.data.id}/checkout`)).status).toBe(200);
  expect((await api('GET', `/orders/${placed.body.data.id}`)).body.data.status).toBe('paid');
  return placed.body.data.id;
}

const rename = async (user: TestUser, name: string) => {
  const response = await t.request('PATCH', '/api/v1/tenant', { headers: user.headers, body: { name } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
};

async function superAdmin(): Promise<TestUser> {
  const admin = await signUp(t);
  await t.sql('update users set is_super_admin = true where id = $1', [admin.id]);
  await t.kernel.services.identity.forget(admin.id);
  return admin;
}

async function objectKeysOf(tenantId: string, fileId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of t.kernel.services.storage.list(`t/${tenantId}/`)) if (object.key.includes(fileId)) keys.push(object.key);
  return keys;
}

describe('an invoice is a stored file, fixed when issued', () => {
  it('stores the invoice issued at payment as a private PDF file of the invoice, and serves exactly those bytes', async () => {
    const product = await createProduct(t, owner, { price: 4200, stock: 5 });
    const orderId = await paidThroughGateway(owner, product.variantId);
    const invoice = await storedInvoiceOf(orderId);
    expect(invoice.pending_html).toBeNull();
    const file = await fileRow(invoice.file_id!);
    expect(file).toMatchObject({
      owner_plugin: 'shop',
      owner_id: invoice.id,
      visibility: 'private',
      content_type: 'application/pdf',
      name: `invoice-${invoice.number}.pdf`,
      attached_at: expect.any(Date),
    });

    const response = await served(owner, orderId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="invoice-${invoice.number}.pdf"`);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(createHash('sha256').update(response.bytes).digest('hex')).toBe(file!.checksum);
    const text = pdfText(response.bytes);
    expect(text).toContain(`Invoice ${invoice.number}`);
    expect(text).toContain('$42.00');
    // Private and the shop's: only through the shop's route (`shop.orders.view`), not by its public URL, not through
    // core's file routes, not by another tenant.
    expect((await t.request('GET', `/api/v1/files/public/${owner.tenant!.id}/${invoice.file_id}`)).status).toBe(404);
    expect((await t.request('GET', `/api/v1/files/${invoice.file_id}/content`, { headers: owner.headers })).status).toBe(404);
    expect((await shopApi(t, other)('GET', `/orders/${orderId}/invoice`)).status).toBe(404);
  });

  it('keeps the issued invoice after the shop is renamed and the product edited; a new order shows the new name', async () => {
    await rename(owner, 'Old Name Trading');
    const product = await createProduct(t, owner, { price: 0, stock: 5, name: 'Original widget' });
    const first = await paidFree(owner, product.variantId);
    const issued = await invoiceText(owner, first);
    expect(issued).toContain('Old Name Trading');
    await storedInvoiceOf(first);

    await rename(owner, 'New Name Holdings');
    expect((await shopApi(t, owner)('PATCH', `/products/${product.productId}`, { name: 'Renamed widget' })).status).toBe(200);
    const later = await invoiceText(owner, first);
    expect(later).toBe(issued);
    expect(later).not.toContain('New Name Holdings');

    const second = await paidFree(owner, product.variantId);
    const fresh = await invoiceText(owner, second);
    expect(fresh).toContain('New Name Holdings');
    expect(fresh).not.toContain('Old Name Trading');
    expect(fresh).toContain('Renamed widget');
    expect(issued).toContain('Original widget');
  });

  it('a refused store loses neither the payment nor the invoice: served as issued meanwhile, stored once the quota allows', async () => {
    const admin = await superAdmin();
    const quota = (bytes: number) =>
      t.request('PUT', `/api/v1/admin/tenants/${other.tenant!.id}/quotas`, { headers: admin.headers, body: { storage_bytes: bytes } });
    expect((await quota(100)).status).toBe(200);
    await rename(other, 'Quota Shop Before');
    const product = await createProduct(t, other, { price: 1500, stock: 5 });

    const orderId = await paidThroughGateway(other, product.variantId);
    const failed = await eventually(async () => {
      const jobs = await t.request('GET', '/api/v1/jobs?name=shop.invoice.store&state=failed', { headers: other.headers });
      return jobs.body.data[0];
    });
    expect(failed.fail_reason).toMatch(/quota/i);
    const pending = await invoiceOf(orderId);
    expect(pending).toMatchObject({ file_id: null, snapshot: expect.objectContaining({ shopName: 'Quota Shop Before' }) });

    await rename(other, 'Quota Shop After');
    const meanwhile = (await served(other, orderId)).bytes;
    expect(pdfText(meanwhile)).toContain('Quota Shop Before');

    expect((await quota(10_000_000)).status).toBe(200);
    const stored = await eventually(async () => (await invoiceOf(orderId)).file_id, 30_000);
    const after = (await served(other, orderId)).bytes;
    // Rendered from the same snapshot: the very bytes served meanwhile.
    expect(after.equals(meanwhile)).toBe(true);
    expect(await t.sql('select 1 from files where owner_plugin = $1 and owner_id = $2', ['shop', pending.id])).toHaveLength(1);
    expect((await fileRow(stored))!.checksum).toBe(createHash('sha256').update(after).digest('hex'));
  });

  it('renders on demand an invoice issued before invoices were stored (no file, no pending bytes)', async () => {
    const product = await createProduct(t, owner, { price: 0, stock: 5 });
    const orderId = await paidFree(owner, product.variantId);
    const invoice = await storedInvoiceOf(orderId);
    // As the migration leaves an invoice issued before it.
    await t.sql('update shop_invoices set file_id = null, pending_html = null, snapshot = null where id = $1', [invoice.id]);
    await rename(owner, 'Legacy Era Shop');
    const text = await invoiceText(owner, orderId);
    expect(text).toContain(`Invoice ${invoice.number}`);
    expect(text).toContain('Legacy Era Shop');
  });

  it('serves an invoice issued as HTML before invoices were PDFs exactly as it was issued', async () => {
    const product = await createProduct(t, owner, { price: 0, stock: 5 });
    const orderId = await paidFree(owner, product.variantId);
    const invoice = await storedInvoiceOf(orderId);
    // As an invoice issued as HTML, not yet stored, is left by the PDF migration.
    const html = `<!doctype html><html><body><h1>Invoice ${invoice.number}</h1></body></html>`;
    await t.sql('update shop_invoices set file_id = null, snapshot = null, pending_html = $2 where id = $1', [invoice.id, html]);
    const meanwhile = await served(owner, orderId);
    expect(meanwhile.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(meanwhile.headers.get('content-disposition')).toBe(`inline; filename="invoice-${invoice.number}.html"`);
    expect(meanwhile.bytes.toString('utf8')).toBe(html);
  });

  it("purging the shop's data removes its invoice files, rows and objects, of that tenant only", async () => {
    const purgedTenant = await signUp(t, { tenant: true });
    await t.enable(purgedTenant, 'shop');
    const product = await createProduct(t, purgedTenant, { price: 0, stock: 5 });
    const purgedInvoice = await storedInvoiceOf(await paidFree(purgedTenant, product.variantId));
    const keptProduct = await createProduct(t, owner, { price: 0, stock: 5 });
    const keptOrder = await paidFree(owner, keptProduct.variantId);
    const keptInvoice = await storedInvoiceOf(keptOrder);
    expect(await objectKeysOf(purgedTenant.tenant!.id, purgedInvoice.file_id!)).toHaveLength(1);

    expect((await t.request('POST', '/api/v1/marketplace/shop/disable', { headers: purgedTenant.headers })).status).toBe(200);
    const purge = await t.request('DELETE', '/api/v1/marketplace/shop/data?confirm=shop', { headers: purgedTenant.headers });
    expect(purge.status, JSON.stringify(purge.body)).toBe(204);
    expect(await fileRow(purgedInvoice.file_id!)).toBeUndefined();
    expect(await objectKeysOf(purgedTenant.tenant!.id, purgedInvoice.file_id!)).toEqual([]);

    expect(await fileRow(keptInvoice.file_id!)).toMatchObject({ owner_plugin: 'shop' });
    expect((await shopApi(t, owner)('GET', `/orders/${keptOrder}/invoice`)).status).toBe(200);
  });

  it('runs its migrations down and up again', async () => {
    await t.checkMigrations('shop');
  });
});
