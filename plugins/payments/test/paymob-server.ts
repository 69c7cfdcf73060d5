import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { paymobHmac, processedHmacString, responseHmacString } from '../src/providers/paymob-hmac.js';

/** The merchant's account at the stand-in, as Paymob's dashboard would hold it. */
export interface PaymobAccount {
  apiKey: string;
  integrationId: number;
  iframeId: number;
  hmacSecret: string;
  /** The integration's "transaction processed callback" (server to server, POST JSON). */
  processedCallbackUrl: string;
  /** The integration's "transaction response callback" (the buyer's browser, GET with the fields as query). */
  responseCallbackUrl: string;
}

/** Paymob's test card that succeeds; any other card is declined. */
export const PAYMOB_TEST_CARD = '5123456789012346';

interface Order {
  id: number;
  amount_cents: number;
  currency: string;
  merchant_order_id: string;
}

/** A transaction as Paymob's processed callback carries it (`obj`), with the fields it signs. */
export type PaymobTransactionObject = Record<string, unknown> & { id: number; order: { id: number; merchant_order_id: string } };

/**
 * A loopback stand-in for Paymob Accept's published API: auth tokens, orders, payment keys, the hosted iframe
 * page (a card form), refunds; on a payment it calls the processed callback and redirects the browser to the
 * response callback, both signed with HMAC-SHA512 over the published field list, exactly as documented.
 */
export async function startPaymobStandIn(account: () => PaymobAccount) {
  const tokens = new Set<string>();
  const orders = new Map<number, Order>();
  const paymentKeys = new Map<string, { orderId: number; amount: number; currency: string; billing: Record<string, unknown> }>();
  const transactions = new Map<number, PaymobTransactionObject>();
  const requests: { method: string; path: string; body: Record<string, unknown> }[] = [];
  const callbacks: { status: number; body: unknown }[] = [];
  let nextId = 1000;

  const transaction = (order: Order, success: boolean, extra: Record<string, unknown> = {}): PaymobTransactionObject => ({
    id: ++nextId,
    pending: false,
    amount_cents: order.amount_cents,
    success,
    is_auth: false,
    is_capture: false,
    is_standalone_payment: true,
    is_voided: false,
    is_refunded: false,
    is_3d_secure: true,
    integration_id: account().integrationId,
    profile_id: 1,
    has_parent_transaction: false,
    order: { id: order.id, merchant_order_id: order.merchant_order_id },
    created_at: new Date().toISOString().replace('Z', ''),
    currency: order.currency,
    source_data: { pan: '2346', type: 'card', sub_type: 'MasterCard' },
    error_occured: false,
    owner: 302852,
    data: { message: success ? 'Approved' : 'Do not honour' },
    ...extra,
  });

  /** The response callback's query for a transaction: flat fields, `order` holding order.id, and the hmac. */
  const responseQuery = (txn: PaymobTransactionObject): Record<string, string> => {
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(txn)) {
      if (key === 'order') flat.order = String(txn.order.id);
      else if (key === 'source_data') for (const [sub, v] of Object.entries(value as Record<string, unknown>)) flat[`source_data.${sub}`] = String(v);
      else if (key === 'data') flat['data.message'] = String((value as { message: string }).message);
      else flat[key] = String(value);
    }
    flat.merchant_order_id = txn.order.merchant_order_id;
    return { ...flat, hmac: paymobHmac(account().hmacSecret, responseHmacString(flat)) };
  };

  /** Posts the processed callback for a transaction, signed (or with `hmac` given). */
  const sendProcessed = async (txn: PaymobTransactionObject, hmac = paymobHmac(account().hmacSecret, processedHmacString(txn))) => {
    const body = { type: 'TRANSACTION', obj: txn };
    const response = await fetch(`${account().processedCallbackUrl}?hmac=${hmac}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    callbacks.push({ status: response.status, body: await response.json() });
    return response;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks).toString('utf8'))
        .then(({ status, body, headers }) => {
          res.writeHead(status, headers ?? { 'content-type': 'application/json' });
          res.end(typeof body === 'string' ? body : JSON.stringify(body));
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ detail: String(error) }));
        });
    });
  });

  async function handle(req: IncomingMessage, raw: string): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const body = (raw ? (isForm ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw)) : {}) as Record<string, unknown>;
    requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
    const authorised = () => typeof body.auth_token === 'string' && tokens.has(body.auth_token);
    const iframe = /^\/api\/acceptance\/iframes\/(\d+)(\/pay)?$/.exec(url.pathname);

    if (req.method === 'POST' && url.pathname === '/api/auth/tokens') {
      if (body.api_key !== account().apiKey) return { status: 403, body: { detail: 'incorrect credentials' } };
      const token = `auth_${randomBytes(8).toString('hex')}`;
      tokens.add(token);
      return { status: 201, body: { token, profile: { id: 1 } } };
    }
    if (req.method === 'POST' && url.pathname === '/api/ecommerce/orders') {
      if (!authorised()) return { status: 401, body: { detail: 'invalid token' } };
      if ([...orders.values()].some((order) => order.merchant_order_id === body.merchant_order_id)) return { status: 422, body: { message: 'duplicate' } };
      const order = {
        id: ++nextId,
        amount_cents: Number(body.amount_cents),
        currency: String(body.currency),
        merchant_order_id: String(body.merchant_order_id),
      };
      orders.set(order.id, order);
      return { status: 201, body: { id: order.id, amount_cents: order.amount_cents, currency: order.currency, merchant_order_id: order.merchant_order_id } };
    }
    if (req.method === 'POST' && url.pathname === '/api/acceptance/payment_keys') {
      if (!authorised()) return { status: 401, body: { detail: 'invalid token' } };
      const order = orders.get(Number(body.order_id));
      if (!order || Number(body.integration_id) !== account().integrationId || Number(body.amount_cents) !== order.amount_cents) {
        return { status: 400, body: { detail: 'bad payment key request' } };
      }
      const token = `pay_${randomBytes(12).toString('hex')}`;
      paymentKeys.set(token, {
        orderId: order.id,
        amount: order.amount_cents,
        currency: order.currency,
        billing: body.billing_data as Record<string, unknown>,
      });
      return { status: 201, body: { token } };
    }
    if (req.method === 'GET' && iframe && !iframe[2]) {
      const token = url.searchParams.get('payment_token') ?? '';
      if (Number(iframe[1]) !== account().iframeId || !paymentKeys.has(token))
        return { status: 404, body: 'unknown payment key', headers: { 'content-type': 'text/plain' } };
      const page = `<!doctype html><form method="post" action="/api/acceptance/iframes/${iframe[1]}/pay">
        <input type="hidden" name="payment_token" value="${token}"><label>Card <input name="card"></label><button>Pay</button></form>`;
      return { status: 200, body: page, headers: { 'content-type': 'text/html' } };
    }
    if (req.method === 'POST' && iframe?.[2]) {
      const key = paymentKeys.get(String(body.payment_token));
      if (!key) return { status: 404, body: { detail: 'unknown payment key' } };
      const order = orders.get(key.orderId)!;
      const txn = transaction(order, body.card === PAYMOB_TEST_CARD);
      transactions.set(txn.id, txn);
      await sendProcessed(txn);
      const back = new URL(account().responseCallbackUrl);
      for (const [name, value] of Object.entries(responseQuery(txn))) back.searchParams.set(name, value);
      return { status: 302, body: '', headers: { location: back.toString() } };
    }
    if (req.method === 'POST' && url.pathname === '/api/acceptance/void_refund/refund') {
      if (!authorised()) return { status: 401, body: { detail: 'invalid token' } };
      const parent = transactions.get(Number(body.transaction_id));
      if (!parent || !parent.success) return { status: 400, body: { detail: 'transaction not refundable' } };
      const order = orders.get(parent.order.id)!;
      const refund = transaction(order, true, { amount_cents: Number(body.amount_cents), is_refunded: true, has_parent_transaction: true });
      transactions.set(refund.id, refund);
      return { status: 201, body: refund };
    }
    return { status: 404, body: { detail: 'not found' } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Answers of the platform to the processed callbacks the stand-in sent. */
    callbacks,
    orders,
    paymentKeys,
    transactions,
    /** A transaction for an order as Paymob would report it (for forged or replayed callbacks in tests). */
    transaction,
    responseQuery,
    sendProcessed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
