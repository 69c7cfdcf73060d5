import type { ConsoleContext } from '@plinth/sdk/web';
import type { HistoryEntry, OrderDetail } from './order-types';

interface Event {
  id: string;
  title: string;
  kind: 'placed' | 'checkout' | 'paid' | 'fulfilled' | 'refund' | 'cancelled' | 'note' | 'payment' | 'status';
  at: string;
  amount?: string;
  note?: string;
}

/**
 * What happened to the order, oldest first, from its history: each status change, the checkout, payments, refunds
 * (with their amount) and notes. The history stores events, not sentences: titles are the reader's language; a note
 * someone typed (a reason, a note) is shown as written.
 */
export function timelineEvents(plinth: ConsoleContext, order: OrderDetail): Event[] {
  const { t } = plinth;
  const money = (minor: number | null) => (minor === null ? undefined : plinth.format.money(minor, order.currency));
  const typed = (entry: HistoryEntry) => (entry.actor_id && entry.note ? entry.note : undefined);
  return order.history.map((entry): Event => {
    const base = { id: entry.id, at: entry.created_at };
    if (entry.kind === 'note') return { ...base, kind: 'note', title: t('Note'), note: entry.note ?? '' };
    if (entry.kind === 'refund')
      return {
        ...base,
        kind: 'refund',
        title: t('Partially refunded'),
        amount: money(entry.amount),
        note: typed(entry) ?? (entry.amount === null ? (entry.note ?? undefined) : undefined),
      };
    if (entry.kind === 'payment') {
      // The shop records the start of a checkout as the payment intent's creation.
      if (entry.note?.startsWith('Payment intent')) return { ...base, kind: 'checkout', title: t('Checkout started') };
      return { ...base, kind: 'payment', title: t('Payment update'), note: entry.note ?? undefined };
    }
    switch (entry.to_status) {
      case 'pending':
        return { ...base, kind: 'placed', title: t('Order placed') };
      case 'paid':
        return { ...base, kind: 'paid', title: entry.from_status ? t('Paid') : t('Imported as paid') };
      case 'fulfilled':
        return { ...base, kind: 'fulfilled', title: t('Fulfilled'), note: typed(entry) };
      case 'refunded':
        return { ...base, kind: 'refund', title: t('Refunded in full'), amount: money(entry.amount), note: typed(entry) };
      case 'cancelled':
        return { ...base, kind: 'cancelled', title: t('Cancelled'), amount: money(entry.amount), note: typed(entry) };
      default:
        return { ...base, kind: 'status', title: t('Status changed'), note: entry.note ?? undefined };
    }
  });
}

export function OrderTimeline({ plinth, order }: { plinth: ConsoleContext; order: OrderDetail }) {
  const { t } = plinth;
  const events = timelineEvents(plinth, order);
  return (
    <ol class="shop-timeline">
      {events.map((event) => (
        <li key={event.id} class={`shop-timeline-item is-${event.kind}`}>
          <span class="shop-timeline-dot" aria-hidden="true" />
          <div>
            <p class="shop-timeline-title">
              <strong>{event.title}</strong>
              {event.amount && <span class="shop-timeline-amount">{t('{amount} refunded', { amount: event.amount })}</span>}
            </p>
            <p class="muted">
              <time dateTime={event.at}>{plinth.format.dateTime(event.at)}</time>
            </p>
            {event.note && <p class="shop-timeline-note">{event.note}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}
