import type { ConsoleApiError, ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import type { Variant } from './product-model';

interface Movement {
  id: string;
  quantity: number;
  reason: 'reserved' | 'released' | 'sold' | 'unreserved' | 'restocked' | 'adjusted' | 'imported';
  order_id: string | null;
  note: string | null;
  actor_id: string | null;
  created_at: string;
}

/** Names of members who moved stock, looked up once per screen (members the user may not see stay unnamed). */
const memberNames = new Map<string, Promise<string | undefined>>();
function memberName(plinth: ConsoleContext, userId: string): Promise<string | undefined> {
  const key = `${plinth.tenant.slug}:${userId}`;
  let name = memberNames.get(key);
  if (!name) {
    name = plinth.call<{ name: string; email: string }>('GET', `/members/${userId}`).then(
      ({ data }) => data.name || data.email,
      () => undefined,
    );
    memberNames.set(key, name);
  }
  return name;
}

function reasonText(t: ConsoleContext['t'], reason: Movement['reason']): string {
  const reasons: Record<Movement['reason'], string> = {
    reserved: t('Reserved for an order'),
    released: t('Released from an order'),
    sold: t('Sold'),
    unreserved: t('Returned by a refund'),
    restocked: t('Restocked'),
    adjusted: t('Adjusted'),
    imported: t('Imported'),
  };
  return reasons[reason];
}

/**
 * A variant's stock: the units on hand, an adjust form (a signed change and its reason, through the ledger) and
 * the ledger's history as a table. `onStock` reports the new count so the row shows it without a reload.
 */
export function VariantStock({ plinth, variant, label, onStock }: { plinth: ConsoleContext; variant: Variant; label: string; onStock(stock: number): void }) {
  const { t } = plinth;
  const [adjusting, setAdjusting] = useState(false);
  const [showHistory, setShowHistory] = useState(false);
  const [history, setHistory] = useState<Movement[]>();
  const [names, setNames] = useState<Record<string, string>>({});
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState<'adjusted' | 'restocked'>('restocked');
  const [note, setNote] = useState('');
  const [error, setError] = useState<ConsoleApiError>();
  const [busy, setBusy] = useState(false);
  const id = variant.id;

  async function loadHistory() {
    const { data } = await plinth.call<Movement[]>('GET', `/shop/variants/${id}/movements`, { query: { per_page: 50 } });
    setHistory(data);
    const actors = [...new Set(data.flatMap((movement) => (movement.actor_id ? [movement.actor_id] : [])))];
    const found = await Promise.all(actors.map(async (actor) => [actor, await memberName(plinth, actor)] as const));
    setNames(Object.fromEntries(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined)));
  }

  useEffect(() => {
    if (showHistory) loadHistory().catch((caught: ConsoleApiError) => setError(caught));
  }, [showHistory]);

  async function apply(event: Event) {
    event.preventDefault();
    const change = Number(delta);
    if (!Number.isInteger(change) || change === 0) {
      setError({ name: 'Error', message: t('Enter a whole number other than 0, such as 10 or -2'), status: 422, code: 'validation_failed', errors: {} });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await plinth.call<{ stock: number }>('POST', `/shop/variants/${id}/stock`, {
        body: { delta: change, reason, ...(note.trim() ? { note: note.trim() } : {}) },
      });
      onStock(data.stock);
      setAdjusting(false);
      setDelta('');
      setNote('');
      plinth.announce(t('Stock of {name} is now {stock}', { name: label, stock: plinth.format.number(data.stock) }));
      if (showHistory) await loadHistory();
    } catch (caught) {
      setError(caught as ConsoleApiError);
    } finally {
      setBusy(false);
    }
  }

  const by = (movement: Movement) => {
    if (movement.actor_id) return names[movement.actor_id] ?? t('A member');
    if (movement.order_id) return <a href={plinth.href(`/w/shop/shop-order-view?id=${movement.order_id}`)}>{t('An order')}</a>;
    return t('The shop');
  };

  return (
    <div class="variant-stock">
      <div class="stock-line">
        <span>
          {t('In stock')}: <strong>{plinth.format.number(variant.stock)}</strong>
        </span>
        <span class="stock-actions">
          <button
            type="button"
            class="secondary"
            aria-expanded={adjusting}
            aria-label={label ? t('Adjust stock of {name}', { name: label }) : undefined}
            onClick={() => setAdjusting(!adjusting)}
          >
            {t('Adjust stock')}
          </button>
          <button
            type="button"
            class="secondary"
            aria-expanded={showHistory}
            aria-label={label ? t('Stock history of {name}', { name: label }) : undefined}
            onClick={() => setShowHistory(!showHistory)}
          >
            {t('Stock history')}
          </button>
        </span>
      </div>
      {error && (
        <div class="banner error" role="alert">
          {error.message}
        </div>
      )}
      {adjusting && (
        <form class="stock-form" onSubmit={apply}>
          <div class="field">
            <label for={`delta-${id}`}>{t('Change')}</label>
            <span class="hint" id={`delta-hint-${id}`}>
              {t('Units added, or removed with a minus sign')}
            </span>
            <input
              id={`delta-${id}`}
              type="number"
              step={1}
              inputMode="numeric"
              required
              value={delta}
              aria-describedby={`delta-hint-${id}`}
              onInput={(event) => setDelta(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for={`reason-${id}`}>{t('Reason')}</label>
            <select id={`reason-${id}`} value={reason} onChange={(event) => setReason(event.currentTarget.value as 'adjusted' | 'restocked')}>
              <option value="restocked">{t('Restocked')}</option>
              <option value="adjusted">{t('Adjusted')}</option>
            </select>
          </div>
          <div class="field">
            <label for={`note-${id}`}>{t('Note')}</label>
            <input id={`note-${id}`} type="text" maxLength={500} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          </div>
          <div class="form-actions">
            <button type="submit" disabled={busy}>
              {t('Apply')}
            </button>
            <button type="button" class="secondary" onClick={() => setAdjusting(false)}>
              {t('Cancel')}
            </button>
          </div>
        </form>
      )}
      {showHistory && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{label ? t('Stock history of {name}', { name: label }) : t('Stock history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('Date')}</th>
                <th scope="col">{t('Change')}</th>
                <th scope="col">{t('Reason')}</th>
                <th scope="col">{t('By')}</th>
              </tr>
            </thead>
            <tbody>
              {history === undefined && (
                <tr>
                  <td colSpan={4}>{t('Loading…')}</td>
                </tr>
              )}
              {history?.length === 0 && (
                <tr>
                  <td colSpan={4}>{t('No stock movements yet.')}</td>
                </tr>
              )}
              {history?.map((movement) => (
                <tr key={movement.id}>
                  <td data-label={t('Date')}>{plinth.format.dateTime(movement.created_at)}</td>
                  <td data-label={t('Change')} class="movement-change">
                    <bdi>{movement.quantity > 0 ? `+${plinth.format.number(movement.quantity)}` : plinth.format.number(movement.quantity)}</bdi>
                  </td>
                  <td data-label={t('Reason')}>
                    {reasonText(t, movement.reason)}
                    {movement.note && <span class="muted"> · {movement.note}</span>}
                  </td>
                  <td data-label={t('By')}>{by(movement)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
