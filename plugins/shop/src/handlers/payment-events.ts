import type { EventHandlerDefinition, EventName } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lockOrder, markPaid } from '../services/order-transitions.js';
import { auditOrder } from '../services/audit.js';
import { announceRefund } from '../services/order-notices.js';
import { recordHistory } from '../services/order-views.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `payments.payment.succeeded` for an intent whose metadata names a shop order marks that order paid
 * (idempotent: a redelivery finds it paid already). Payments for other things are ignored.
 * `payments.refund.succeeded` for a refund made in payments directly (not through the shop, whose refunds carry
 * `shop_order_id` in their own metadata) is recorded on the order: its amount and a history note, no lines; the
 * buyer is mailed and notified about it.
 */
export function paymentEventHandlers({ on }: Builders): EventHandlerDefinition<EventName, unknown, unknown>[] {
  return [
    on('payments.payment.succeeded', async ({ event, deps, ctx }) => {
      const orderId = event.payload.metadata.shop_order_id;
      if (!orderId || !UUID.test(orderId)) return;
      await markPaid({ deps, settings: ctx.settings, tenant: ctx.tenant }, orderId, {
        intentId: event.payload.intentId,
        amount: event.payload.amount,
        currency: event.payload.currency,
      });
    }),
    on('payments.refund.succeeded', async ({ event, deps, ctx }) => {
      const orderId = event.payload.metadata.shop_order_id;
      if (!orderId || !UUID.test(orderId) || event.payload.refundMetadata.shop_order_id) return;
      const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
      const order = await lockOrder(scope, orderId);
      if (!order) return;
      await deps.db.query('update shop_orders set refunded_amount = least(total, refunded_amount + $2), updated_at = now() where id = $1', [
        orderId,
        event.payload.refundAmount,
      ]);
      await recordHistory(deps.db, orderId, {
        kind: 'refund',
        note: `Refunded ${event.payload.refundAmount} ${event.payload.currency} in payments (refund ${event.payload.refundId})`,
        amount: event.payload.refundAmount,
      });
      await announceRefund(scope, { kind: 'refund', orderId, refundId: event.payload.refundId, amount: event.payload.refundAmount, lines: [] });
      await auditOrder(deps, order, 'refunded', { amount: event.payload.refundAmount, refund_id: event.payload.refundId, via: 'payments' });
    }),
  ];
}
