import { addMember, pdfText, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../src/index.js';
import { guestPaidOrder, mailsTo, redeem, signInLinks } from './after-purchase-helpers.js';
import { accessTapPlugin } from './fixtures/access-tap-plugin.js';
import { createProduct, eventsNamed, shopApi, shopKernel, shopTenant } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let slug: string;

beforeAll(async () => {
  const kit = await shopKernel(1, [accessTapPlugin]);
  t = kit.t;
  owner = kit.owners[0]!;
  slug = owner.tenant!.slug;
  await t.enable(owner, 'shop-access-friend');
});
afterAll(() => t?.close());

let emailCounter = 0;
const newEmail = (name: string) => `${name}-${process.pid}-${++emailCounter}@example.test`;

async function usersWithEmail(email: string) {
  return t.sql<{ id: string }>('select id from users where lower(email) = lower($1)', [email]);
}

async function membershipKind(userId: string, tenantId: string): Promise<string | undefined> {
  const [row] = await t.sql<{ kind: string }>('select kind from memberships where user_id = $1 and tenant_id = $2', [userId, tenantId]);
  return row?.kind;
}

async function paidEventOf(orderId: string): Promise<OrderEvent> {
  const events = (await eventsNamed<OrderEvent>(t, owner.tenant!.id, 'shop.order.paid')).filter((event) => event.orderId === orderId);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('after a guest pays', () => {
  it('the buyer becomes a customer: account and membership, the paid event names them, the receipt carries the PDF and links', async () => {
    const course = await createProduct(t, owner, { price: 2500, metadata: { course: 'Algebra' }, name: 'Algebra course' });
    const email = newEmail('guest');
    expect(await usersWithEmail(email)).toHaveLength(0);
    const orderId = await guestPaidOrder(t, owner, { email, name: 'Gia Guest' }, [{ variant_id: course.variantId, quantity: 1 }]);

    const [user] = await usersWithEmail(email);
    expect(user).toBeDefined();
    expect(await membershipKind(user!.id, owner.tenant!.id)).toBe('customer');
    expect((await paidEventOf(orderId)).customer.userId).toBe(user!.id);
    expect((await shopApi(t, owner)('GET', `/orders/${orderId}`)).body.data.customer.user_id).toBe(user!.id);

    const [receipt, ...more] = await mailsTo(t, email, 'receipt');
    expect(more).toHaveLength(0);
    expect(receipt!.subject).toMatch(/^Your receipt for order SO-/);
    expect(receipt!.text).toContain('Hello Gia Guest,');
    expect(receipt!.text).toContain('$25.00');
    expect(receipt!.html).toContain('Algebra course');
    const [pdf] = receipt!.attachments;
    expect(pdf).toMatchObject({ contentType: 'application/pdf', filename: expect.stringMatching(/^invoice-INV-\d+\.pdf$/) });
    expect(pdf!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The tap's course link, wrapped in a sign-in link that lands on the learning page; the link off the tenant's
    // pages is dropped.
    const links = signInLinks(receipt!);
    expect([...links.keys()]).toEqual(['Start Algebra', 'All your orders']);
    expect(receipt!.text).not.toContain('evil.example');
    const start = links.get('Start Algebra')!;
    expect(start.pathname).toBe(`/c/${slug}/account/link`);
    const landed = await fetch(`${t.url}${start.pathname}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
      body: new URLSearchParams({ token: start.searchParams.get('token')! }).toString(),
    });
    expect(landed.status).toBe(303);
    expect(new URL(landed.headers.get('location')!, t.url).pathname).toBe(`/c/${slug}/learn/${course.productId}`);

    // The receipt page of the order, by its public token.
    const [{ public_token: token }] = (await t.sql<{ public_token: string }>('select public_token from shop_orders where id = $1', [orderId])) as [
      { public_token: string },
    ];
    expect(receipt!.text).toMatch(new RegExp(`View your receipt: https?://\\S+/c/${slug}/orders/${token}\\n`));

    // The invoice is stored as a PDF file, and the staff (the owner) are told.
    const [invoice] = await t.sql<{ content_type: string }>(
      'select f.content_type from shop_invoices i join files f on f.id = i.file_id where i.order_id = $1',
      [orderId],
    );
    expect(invoice?.content_type).toBe('application/pdf');
    const [notice] = await mailsTo(t, owner.email, 'New paid order');
    expect(notice!.text).toContain(email);
  });

  it('the same email buying again keeps its one account (any letter case)', async () => {
    const product = await createProduct(t, owner, { price: 700 });
    const email = newEmail('returning');
    const first = await guestPaidOrder(t, owner, { email }, [{ variant_id: product.variantId, quantity: 1 }]);
    const second = await guestPaidOrder(t, owner, { email: email.toUpperCase() }, [{ variant_id: product.variantId, quantity: 2 }]);
    const users = await usersWithEmail(email);
    expect(users).toHaveLength(1);
    expect((await paidEventOf(first)).customer.userId).toBe(users[0]!.id);
    expect((await paidEventOf(second)).customer.userId).toBe(users[0]!.id);
    expect(await mailsTo(t, email, 'receipt')).toHaveLength(2);
  });

  it("a staff member's email stays staff: same user, kind unchanged, still gets the receipt and its links", async () => {
    const member = await addMember(t, owner, ['member']);
    const course = await createProduct(t, owner, { price: 1200, metadata: { course: 'Staff training' } });
    const orderId = await guestPaidOrder(t, owner, { email: member.email }, [{ variant_id: course.variantId, quantity: 1 }]);
    expect(await membershipKind(member.id, owner.tenant!.id)).toBe('staff');
    expect(await usersWithEmail(member.email)).toHaveLength(1);
    expect((await paidEventOf(orderId)).customer.userId).toBe(member.id);
    const [receipt] = await mailsTo(t, member.email, 'receipt');
    const signedIn = await redeem(t, signInLinks(receipt!).get('Start Staff training')!, slug);
    expect(signedIn.userId).toBe(member.id);
  });

  it('two orders of one new buyer paid at the same moment make one account', async () => {
    const free = await createProduct(t, owner, { price: 0 });
    const email = newEmail('concurrent');
    const api = shopApi(t, owner);
    const orders = await Promise.all(
      [1, 2].map(
        async () => (await api('POST', '/orders', { customer: { email }, items: [{ variant_id: free.variantId, quantity: 1 }] })).body.data.id as string,
      ),
    );
    // A free order is paid in the checkout request itself: both payments run at once.
    const checkouts = await Promise.all(orders.map((id) => api('POST', `/orders/${id}/checkout`)));
    expect(checkouts.map((response) => response.status)).toEqual([200, 200]);
    const users = await usersWithEmail(email);
    expect(users).toHaveLength(1);
    for (const id of orders) expect((await paidEventOf(id)).customer.userId).toBe(users[0]!.id);
    await t.drainJobs();
    expect(await mailsTo(t, email, 'receipt')).toHaveLength(2);
  });

  it('a redelivered payment event changes nothing and mails nothing more', async () => {
    const product = await createProduct(t, owner, { price: 900 });
    const email = newEmail('redelivered');
    const orderId = await guestPaidOrder(t, owner, { email }, [{ variant_id: product.variantId, quantity: 1 }]);
    const before = { buyer: (await t.mailbox(email)).length, staff: (await t.mailbox(owner.email)).length };
    expect(before.buyer).toBe(1);
    const [{ payment_intent_id: intentId }] = (await t.sql<{ payment_intent_id: string }>('select payment_intent_id from shop_orders where id = $1', [
      orderId,
    ])) as [{ payment_intent_id: string }];
    await t.sql(
      `insert into plinth_events (tenant_id, name, payload, emitted_by, enqueued_at)
         select tenant_id, name, payload, emitted_by, now() from plinth_events
          where tenant_id = $1 and name = 'payments.payment.succeeded' and payload->>'intentId' = $2`,
      [owner.tenant!.id, intentId],
    );
    expect((await t.drainEvents()).failed).toBe(0);
    await t.drainJobs();
    expect(
      await eventsNamed(t, owner.tenant!.id, 'shop.order.paid').then((events) => events.filter((e) => (e as { orderId: string }).orderId === orderId)),
    ).toHaveLength(1);
    expect((await t.mailbox(email)).length).toBe(before.buyer);
    expect((await t.mailbox(owner.email)).length).toBe(before.staff);
    expect(await t.sql('select 1 from shop_invoices where order_id = $1', [orderId])).toHaveLength(1);
  });
});

describe('in the tenant’s language', () => {
  it('an Arabic shop mails an Arabic receipt (right to left) with an Arabic PDF invoice', async () => {
    const arabic = await shopTenant(t);
    const patched = await t.request('PATCH', '/api/v1/tenant', { headers: arabic.headers, body: { locale: 'ar-EG', name: 'متجر النور' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const product = await createProduct(t, arabic, { price: 5000, name: 'دورة الخط العربي' });
    const email = newEmail('arabic');
    await guestPaidOrder(t, arabic, { email, name: 'سارة' }, [{ variant_id: product.variantId, quantity: 1 }]);
    const [receipt] = await mailsTo(t, email, 'إيصال الطلب');
    expect(receipt!.text).toContain('مرحبًا سارة،');
    expect(receipt!.text).toContain('شكرًا لشرائك من متجر النور');
    expect(receipt!.html).toContain('<html lang="ar-EG" dir="rtl">');
    // Drawn right to left: the text comes out of the PDF in visual order, reversed.
    const invoice = pdfText(receipt!.attachments[0]!.content).split('\n').join('');
    expect(invoice).toContain([...'المجموع الفرعي'].reverse().join(''));
    expect(invoice).toContain([...'متجر النور'].reverse().join(''));
  });
});

describe('refunds', () => {
  it('mails the buyer the amount refunded and the lines', async () => {
    const product = await createProduct(t, owner, { price: 1500, name: 'Blue mug' });
    const email = newEmail('refunded');
    const orderId = await guestPaidOrder(t, owner, { email }, [{ variant_id: product.variantId, quantity: 2 }]);
    const order = (await shopApi(t, owner)('GET', `/orders/${orderId}`)).body.data;
    const refunded = await shopApi(t, owner)('POST', `/orders/${orderId}/refunds`, { lines: [{ line_id: order.lines[0].id, quantity: 1 }], reason: 'chipped' });
    expect(refunded.status).toBe(201);
    await t.drainJobs();
    const [mail, ...more] = await mailsTo(t, email, 'Refund for order');
    expect(more).toHaveLength(0);
    expect(mail!.text).toContain(`We refunded $15.00 for your order ${order.number}`);
    expect(mail!.text).toContain('- 1 × Blue mug');
  });

  it('cancelling a paid order mails the buyer the full refund and every line', async () => {
    const product = await createProduct(t, owner, { price: 800, name: 'Green cup' });
    const email = newEmail('cancelled');
    const orderId = await guestPaidOrder(t, owner, { email }, [{ variant_id: product.variantId, quantity: 3 }]);
    expect((await shopApi(t, owner)('POST', `/orders/${orderId}/cancel`, {})).status).toBe(200);
    await t.drainJobs();
    const [mail] = await mailsTo(t, email, 'Refund for order');
    expect(mail!.text).toContain('We refunded $24.00');
    expect(mail!.text).toContain('- 3 × Green cup');
  });

  it('a refused refund (more than bought) is 422, refunds nothing and mails nothing', async () => {
    const product = await createProduct(t, owner, { price: 500 });
    const email = newEmail('overrefund');
    const orderId = await guestPaidOrder(t, owner, { email }, [{ variant_id: product.variantId, quantity: 1 }]);
    const order = (await shopApi(t, owner)('GET', `/orders/${orderId}`)).body.data;
    const refused = await shopApi(t, owner)('POST', `/orders/${orderId}/refunds`, { lines: [{ line_id: order.lines[0].id, quantity: 2 }] });
    expect(refused.status).toBe(422);
    await t.drainJobs();
    expect(await mailsTo(t, email, 'Refund')).toHaveLength(0);
    expect((await shopApi(t, owner)('GET', `/orders/${orderId}`)).body.data.refunded_amount).toBe(0);
  });
});

describe('manual payments', () => {
  it('mail the buyer the instructions while the order awaits payment; nothing is paid or made yet', async () => {
    const settings = await t.request('GET', '/api/v1/plugins/payments/settings', { headers: owner.headers });
    expect(settings.status).toBe(200);
    const put = await t.request('PUT', '/api/v1/plugins/payments/settings', {
      headers: owner.headers,
      body: { ...settings.body.data, default_provider: 'manual', manual_instructions: 'IBAN DE00 1234 5678' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      const product = await createProduct(t, owner, { price: 4000 });
      const email = newEmail('manual');
      const api = shopApi(t, owner);
      const placed = await api('POST', '/orders', { customer: { email }, items: [{ variant_id: product.variantId, quantity: 1 }] });
      expect((await api('POST', `/orders/${placed.body.data.id}/checkout`)).status).toBe(200);
      expect((await api('POST', `/orders/${placed.body.data.id}/checkout`)).status).toBe(200);
      await t.drainJobs();
      const [mail, ...more] = await mailsTo(t, email, 'awaiting your payment');
      expect(more).toHaveLength(0);
      expect(mail!.text).toContain('IBAN DE00 1234 5678');
      expect(mail!.text).toContain('$40.00');
      expect(await mailsTo(t, email, 'receipt')).toHaveLength(0);
      expect(await usersWithEmail(email)).toHaveLength(0);
    } finally {
      await t.request('PUT', '/api/v1/plugins/payments/settings', { headers: owner.headers, body: settings.body.data });
    }
  });
});
