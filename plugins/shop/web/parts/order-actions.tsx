import type { ConsoleContext } from '@plinth/sdk/web';
import { useState } from 'preact/hooks';
import { ErrorAlert, OrderDialog } from './order-dialog';
import { parseAmount } from './order-money';
import type { OrderDetail } from './order-types';

export type OrderAction = 'fulfil' | 'refund' | 'cancel';

interface ActionProps {
  plinth: ConsoleContext;
  order: OrderDetail;
  /** Called with the success message once the API accepted the action: the view reloads the order, then closes the dialog. */
  onDone(message: string): Promise<void>;
  onClose(): void;
  returnFocus(): HTMLElement | null;
}

/** Runs an API call for a dialog: busy while it runs, the error when it fails. */
function useSubmit(plinth: ConsoleContext) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(run: () => Promise<unknown>, onDone: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      await onDone();
    } catch (caught) {
      setError(caught);
      plinth.announce((caught as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, submit };
}

function Actions({ plinth, busy, label, danger, onCancel }: { plinth: ConsoleContext; busy: boolean; label: string; danger?: boolean; onCancel(): void }) {
  return (
    <div class="dialog-actions">
      <button type="button" class="secondary" onClick={onCancel}>
        {plinth.t('Back')}
      </button>
      <button type="submit" class={danger ? 'danger' : undefined} disabled={busy} aria-busy={busy ? 'true' : undefined}>
        {busy ? plinth.t('Working…') : label}
      </button>
    </div>
  );
}

/** Marks a paid order fulfilled, with an optional note (a tracking number, a carrier). */
export function FulfilDialog({ plinth, order, onDone, onClose, returnFocus }: ActionProps) {
  const { t } = plinth;
  const [note, setNote] = useState('');
  const { busy, error, submit } = useSubmit(plinth);
  return (
    <OrderDialog title={t('Fulfil order {number}', { number: order.number })} closeLabel={t('Close')} onClose={onClose} returnFocus={returnFocus}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const body = note.trim() ? { note: note.trim() } : {};
          void submit(
            () => plinth.call('POST', `/shop/orders/${order.id}/fulfil`, { body }),
            () => onDone(t('Order {number} fulfilled', { number: order.number })),
          );
        }}
      >
        <ErrorAlert error={error} />
        <div class="field">
          <label for="shop-fulfil-note">{t('Note (optional)')}</label>
          <textarea
            id="shop-fulfil-note"
            rows={3}
            maxLength={2000}
            aria-describedby="shop-fulfil-hint"
            value={note}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
          <small class="hint" id="shop-fulfil-hint">
            {t('For example the carrier and tracking number. It appears in the timeline.')}
          </small>
        </div>
        <Actions plinth={plinth} busy={busy} label={t('Mark fulfilled')} onCancel={onClose} />
      </form>
    </OrderDialog>
  );
}

/**
 * Refunds part or all of a paid order: by items (quantities of lines, optionally back into stock) or by an amount
 * typed in the order's currency. A second step states the amount and asks for confirmation: money moves.
 */
export function RefundDialog({ plinth, order, onDone, onClose, returnFocus }: ActionProps) {
  const { t } = plinth;
  const digits = plinth.currencyDigits(order.currency);
  const left = order.total - order.refunded_amount;
  const open = order.lines.filter((line) => line.quantity > line.refunded_quantity);
  const [mode, setMode] = useState<'items' | 'amount'>(open.length ? 'items' : 'amount');
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [typed, setTyped] = useState('');
  const [restock, setRestock] = useState(true);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const [confirming, setConfirming] = useState<{ amount: number; body: Record<string, unknown> }>();
  const { busy, error, submit } = useSubmit(plinth);
  const money = (minor: number) => plinth.format.money(minor, order.currency);

  function review(event: Event) {
    event.preventDefault();
    setProblem(undefined);
    const extra = reason.trim() ? { reason: reason.trim() } : {};
    if (mode === 'items') {
      const lines = open.filter((line) => (quantities[line.id] ?? 0) > 0).map((line) => ({ line_id: line.id, quantity: quantities[line.id]! }));
      if (!lines.length) return setProblem(t('Choose how many of at least one item to refund.'));
      const amount = Math.min(
        left,
        lines.reduce((sum, line) => sum + line.quantity * open.find((candidate) => candidate.id === line.line_id)!.unit_price, 0),
      );
      return setConfirming({ amount, body: { lines, restock, ...extra } });
    }
    const amount = parseAmount(typed, digits);
    if (amount === undefined || amount < 1 || amount > left)
      return setProblem(t('Enter an amount between {min} and {max}.', { min: money(1), max: money(left) }));
    setConfirming({ amount, body: { amount, ...extra } });
  }

  const title = t('Refund order {number}', { number: order.number });
  if (confirming)
    return (
      <OrderDialog title={title} closeLabel={t('Close')} onClose={onClose} returnFocus={returnFocus}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit(
              () => plinth.call('POST', `/shop/orders/${order.id}/refunds`, { body: confirming.body }),
              () => onDone(t('{amount} refunded to {email}', { amount: money(confirming.amount), email: order.customer.email })),
            );
          }}
        >
          <ErrorAlert error={error} />
          <p>
            {t('Refund {amount} to {email}? The money goes back through the payment provider; this cannot be undone.', {
              amount: money(confirming.amount),
              email: order.customer.email,
            })}
          </p>
          <div class="dialog-actions">
            <button type="button" class="secondary" onClick={() => setConfirming(undefined)}>
              {t('Back')}
            </button>
            <button type="submit" class="danger" disabled={busy} aria-busy={busy ? 'true' : undefined}>
              {busy ? t('Working…') : t('Refund {amount}', { amount: money(confirming.amount) })}
            </button>
          </div>
        </form>
      </OrderDialog>
    );
  return (
    <OrderDialog title={title} closeLabel={t('Close')} onClose={onClose} returnFocus={returnFocus}>
      <form onSubmit={review} noValidate>
        {problem && (
          <div class="banner error" role="alert">
            {problem}
          </div>
        )}
        <p>{t('Left to refund: {amount}', { amount: money(left) })}</p>
        <fieldset class="shop-refund-mode">
          <legend>{t('Refund')}</legend>
          <label>
            <input type="radio" name="shop-refund-mode" checked={mode === 'items'} disabled={!open.length} onChange={() => setMode('items')} />
            {t('Items')}
          </label>
          <label>
            <input type="radio" name="shop-refund-mode" checked={mode === 'amount'} onChange={() => setMode('amount')} />
            {t('An amount')}
          </label>
        </fieldset>
        {mode === 'items' ? (
          <>
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">{t('Items to refund')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('Item')}</th>
                    <th scope="col">{t('Unit price')}</th>
                    <th scope="col">{t('Quantity to refund')}</th>
                  </tr>
                </thead>
                <tbody>
                  {open.map((line) => {
                    const most = line.quantity - line.refunded_quantity;
                    return (
                      <tr key={line.id}>
                        <th scope="row">{line.name}</th>
                        <td class="number" data-label={t('Unit price')}>
                          {money(line.unit_price)}
                        </td>
                        <td data-label={t('Quantity to refund')}>
                          <input
                            type="number"
                            min={0}
                            max={most}
                            step={1}
                            inputMode="numeric"
                            class="shop-quantity"
                            aria-label={t('Quantity of {name} to refund (at most {count})', { name: line.name, count: most })}
                            value={quantities[line.id] ?? 0}
                            onInput={(event) => {
                              const value = Math.max(0, Math.min(most, Math.trunc(Number(event.currentTarget.value) || 0)));
                              setQuantities({ ...quantities, [line.id]: value });
                            }}
                          />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <div class="field checkbox">
              <label>
                <input type="checkbox" checked={restock} onChange={(event) => setRestock(event.currentTarget.checked)} />{' '}
                {t('Put the refunded items back in stock')}
              </label>
            </div>
          </>
        ) : (
          <div class="field">
            <label for="shop-refund-amount">{t('Amount ({currency})', { currency: order.currency })}</label>
            <input
              id="shop-refund-amount"
              inputMode="decimal"
              autoComplete="off"
              dir="ltr"
              value={typed}
              aria-describedby="shop-refund-amount-hint"
              onInput={(event) => setTyped(event.currentTarget.value)}
            />
            <small class="hint" id="shop-refund-amount-hint">
              {t('At most {amount}.', { amount: money(left) })}
            </small>
          </div>
        )}
        <div class="field">
          <label for="shop-refund-reason">{t('Reason (optional)')}</label>
          <textarea id="shop-refund-reason" rows={2} maxLength={500} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
        </div>
        <Actions plinth={plinth} busy={false} label={t('Review refund')} onCancel={onClose} />
      </form>
    </OrderDialog>
  );
}

/** Cancels a pending order (stock released) or a paid one (what is left is refunded): confirmed first. */
export function CancelDialog({ plinth, order, onDone, onClose, returnFocus }: ActionProps) {
  const { t } = plinth;
  const [note, setNote] = useState('');
  const { busy, error, submit } = useSubmit(plinth);
  const refund = order.status === 'paid' ? order.total - order.refunded_amount : 0;
  return (
    <OrderDialog title={t('Cancel order {number}', { number: order.number })} closeLabel={t('Close')} onClose={onClose} returnFocus={returnFocus}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit(
            () => plinth.call('POST', `/shop/orders/${order.id}/cancel`, { body: note.trim() ? { note: note.trim() } : {} }),
            () => onDone(t('Order {number} cancelled', { number: order.number })),
          );
        }}
      >
        <ErrorAlert error={error} />
        <p>
          {refund > 0
            ? t('{amount} will be refunded to {email} and the items go back in stock. This cannot be undone.', {
                amount: plinth.format.money(refund, order.currency),
                email: order.customer.email,
              })
            : t('The reserved items go back in stock. This cannot be undone.')}
        </p>
        <div class="field">
          <label for="shop-cancel-note">{t('Reason (optional)')}</label>
          <textarea id="shop-cancel-note" rows={2} maxLength={2000} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
        </div>
        <Actions plinth={plinth} busy={busy} danger label={t('Cancel order')} onCancel={onClose} />
      </form>
    </OrderDialog>
  );
}
