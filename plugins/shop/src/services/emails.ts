import { formatMoney, html, pagePath, type MailMessage, type SafeHtml, textDirection } from '@plinth/sdk';
import type { Deps, Scope } from '../deps.js';
import { shopMailMessages } from './emails-messages.js';
import { loadInvoice } from './invoices.js';
import { orderAccessLinks } from './order-access.js';
import { loadOrder, orderEvent, type OrderView } from './order-views.js';

/** A mail about an order, sent by the `shop.order.mail` job after the transaction that caused it commits. */
export type OrderMail =
  | { kind: 'placed'; orderId: string }
  | { kind: 'receipt'; orderId: string }
  | { kind: 'staff-paid'; orderId: string }
  | { kind: 'refund'; orderId: string; refundId: string; amount: number; lines: { name: string; quantity: number }[] };

/**
 * Queues a mail about an order (sent once the current transaction commits, nothing if it rolls back). Each mail has
 * one key — the order and kind, or the refund — used as the job's key and the mail's idempotency key, so a
 * redelivered payment or a retried job never sends a second copy.
 */
export async function queueOrderMail(deps: Pick<Deps, 'jobs'>, mail: OrderMail): Promise<void> {
  await deps.jobs.enqueue('shop.order.mail', mail, { key: mailKey(mail) });
}

function mailKey(mail: OrderMail): string {
  return mail.kind === 'refund' ? `refund:${mail.refundId}` : `${mail.kind}:${mail.orderId}`;
}

type Translate = ReturnType<typeof shopMailMessages.translator>;

/** Composes and sends a queued order mail (the `shop.order.mail` job); an order gone or moved on sends nothing. */
export async function sendOrderMail(scope: Scope, mail: OrderMail): Promise<void> {
  const order = await loadOrder(scope.deps.db, mail.orderId);
  if (!order) return;
  const t = shopMailMessages.translator(scope.tenant.locale);
  const money = (amount: number) => formatMoney(amount, order.currency, scope.tenant.locale);
  const key = mailKey(mail);
  switch (mail.kind) {
    case 'placed':
      return sendPlaced(scope, order, t, money, key);
    case 'receipt':
      return sendReceipt(scope, order, t, money, key);
    case 'staff-paid':
      return sendStaffNotice(scope, order, t, money, key);
    case 'refund':
      return sendRefund(scope, order, mail, t, money, key);
  }
}

/** A mail's text and HTML from the same blocks: paragraphs, lists and links. */
type Block = { p: string } | { h: string } | { list: string[] } | { link: string; url: string };

function compose(scope: Scope, t: Translate, name: string | null, blocks: Block[]): Pick<MailMessage, 'text' | 'html'> {
  const all: Block[] = [{ p: name ? t('greeting', { name }) : t('greeting_anonymous') }, ...blocks, { p: t('signature', { shop: scope.tenant.name }) }];
  const text = all
    .map((block) =>
      'p' in block
        ? block.p
        : 'h' in block
          ? `${block.h}:`
          : 'list' in block
            ? block.list.map((item) => `- ${item}`).join('\n')
            : `${block.link}: ${block.url}`,
    )
    .join('\n\n');
  const parts: SafeHtml[] = all.map((block) =>
    'p' in block
      ? html`<p>${block.p}</p>`
      : 'h' in block
        ? html`<h2 style="font-size:16px">${block.h}</h2>`
        : 'list' in block
          ? html`<ul>
              ${block.list.map((item) => html`<li>${item}</li>`)}
            </ul>`
          : html`<p><a href="${block.url}">${block.link}</a></p>`,
  );
  const locale = scope.tenant.locale;
  const body = html`<!doctype html>
    <html lang="${locale}" dir="${textDirection(locale)}">
      <body style="font:15px/1.5 system-ui,sans-serif;color:#1a1a1a;max-width:36rem">
        ${parts}
      </body>
    </html>`;
  return { text: `${text}\n`, html: body.value };
}

const itemsOf = (order: OrderView, t: Translate) => order.lines.map((line) => t('line_item', { quantity: line.quantity, name: line.name }));

async function sendPlaced(scope: Scope, order: OrderView, t: Translate, money: (amount: number) => string, key: string): Promise<void> {
  const { deps } = scope;
  if (order.status !== 'pending' || !order.payment_intent_id) return;
  const intent = await deps.payments.getIntent(order.payment_intent_id);
  const action = intent?.next_action;
  if (!action || action.type !== 'manual_payment') return;
  const blocks: Block[] = [
    { p: t('placed_intro', { number: order.number, shop: scope.tenant.name, total: money(order.total) }) },
    { h: t('placed_items') },
    { list: itemsOf(order, t) },
    { h: t('placed_how') },
    { p: String(action.instructions ?? '') },
  ];
  if (action.reference) blocks.push({ p: t('placed_reference', { reference: String(action.reference) }) });
  await deps.mailer.send({
    to: order.customer.email,
    subject: t('placed_subject', { number: order.number }),
    ...compose(scope, t, order.customer.name, blocks),
    idempotencyKey: key,
  });
}

async function sendReceipt(scope: Scope, order: OrderView, t: Translate, money: (amount: number) => string, key: string): Promise<void> {
  const { deps, tenant } = scope;
  if (order.paid_at === null) return;
  const event = await orderEvent(deps.db, order.id);
  const userId = event.customer.userId;
  const blocks: Block[] = [{ p: t('receipt_intro', { shop: tenant.name, total: money(order.total), number: order.number }) }, { list: itemsOf(order, t) }];
  if (userId) {
    const own = await orderAccessLinks(deps, tenant.slug, event);
    if (own.length) {
      blocks.push({ h: t('receipt_access') });
      for (const link of own) blocks.push({ link: link.label, url: await deps.customers.signInLink({ userId, next: link.path }) });
      blocks.push({ p: t('receipt_access_note') });
    }
    const ordersLink = await deps.customers.signInLink({ userId, next: pagePath(tenant.slug, '/orders') });
    const [row] = await deps.db.query<{ public_token: string }>('select public_token from shop_orders where id = $1', [order.id]);
    blocks.push({ link: t('receipt_view'), url: deps.customers.pageUrl(pagePath(tenant.slug, `/orders/${row!.public_token}`)) });
    blocks.push({ link: t('receipt_orders'), url: ordersLink });
  }
  const invoice = await loadInvoice(deps, scope, order.id);
  blocks.push({ p: t('receipt_invoice', { number: invoice.number }) });
  await deps.mailer.send({
    to: order.customer.email,
    subject: t('receipt_subject', { number: order.number }),
    ...compose(scope, t, order.customer.name, blocks),
    attachments: [{ filename: invoice.fileName, contentType: invoice.contentType, content: invoice.body }],
    idempotencyKey: key,
  });
}

async function sendStaffNotice(scope: Scope, order: OrderView, t: Translate, money: (amount: number) => string, key: string): Promise<void> {
  const { deps } = scope;
  // Owners and admins; the members service lists staff only (customers hold the `customer` role alone).
  const staff = [...(await deps.members.list({ role: 'owner' })), ...(await deps.members.list({ role: 'admin' }))];
  const recipients = new Map(staff.map((member) => [member.userId, member]));
  const customer = order.customer.name ? `${order.customer.name} <${order.customer.email}>` : order.customer.email;
  for (const member of recipients.values()) {
    await deps.mailer.send({
      to: member.email,
      subject: t('staff_subject', { number: order.number, total: money(order.total) }),
      ...compose(scope, t, member.name, [{ p: t('staff_intro', { customer, total: money(order.total), number: order.number }) }, { list: itemsOf(order, t) }]),
      idempotencyKey: `${key}:${member.userId}`,
    });
  }
}

async function sendRefund(
  scope: Scope,
  order: OrderView,
  mail: Extract<OrderMail, { kind: 'refund' }>,
  t: Translate,
  money: (amount: number) => string,
  key: string,
): Promise<void> {
  const blocks: Block[] = [{ p: t('refund_intro', { amount: money(mail.amount), number: order.number, shop: scope.tenant.name }) }];
  if (mail.lines.length) blocks.push({ h: t('refund_items') }, { list: mail.lines.map((line) => t('line_item', line)) });
  blocks.push({ p: t('refund_note') });
  await scope.deps.mailer.send({
    to: order.customer.email,
    subject: t('refund_subject', { number: order.number }),
    ...compose(scope, t, order.customer.name, blocks),
    idempotencyKey: key,
  });
}
