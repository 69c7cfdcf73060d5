import { ValidationError } from '@plinth/sdk';
import type { Scope } from '../deps.js';
import { invalidTransition } from '../errors.js';
import { auditOrder } from './audit.js';
import { linkBuyerAccount } from './buyer-accounts.js';
import { queueOrderMail } from './emails.js';
import { issueInvoice } from './invoices.js';
import { commitReservation, returnStock, type StockLine } from './inventory.js';
import { announceRefund, notifyPaid, notifyShipped } from './order-notices.js';
import { countOrderStatus } from './metrics.js';
import { loadLines, orderEvent, recordHistory } from './order-views.js';

interface LockedOrder {
  id: string;
  status: string;
  reservation: string;
  total: number;
  currency: string;
  refunded_amount: number;
  payment_intent_id: string | null;
}

/** The order, locked for the rest of the transaction (transitions of one order run one at a time), or undefined. */
export async function lockOrder(scope: Scope, orderId: string): Promise<LockedOrder | undefined> {
  const [order] = await scope.deps.db.query<LockedOrder>(
    'select id, status, reservation, total, currency, refunded_amount, payment_intent_id from shop_orders where id = $1 for update',
    [orderId],
  );
  return order;
}

async function reservedLines(scope: Scope, orderId: string): Promise<StockLine[]> {
  const lines = await loadLines(scope.deps.db, orderId);
  return lines.filter((line) => line.variant_id).map((line) => ({ variantId: line.variant_id!, quantity: line.quantity - line.refunded_quantity }));
}

async function setStatus(
  scope: Scope,
  order: LockedOrder,
  to: string,
  note: string | null,
  actorId: string | null,
  extra = '',
  amount: number | null = null,
): Promise<void> {
  await scope.deps.db.query(`update shop_orders set status = $2, updated_at = now()${extra} where id = $1`, [order.id, to]);
  await recordHistory(scope.deps.db, order.id, { kind: 'status', from: order.status, to, note, actorId, amount });
  countOrderStatus(scope.deps, to);
}

/**
 * Marks a pending order paid once its payment succeeded: idempotent (a redelivered event finds it paid and does
 * nothing, mails nothing), refuses a payment that does not match the order (noted in its history), turns the stock
 * reservation into a sale, gives the buyer an account ({@link linkBuyerAccount}: the event names the user), issues
 * the invoice (numbered without gaps, fixed now: see {@link issueInvoice}), queues the receipt and the staff notice,
 * notifies the buyer in-app, and emits `shop.order.paid`. Returns whether it changed.
 */
export async function markPaid(scope: Scope, orderId: string, payment: { intentId: string | null; amount: number; currency: string }): Promise<boolean> {
  const { deps } = scope;
  const order = await lockOrder(scope, orderId);
  if (!order || order.status !== 'pending') {
    if (order?.status === 'cancelled' && payment.intentId && payment.amount > 0) {
      await recordHistory(deps.db, orderId, { kind: 'payment', note: 'Payment arrived after the order was cancelled; refunded in full' });
      const refund = await deps.payments.refund({
        intentId: payment.intentId,
        reason: 'order cancelled',
        metadata: { shop_order_id: orderId },
        idempotencyKey: `shop-late-${orderId}`,
      });
      await announceRefund(scope, { kind: 'refund', orderId, refundId: refund.id, amount: refund.amount, lines: [] });
      await auditOrder(deps, order, 'refunded', { amount: refund.amount, reason: 'payment arrived after the order was cancelled' });
    }
    return false;
  }
  if (payment.amount !== order.total || payment.currency.toUpperCase() !== order.currency) {
    await recordHistory(deps.db, orderId, {
      kind: 'payment',
      note: `Payment of ${payment.amount} ${payment.currency} does not match the order total; not marked paid`,
    });
    return false;
  }
  if (order.reservation === 'held') await commitReservation(scope, await reservedLines(scope, orderId), { orderId });
  await deps.jobs.cancel('shop.order.expire', orderId);
  await setStatus(
    scope,
    order,
    'paid',
    payment.intentId ? `Paid (intent ${payment.intentId})` : 'Nothing to pay',
    null,
    ", paid_at = now(), reservation = 'committed'",
  );
  await linkBuyerAccount(scope, orderId);
  const invoice = await issueInvoice(scope, orderId);
  await auditOrder(deps, order, 'paid', { amount: payment.amount, currency: order.currency, payment_intent_id: payment.intentId, invoice });
  await queueOrderMail(deps, { kind: 'receipt', orderId });
  await queueOrderMail(deps, { kind: 'staff-paid', orderId });
  await notifyPaid(scope, orderId);
  await deps.events.emit('shop.order.paid', await orderEvent(deps.db, orderId));
  return true;
}

/** paid → fulfilled (shipped: the buyer is notified). */
export async function fulfilOrder(scope: Scope, order: LockedOrder, actorId: string | null, note: string | null): Promise<void> {
  if (order.status !== 'paid') throw invalidTransition(order.status, 'fulfilled');
  await setStatus(scope, order, 'fulfilled', note, actorId);
  await auditOrder(scope.deps, order, 'fulfilled', { note });
  await notifyShipped(scope, order.id);
  await scope.deps.events.emit('shop.order.fulfilled', await orderEvent(scope.deps.db, order.id));
}

/**
 * pending → cancelled (its reservation goes back to stock, its intent is cancelled) or paid → cancelled (what is
 * not yet refunded is refunded through payments and the units go back to stock).
 */
export async function cancelOrder(scope: Scope, order: LockedOrder, actorId: string | null, note: string | null): Promise<void> {
  const { deps } = scope;
  if (order.status !== 'pending' && order.status !== 'paid') throw invalidTransition(order.status, 'cancelled');
  const lines = await reservedLines(scope, order.id);
  if (order.status === 'pending') {
    if (order.payment_intent_id) await cancelIntentQuietly(scope, order.payment_intent_id);
    if (order.reservation === 'held') await returnStock(scope, lines, 'released', { orderId: order.id, actorId });
    await deps.jobs.cancel('shop.order.expire', order.id);
  } else {
    const remaining = order.total - order.refunded_amount;
    if (remaining > 0 && order.payment_intent_id) {
      const refund = await deps.payments.refund({
        intentId: order.payment_intent_id,
        amount: remaining,
        reason: 'order cancelled',
        metadata: { shop_order_id: order.id },
      });
      const open = (await loadLines(deps.db, order.id)).filter((line) => line.quantity > line.refunded_quantity);
      await announceRefund(scope, {
        kind: 'refund',
        orderId: order.id,
        refundId: refund.id,
        amount: refund.amount,
        lines: open.map((line) => ({ name: line.name, quantity: line.quantity - line.refunded_quantity })),
      });
    }
    await returnStock(scope, lines, 'restocked', { orderId: order.id, actorId });
    await deps.db.query('update shop_order_lines set refunded_quantity = quantity, refunded_amount = total where order_id = $1', [order.id]);
    await deps.db.query('update shop_orders set refunded_amount = total where id = $1', [order.id]);
  }
  const refunded = order.status === 'paid' ? order.total - order.refunded_amount : null;
  await setStatus(scope, order, 'cancelled', note, actorId, ", reservation = 'released'", refunded || null);
  await auditOrder(deps, order, 'cancelled', { note, refund_amount: refunded || null });
  await deps.events.emit('shop.order.cancelled', await orderEvent(deps.db, order.id));
}

/** Releases an unpaid order's reservation at its deadline (the `shop.order.expire` job); anything else is left alone. */
export async function expireOrder(scope: Scope, orderId: string): Promise<boolean> {
  const order = await lockOrder(scope, orderId);
  if (!order || order.status !== 'pending' || order.reservation !== 'held') return false;
  const [due] = await scope.deps.db.query('select 1 from shop_orders where id = $1 and reserved_until <= now()', [orderId]);
  if (!due) return false;
  await cancelOrder(scope, order, null, 'Not paid in time: reservation released');
  return true;
}

/**
 * Refunds an amount of a paid or fulfilled order through payments, not tied to its lines (a goodwill gesture, a
 * damaged parcel): nothing goes back to stock; once everything paid is refunded the order is `refunded`.
 */
export async function refundOrderAmount(
  scope: Scope,
  order: LockedOrder,
  input: { amount: number; reason: string | null; actorId: string | null },
): Promise<{ amount: number }> {
  const { deps } = scope;
  assertRefundable(order);
  const left = order.total - order.refunded_amount;
  if (input.amount < 1 || input.amount > left) throw new ValidationError({ amount: [`between 1 and ${left} (what is left to refund)`] });
  const refund = await deps.payments.refund({
    intentId: order.payment_intent_id!,
    amount: input.amount,
    reason: input.reason ?? undefined,
    metadata: { shop_order_id: order.id },
  });
  await announceRefund(scope, { kind: 'refund', orderId: order.id, refundId: refund.id, amount: refund.amount, lines: [] });
  await deps.db.query('update shop_orders set refunded_amount = refunded_amount + $2, updated_at = now() where id = $1', [order.id, input.amount]);
  if (input.amount === left) await setStatus(scope, order, 'refunded', input.reason, input.actorId, '', input.amount);
  else await recordHistory(deps.db, order.id, { kind: 'refund', note: input.reason, actorId: input.actorId, amount: input.amount });
  await auditOrder(deps, order, 'refunded', { amount: input.amount, reason: input.reason });
  await deps.events.emit('shop.order.refunded', { ...(await orderEvent(deps.db, order.id)), refundAmount: input.amount, lineIds: [] });
  return { amount: input.amount };
}

function assertRefundable(order: LockedOrder): void {
  if (order.status !== 'paid' && order.status !== 'fulfilled') throw invalidTransition(order.status, 'refunded');
  if (!order.payment_intent_id) throw invalidTransition(order.status, 'refunded (no payment to refund)');
}

/** Refunds lines (partially: `quantity` of each) of a paid or fulfilled order through payments. */
export async function refundOrder(
  scope: Scope,
  order: LockedOrder,
  input: { lines: readonly { lineId: string; quantity: number }[]; restock: boolean; reason: string | null; actorId: string | null },
): Promise<{ amount: number }> {
  const { deps } = scope;
  assertRefundable(order);
  const current = new Map((await loadLines(deps.db, order.id)).map((line) => [line.id, line]));
  const errors: Record<string, string[]> = {};
  let amount = 0;
  input.lines.forEach((requested, index) => {
    const line = current.get(requested.lineId);
    if (!line) errors[`lines.${index}.line_id`] = ['not a line of this order'];
    else if (requested.quantity > line.quantity - line.refunded_quantity)
      errors[`lines.${index}.quantity`] = [`at most ${line.quantity - line.refunded_quantity} left to refund`];
    else amount += line.unit_price * requested.quantity;
  });
  if (new Set(input.lines.map((line) => line.lineId)).size !== input.lines.length) errors.lines = ['each line at most once'];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  amount = Math.min(amount, order.total - order.refunded_amount);

  if (amount > 0) {
    const refund = await deps.payments.refund({
      intentId: order.payment_intent_id!,
      amount,
      reason: input.reason ?? undefined,
      metadata: { shop_order_id: order.id },
    });
    await announceRefund(scope, {
      kind: 'refund',
      orderId: order.id,
      refundId: refund.id,
      amount: refund.amount,
      lines: input.lines.map((requested) => ({ name: current.get(requested.lineId)!.name, quantity: requested.quantity })),
    });
  }
  for (const requested of input.lines) {
    const line = current.get(requested.lineId)!;
    await deps.db.query(
      'update shop_order_lines set refunded_quantity = refunded_quantity + $2, refunded_amount = refunded_amount + $3, updated_at = now() where id = $1',
      [line.id, requested.quantity, line.unit_price * requested.quantity],
    );
  }
  if (input.restock) {
    const lines = input.lines.map((requested) => ({ variantId: current.get(requested.lineId)!.variant_id, quantity: requested.quantity }));
    await returnStock(
      scope,
      lines.filter((line): line is StockLine => line.variantId !== null),
      'restocked',
      { orderId: order.id, actorId: input.actorId },
    );
  }
  const [left] = await deps.db.query<{ open: number }>(
    'select count(*)::int as open from shop_order_lines where order_id = $1 and refunded_quantity < quantity',
    [order.id],
  );
  await deps.db.query('update shop_orders set refunded_amount = refunded_amount + $2, updated_at = now() where id = $1', [order.id, amount]);
  // The history row carries the amount; its note is the reason given (the console shows both in its language).
  const note = input.reason || null;
  if (left!.open === 0) await setStatus(scope, order, 'refunded', note, input.actorId, '', amount);
  else await recordHistory(deps.db, order.id, { kind: 'refund', note, actorId: input.actorId, amount });
  await auditOrder(deps, order, 'refunded', {
    amount,
    reason: note,
    lines: input.lines.map((line) => ({ line_id: line.lineId, quantity: line.quantity })),
    restock: input.restock,
  });
  await deps.events.emit('shop.order.refunded', {
    ...(await orderEvent(deps.db, order.id)),
    refundAmount: amount,
    lineIds: input.lines.map((line) => line.lineId),
  });
  return { amount };
}

async function cancelIntentQuietly(scope: Scope, intentId: string): Promise<void> {
  const intent = await scope.deps.payments.getIntent(intentId);
  if (intent && ['requires_payment_method', 'requires_action'].includes(intent.status)) await scope.deps.payments.cancelIntent(intentId);
}
