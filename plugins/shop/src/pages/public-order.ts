import { html, type SafeHtml, type TenantDb } from '@plinth/sdk';
import type { PayerIntent } from '@plinth/plugin-payments';
import type { Deps } from '../deps.js';
import { loadLines, type OrderLineView } from '../services/order-views.js';
import { money, ORDER_TOKEN, type PageScope } from './page-kit.js';

/** An order as the buyer's pages need it, found by its public token. */
export interface TokenOrder {
  id: string;
  public_token: string;
  number: string;
  status: 'pending' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded';
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  reserved_until: Date | null;
  payment_intent_id: string | null;
  /** Sealed; see {@link clientSecretOf}. */
  payment_client_secret: string | null;
  customer_email: string;
  customer_name: string | null;
  invoice_file_id: string | null;
  lines: OrderLineView[];
}

/**
 * The order with this public token, or undefined (a malformed token, an unknown one, another tenant's: row level
 * security hides it). `lock` holds the order row until the unit ends, so two submits of one checkout run one after
 * the other: the second sees what the first did.
 */
export async function orderByToken(db: TenantDb, token: string, options: { lock?: boolean } = {}): Promise<TokenOrder | undefined> {
  if (!ORDER_TOKEN.test(token)) return undefined;
  const row = await db.one<Omit<TokenOrder, 'lines'>>(
    `select o.id, o.public_token, o.number, o.status, o.currency, o.subtotal, o.discount, o.shipping, o.tax, o.total, o.reserved_until,
            o.payment_intent_id, o.payment_client_secret, c.email as customer_email, c.name as customer_name, i.file_id as invoice_file_id
       from shop_orders o join shop_customers c on c.id = o.customer_id left join shop_invoices i on i.order_id = o.id
      where o.public_token = $1${options.lock ? ' for update of o' : ''}`,
    [token],
  );
  return row && { ...row, lines: await loadLines(db, row.id) };
}

/** The intent's client secret, unsealed; undefined when the order has none (no intent yet, or made before 005). */
export function clientSecretOf(deps: Pick<Deps, 'secrets'>, order: Pick<TokenOrder, 'payment_client_secret'>): string | undefined {
  return order.payment_client_secret ? deps.secrets.open(order.payment_client_secret) : undefined;
}

/** The order's intent as its payer sees it, or undefined when it has none. */
export async function payerIntent(deps: Pick<Deps, 'payments' | 'secrets'>, order: TokenOrder): Promise<PayerIntent | undefined> {
  const secret = clientSecretOf(deps, order);
  if (!order.payment_intent_id || !secret) return undefined;
  return deps.payments.payerView(order.payment_intent_id, secret);
}

/** Whether a pending order's reservation ran out (the expiry job may not have run yet). */
export function isExpired(order: TokenOrder, now = new Date()): boolean {
  return order.status === 'pending' && order.reserved_until !== null && order.reserved_until.getTime() <= now.getTime();
}

/** The order's lines and totals as a table. */
export function orderTable(scope: PageScope, order: TokenOrder): SafeHtml {
  const { t } = scope;
  const amount = (value: number) => money(scope, value, order.currency);
  const row = (label: string, value: number, grand = false) =>
    html`<tr class="${grand ? 'grand' : ''}">
      <th scope="row" colspan="2">${label}</th>
      <td class="num">${amount(value)}</td>
    </tr>`;
  return html`<table>
    <caption class="muted">
      ${t('orderNumber', { number: order.number })}
    </caption>
    <thead>
      <tr>
        <th scope="col">${t('item')}</th>
        <th scope="col" class="num">${t('qty')}</th>
        <th scope="col" class="num">${t('amount')}</th>
      </tr>
    </thead>
    <tbody>
      ${order.lines.map(
        (line) =>
          html`<tr>
            <td>${line.name}</td>
            <td class="num">${line.quantity}</td>
            <td class="num">${amount(line.total)}</td>
          </tr>`,
      )}
    </tbody>
    <tbody class="totals">
      ${row(t('subtotal'), order.subtotal)} ${order.discount > 0 ? row(t('discount'), -order.discount) : html``}
      ${order.shipping > 0 ? row(t('shipping'), order.shipping) : html``} ${order.tax > 0 ? row(t('tax'), order.tax) : html``}
      ${row(t('total'), order.total, true)}
    </tbody>
  </table>`;
}
