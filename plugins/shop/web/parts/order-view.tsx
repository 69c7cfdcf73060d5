import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CancelDialog, FulfilDialog, RefundDialog, type OrderAction } from './order-actions';
import { ErrorAlert } from './order-dialog';
import { OrderTimeline } from './order-timeline';
import type { OrderAbilities, OrderDetail } from './order-types';
import './order-view.css';

const refundable = new Set(['paid', 'fulfilled']);

/** What the user may do with the order in its state, by the shop's permissions (the API checks them again). */
function abilities(plinth: ConsoleContext, order: OrderDetail): OrderAbilities {
  const manage = plinth.can('shop.orders.manage');
  const refund = plinth.can('shop.orders.refund');
  const left = order.total - order.refunded_amount;
  return {
    fulfil: manage && order.status === 'paid',
    refund: refund && refundable.has(order.status) && left > 0 && order.payment_intent_id !== null,
    // Cancelling a paid order refunds it: that needs the refund permission as well.
    cancel: manage && (order.status === 'pending' || (order.status === 'paid' && refund)),
    note: manage,
  };
}

function statusLabel(plinth: ConsoleContext, status: string): string {
  const { t } = plinth;
  const labels: Record<string, string> = {
    pending: t('Awaiting payment'),
    paid: t('Paid'),
    fulfilled: t('Fulfilled'),
    cancelled: t('Cancelled'),
    refunded: t('Refunded'),
  };
  return labels[status] ?? status;
}

function paymentState(plinth: ConsoleContext, order: OrderDetail): string {
  const { t } = plinth;
  if (!order.paid_at) return order.status === 'cancelled' ? t('Not paid') : t('Awaiting payment');
  if (order.refunded_amount >= order.total && order.total > 0) return t('Refunded in full');
  if (order.refunded_amount > 0) return t('Partially refunded');
  return order.total === 0 ? t('Nothing to pay') : t('Paid');
}

/**
 * An order for staff (`shop-order-view`, the page of `/orders/:id`): its lines and totals in the order's currency,
 * customer, payment and shipping, a timeline of what happened, and the actions its state allows — fulfil, refund,
 * cancel, add a note, download the invoice. After each action the order is read again, so the timeline shows it.
 */
export function OrderView({ plinth }: { plinth: ConsoleContext }) {
  const { t } = plinth;
  const id = plinth.params.id ?? '';
  const [order, setOrder] = useState<OrderDetail>();
  const [loadError, setLoadError] = useState<unknown>();
  const [action, setAction] = useState<OrderAction>();
  const opener = useRef<HTMLElement | null>(null);
  const timelineHeading = useRef<HTMLHeadingElement>(null);

  async function load(): Promise<void> {
    try {
      setOrder((await plinth.call<OrderDetail>('GET', `/shop/orders/${encodeURIComponent(id)}`)).data);
      setLoadError(undefined);
    } catch (caught) {
      setLoadError(caught);
    }
  }
  useEffect(() => {
    void load();
  }, [id]);

  if (loadError && !order) return <ErrorAlert error={loadError} />;
  if (!order)
    return (
      <p class="loading" role="status">
        {t('Loading the order…')}
      </p>
    );
  const can = abilities(plinth, order);
  const money = (minor: number) => plinth.format.money(minor, order.currency);
  const open = (which: OrderAction) => (event: MouseEvent) => {
    opener.current = event.currentTarget as HTMLElement;
    setAction(which);
  };
  const returnFocus = () => (opener.current?.isConnected ? opener.current : timelineHeading.current);
  // The order is read again before the dialog closes: focus then returns to the opener only if the new state still
  // offers it (a fulfilled order has no Fulfil button), else to the timeline that shows what happened.
  const done = async (message: string) => {
    await load();
    setAction(undefined);
    plinth.announce(message);
  };
  const dialogProps = { plinth, order, onDone: done, onClose: () => setAction(undefined), returnFocus };

  return (
    <div class="shop-order">
      <div class="shop-order-head">
        <div>
          <h2>{t('Order {number}', { number: order.number })}</h2>
          <p class="muted">
            {t('Placed {date}', { date: plinth.format.dateTime(order.placed_at) })}{' '}
            <span class={`badge shop-status is-${order.status}`}>{statusLabel(plinth, order.status)}</span>
          </p>
        </div>
        <div class="shop-order-actions" role="group" aria-label={t('Order actions')}>
          {can.fulfil && (
            <button type="button" onClick={open('fulfil')}>
              {t('Fulfil')}
            </button>
          )}
          {can.refund && (
            <button type="button" class="secondary" onClick={open('refund')}>
              {t('Refund')}
            </button>
          )}
          {order.invoice_number && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                plinth.download(`/shop/orders/${order.id}/invoice`).catch((caught: unknown) => plinth.announce((caught as Error).message, 'error'))
              }
            >
              {t('Download invoice {number}', { number: order.invoice_number })}
            </button>
          )}
          {can.cancel && (
            <button type="button" class="danger-link" onClick={open('cancel')}>
              {t('Cancel order')}
            </button>
          )}
        </div>
      </div>
      {loadError !== undefined && <ErrorAlert error={loadError} />}

      <div class="shop-order-grid">
        <section class="panel shop-order-lines" aria-labelledby="shop-order-items">
          <h3 id="shop-order-items">{t('Items')}</h3>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('Item')}</th>
                  <th scope="col" class="number">
                    {t('Quantity')}
                  </th>
                  <th scope="col" class="number">
                    {t('Unit price')}
                  </th>
                  <th scope="col" class="number">
                    {t('Total')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {order.lines.map((line) => (
                  <tr key={line.id}>
                    <th scope="row">
                      {line.name}
                      <span class="muted shop-sku" dir="ltr">
                        {line.sku}
                      </span>
                      {line.refunded_quantity > 0 && <span class="badge warn">{t('{count} refunded', { count: line.refunded_quantity })}</span>}
                    </th>
                    <td class="number" data-label={t('Quantity')}>
                      {plinth.format.number(line.quantity)}
                    </td>
                    <td class="number" data-label={t('Unit price')}>
                      {money(line.unit_price)}
                    </td>
                    <td class="number" data-label={t('Total')}>
                      {money(line.total)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <dl class="shop-totals">
            <dt>{t('Subtotal')}</dt>
            <dd>{money(order.subtotal)}</dd>
            {order.discount > 0 && (
              <>
                <dt>{order.discounts.length ? t('Discount ({codes})', { codes: order.discounts.map((item) => item.code).join(', ') }) : t('Discount')}</dt>
                <dd>{money(-order.discount)}</dd>
              </>
            )}
            <dt>{t('Shipping')}</dt>
            <dd>{money(order.shipping)}</dd>
            {order.tax > 0 && (
              <>
                <dt>{t('Tax')}</dt>
                <dd>{money(order.tax)}</dd>
              </>
            )}
            <dt class="shop-grand">{t('Total')}</dt>
            <dd class="shop-grand">{money(order.total)}</dd>
            {order.refunded_amount > 0 && (
              <>
                <dt>{t('Refunded')}</dt>
                <dd>{money(-order.refunded_amount)}</dd>
                <dt>{t('Net')}</dt>
                <dd>{money(order.total - order.refunded_amount)}</dd>
              </>
            )}
          </dl>
        </section>

        <div class="shop-order-side">
          <section class="panel" aria-labelledby="shop-order-customer">
            <h3 id="shop-order-customer">{t('Customer')}</h3>
            <p>
              <a href={plinth.href(`/p/shop/customers/${order.customer.id}`)}>{order.customer.name || order.customer.email}</a>
            </p>
            {order.customer.name && (
              <p class="muted" dir="ltr">
                {order.customer.email}
              </p>
            )}
          </section>
          <section class="panel" aria-labelledby="shop-order-payment">
            <h3 id="shop-order-payment">{t('Payment')}</h3>
            <p>
              <strong>{paymentState(plinth, order)}</strong>
            </p>
            {order.paid_at && <p class="muted">{t('Paid {date}', { date: plinth.format.dateTime(order.paid_at) })}</p>}
          </section>
          <section class="panel" aria-labelledby="shop-order-shipping">
            <h3 id="shop-order-shipping">{t('Shipping')}</h3>
            <p>{order.shipping_rate ? t('{rate} rate: {amount}', { rate: order.shipping_rate, amount: money(order.shipping) }) : t('No shipping')}</p>
            <p class="muted">{t('The shop does not keep shipping addresses; the buyer gives theirs to the payment provider.')}</p>
          </section>
        </div>
      </div>

      <section class="panel" aria-labelledby="shop-order-timeline">
        <h3 id="shop-order-timeline" ref={timelineHeading} tabIndex={-1}>
          {t('Timeline')}
        </h3>
        <OrderTimeline plinth={plinth} order={order} />
        {can.note && <NoteForm plinth={plinth} order={order} onAdded={() => void done(t('Note added'))} />}
      </section>

      {action === 'fulfil' && <FulfilDialog {...dialogProps} />}
      {action === 'refund' && <RefundDialog {...dialogProps} />}
      {action === 'cancel' && <CancelDialog {...dialogProps} />}
    </div>
  );
}

function NoteForm({ plinth, order, onAdded }: { plinth: ConsoleContext; order: OrderDetail; onAdded(): void }) {
  const { t } = plinth;
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="shop-note-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!note.trim()) return;
        setBusy(true);
        setError(undefined);
        try {
          await plinth.call('POST', `/shop/orders/${order.id}/notes`, { body: { note: note.trim() } });
          setNote('');
          onAdded();
        } catch (caught) {
          setError(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
      <ErrorAlert error={error} />
      <div class="field">
        <label for="shop-order-note">{t('Add a note')}</label>
        <textarea id="shop-order-note" rows={2} maxLength={2000} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy || !note.trim()} aria-busy={busy ? 'true' : undefined}>
        {busy ? t('Working…') : t('Add note')}
      </button>
    </form>
  );
}
