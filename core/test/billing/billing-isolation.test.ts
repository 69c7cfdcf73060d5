import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, pdfText, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { invoices, movableClock, overview, paidPlan, payOnPage } from './billing-helpers.js';

const reversed = (text: string) => [...text].reverse().join('');
const plain = (text: string) => text.normalize('NFKC');

/**
 * Invoices are the tenant's own: another tenant cannot read, pay, download or count them, by id or by naming the
 * tenant; and the host's figures (subscriptions, revenue) add up what the tenants pay.
 */
describe('billing: isolation of invoices, and the host figures', () => {
  const clock = movableClock('2026-06-10T12:00:00Z');
  let t: TestKernel;
  let payer: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let invoiceId: string;
  let plan: { id: string; key: string; name: string };

  beforeAll(async () => {
    t = await createTestKernel({ services: { clock: () => clock } });
    plan = await paidPlan(t, { prices: [{ currency: 'EUR', interval: 'year', amount: 12_000 }] });
    payer = await signUp(t, { tenant: true });
    other = await signUp(t, { tenant: true });
    admin = await signUp(t);
    await t.sql('update users set is_super_admin = true where id = $1', [admin.id]);
    await t.kernel.services.identity.forget(admin.id);
    const chosen = await t.request('POST', '/api/v1/billing/subscription', {
      headers: payer.headers,
      body: { plan: plan.key, currency: 'EUR', interval: 'year' },
    });
    expect(chosen.status).toBe(200);
    expect((await payOnPage(t, chosen.body.data.checkout_url, '4242 4242 4242 4242')).status).toBe(303);
    const [invoice] = await invoices(t, payer);
    invoiceId = invoice!.id;
  });
  afterAll(() => t.close());

  it('the paying tenant reads, downloads and lists its invoice', async () => {
    expect((await t.request('GET', `/api/v1/billing/invoices/${invoiceId}`, { headers: payer.headers })).status).toBe(200);
    const pdf = await fetch(`${t.url}/api/v1/billing/invoices/${invoiceId}/pdf`, { headers: payer.headers });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const english = pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(english).toContain('Invoice INV-');
    expect(english).toContain('€120.00');
  });

  it('writes the invoice PDF in Arabic, right to left', async () => {
    const pdf = await fetch(`${t.url}/api/v1/billing/invoices/${invoiceId}/pdf?locale=ar`, { headers: payer.headers });
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    // Visual order: each Arabic word drawn on its own, its letters reversed; presentation forms normalised.
    const text = plain(pdfText(bytes));
    for (const word of ['فاتورة', 'الحالة', 'المدفوع']) expect(text).toContain(plain(reversed(word)));
    expect(text).not.toContain('Total');
  });

  it('another tenant cannot read, download, pay or count it', async () => {
    expect(await invoices(t, other)).toEqual([]);
    const listed = await t.request('GET', '/api/v1/billing/invoices', { headers: other.headers });
    expect(listed.body.meta.pagination.total).toBe(0);
    for (const [method, path] of [
      ['GET', `/api/v1/billing/invoices/${invoiceId}`],
      ['GET', `/api/v1/billing/invoices/${invoiceId}/pdf`],
      ['POST', `/api/v1/billing/invoices/${invoiceId}/pay`],
    ] as const) {
      const answer = await t.request(method, path, { headers: other.headers });
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
    // Naming the paying tenant with another tenant's credentials: not a member.
    const named = await t.request('GET', '/api/v1/billing/invoices', { headers: { ...other.headers, 'x-tenant': payer.tenant!.slug } });
    expect(named.status).toBe(403);
    expect((await overview(t, other)).plan.key).toBe('free');
  });

  it('a member without the billing permissions can neither see nor change the billing, nor read an invoice', async () => {
    const member = await addMember(t, payer, ['member']);
    for (const [method, path, body] of [
      ['GET', '/api/v1/billing', undefined],
      ['PUT', '/api/v1/billing/details', { billing_name: 'Not mine', country: 'DE' }],
      ['POST', '/api/v1/billing/subscription', { plan: 'free' }],
      ['POST', '/api/v1/billing/subscription/cancel', undefined],
      ['POST', '/api/v1/billing/payment-method', undefined],
      ['GET', '/api/v1/billing/invoices', undefined],
      ['GET', `/api/v1/billing/invoices/${invoiceId}/pdf`, undefined],
      ['POST', `/api/v1/billing/invoices/${invoiceId}/pay`, undefined],
    ] as const) {
      const answer = await t.request(method, path, { headers: member.headers, ...(body ? { body } : {}) });
      expect([answer.status, answer.body.code], `${method} ${path}`).toEqual([403, 'forbidden']);
    }
    expect((await overview(t, payer)).details.billing_name).not.toBe('Not mine');
  });

  it('the host sees each subscription with its monthly revenue, and the revenue figures', async () => {
    const listed = await t.request('GET', `/api/v1/admin/billing/subscriptions?plan=${plan.key}`, { headers: admin.headers });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        tenant: expect.objectContaining({ id: payer.tenant!.id }),
        plan: { key: plan.key, name: plan.name },
        status: 'active',
        billing_status: 'ok',
        mrr: { currency: 'EUR', amount: 1000 },
      }),
    ]);
    const free = await t.request('GET', '/api/v1/admin/billing/subscriptions?plan=free&per_page=100', { headers: admin.headers });
    expect(free.body.data.map((row: { tenant: { id: string } }) => row.tenant.id)).toContain(other.tenant!.id);
    expect(free.body.data.find((row: { tenant: { id: string } }) => row.tenant.id === other.tenant!.id).mrr).toBeNull();

    const revenue = await t.request('GET', '/api/v1/admin/billing/revenue', { headers: admin.headers });
    expect(revenue.status).toBe(200);
    expect(revenue.body.data.mrr).toEqual([{ currency: 'EUR', amount: 1000 }]);
    expect(revenue.body.data.months).toEqual([{ month: '2026-06', currency: 'EUR', paid: 12_000 }]);
    expect(revenue.body.data.plans).toEqual(expect.arrayContaining([{ key: plan.key, name: plan.name, subscribers: 1 }]));
    expect(revenue.body.data.statuses).toEqual(expect.arrayContaining([{ status: 'active', count: 2 }]));
  });

  it('tenants cannot reach the host figures', async () => {
    expect((await t.request('GET', '/api/v1/admin/billing/revenue', { headers: payer.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/billing/subscriptions', { headers: other.headers })).status).toBe(403);
  });
});
