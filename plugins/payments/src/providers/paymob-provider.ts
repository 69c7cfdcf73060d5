import { processedHmacString, paymobHmacMatches, responseHmacString, type PaymobTransaction } from './paymob-hmac.js';
import {
  ProviderInputError,
  WebhookSignatureError,
  type PaymentProvider,
  type ProviderCredentials,
  type ProviderIntentResult,
  type ProviderIntentStatus,
  type ProviderReturn,
  type ProviderWebhookEvent,
} from './provider.js';

/** Host-level options of the Paymob adapter. */
export interface PaymobProviderOptions {
  /** Sends every tenant's Paymob calls here (a proxy or a local stand-in), overriding `credentials.base_url`. */
  apiBase?: string;
}

/** Paymob's default API and hosted-page origin. */
export const PAYMOB_DEFAULT_BASE = 'https://accept.paymob.com';

/** The credentials Paymob needs (`base_url` is optional: a regional `https://<region>.paymob.com`). */
export const PAYMOB_CREDENTIALS = ['api_key', 'integration_id', 'iframe_id', 'hmac_secret'] as const;

const DECLINED = 'The payment was declined.';

/**
 * Paymob Accept (legacy API), a redirect gateway: creating an intent registers a Paymob order
 * (`merchant_order_id` = the intent id); confirming gets a payment key and sends the buyer to Paymob's hosted
 * iframe page. Paymob then calls the transaction-processed callback (the platform's webhook URL) and sends the
 * buyer's browser to the response callback; both are verified with HMAC-SHA512 over Paymob's published fields.
 */
export function createPaymobProvider(options: PaymobProviderOptions = {}): PaymentProvider {
  const baseOf = (config: ProviderCredentials) => {
    if (options.apiBase) return options.apiBase.replace(/\/$/, '');
    const base = config.credentials.base_url ?? PAYMOB_DEFAULT_BASE;
    if (!isPaymobBase(base)) throw new ProviderInputError('provider', 'paymob base_url must be https://<region>.paymob.com');
    return base.replace(/\/$/, '');
  };
  const credential = (config: ProviderCredentials, name: (typeof PAYMOB_CREDENTIALS)[number]) => {
    const value = config.credentials[name];
    if (!value) throw new ProviderInputError('provider', `paymob has no ${name} configured`);
    return value;
  };
  const post = async <T>(config: ProviderCredentials, path: string, body: Record<string, unknown>): Promise<T> => {
    const response = await fetch(`${baseOf(config)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`paymob ${path} answered ${response.status}`);
    return JSON.parse(text) as T;
  };
  const authToken = async (config: ProviderCredentials) => {
    const { token } = await post<{ token?: string }>(config, '/api/auth/tokens', { api_key: credential(config, 'api_key') });
    if (!token) throw new Error('paymob gave no auth token');
    return token;
  };
  const hmacSecret = (config: ProviderCredentials) => {
    const secret = config.credentials.hmac_secret;
    if (!secret) throw new WebhookSignatureError('paymob has no hmac_secret configured');
    return secret;
  };

  return {
    name: 'paymob',
    checkoutMethod: () => ({ kind: 'redirect' }),
    async createIntent({ intentId, amount, currency }, config) {
      const auth_token = await authToken(config);
      const order = await post<{ id?: number | string }>(config, '/api/ecommerce/orders', {
        auth_token,
        delivery_needed: false,
        amount_cents: amount,
        currency,
        merchant_order_id: intentId,
        items: [],
      });
      if (order.id === undefined) throw new Error('paymob gave no order id');
      return { providerRef: String(order.id), status: 'requires_payment_method' };
    },
    async confirmIntent({ providerRef, amount, currency, billing, action, paymentMethod }, config) {
      if (action !== undefined || paymentMethod !== undefined) {
        throw new ProviderInputError(action !== undefined ? 'action' : 'payment_method', 'paymob takes the card on its own page: confirm without one');
      }
      const auth_token = await authToken(config);
      const [first, ...rest] = (billing?.name ?? '').trim().split(/\s+/).filter(Boolean);
      const payment = await post<{ token?: string }>(config, '/api/acceptance/payment_keys', {
        auth_token,
        amount_cents: amount,
        expiration: 3600,
        order_id: Number(providerRef),
        currency,
        integration_id: Number(credential(config, 'integration_id')),
        lock_order_when_paid: true,
        billing_data: {
          first_name: first ?? 'NA',
          last_name: rest.join(' ') || 'NA',
          email: billing?.email ?? 'NA',
          phone_number: billing?.phone ?? 'NA',
          apartment: 'NA',
          floor: 'NA',
          street: 'NA',
          building: 'NA',
          shipping_method: 'NA',
          postal_code: 'NA',
          city: 'NA',
          country: 'NA',
          state: 'NA',
        },
      });
      if (!payment.token) throw new Error('paymob gave no payment key');
      const url = `${baseOf(config)}/api/acceptance/iframes/${encodeURIComponent(credential(config, 'iframe_id'))}?payment_token=${encodeURIComponent(payment.token)}`;
      return { providerRef, status: 'requires_action', nextAction: { type: 'redirect', url } };
    },
    async captureIntent({ providerRef, amount }) {
      return { providerRef, status: 'succeeded', amountCaptured: amount };
    },
    async cancelIntent() {
      // A Paymob order without a transaction simply expires with its payment key.
    },
    async refund({ paymentRef, amount }, config) {
      if (!paymentRef) throw new ProviderInputError('intent_id', 'paymob has not reported the transaction of this payment yet');
      const transaction = await post<PaymobTransaction>(config, '/api/acceptance/void_refund/refund', {
        auth_token: await authToken(config),
        transaction_id: Number(paymentRef),
        amount_cents: amount,
      });
      const status = transaction.pending === true ? 'pending' : transaction.success === true ? 'succeeded' : 'failed';
      return { providerRef: `paymob_txn_${String(transaction.id)}`, status };
    },
    parseWebhook({ rawBody, query }, config): ProviderWebhookEvent {
      let body: { type?: unknown; obj?: unknown };
      try {
        body = JSON.parse(rawBody.toString('utf8')) as typeof body;
      } catch {
        throw new WebhookSignatureError('body is not JSON');
      }
      const obj = body.obj;
      if (body.type !== 'TRANSACTION' || !obj || typeof obj !== 'object') throw new WebhookSignatureError('not a transaction callback');
      if (!paymobHmacMatches(hmacSecret(config), processedHmacString(obj as PaymobTransaction), query?.hmac)) {
        throw new WebhookSignatureError('hmac does not match');
      }
      const transaction = obj as PaymobTransaction & { order?: { id?: unknown }; data?: { message?: unknown } };
      const flags = {
        success: transaction.success === true,
        pending: transaction.pending === true,
        child: transaction.has_parent_transaction === true || transaction.is_refunded === true || transaction.is_voided === true,
      };
      const id = `txn_${text(transaction.id)}_${flags.success}_${flags.pending}`;
      const createdAt = Math.floor((Date.parse(text(transaction.created_at)) || Date.now()) / 1000);
      if (flags.child) return { id, type: 'ignored', createdAt };
      const status = statusOf(flags);
      return {
        id,
        type: 'intent',
        createdAt,
        intentRef: text(transaction.order?.id),
        status,
        amount: Number(transaction.amount_cents),
        currency: text(transaction.currency),
        paymentRef: text(transaction.id),
        failureReason: status === 'failed' ? messageOf(transaction.data?.message) : null,
      };
    },
    async parseReturn(query, config): Promise<ProviderReturn | undefined> {
      if (!paymobHmacMatches(hmacSecret(config), responseHmacString(query), query.hmac)) throw new WebhookSignatureError('hmac does not match');
      const flags = { success: query.success === 'true', pending: query.pending === 'true' };
      if (query.has_parent_transaction === 'true' || query.is_refunded === 'true' || query.is_voided === 'true') return undefined;
      const status = statusOf(flags);
      const intentRef = query.order ?? query.order_id ?? '';
      const result: ProviderIntentResult = {
        providerRef: intentRef,
        status,
        ...(query.id ? { paymentRef: query.id } : {}),
        failureReason: status === 'failed' ? messageOf(query['data.message']) : null,
      };
      return { intentRef, result, amount: Number(query.amount_cents), currency: query.currency ?? '' };
    },
    async createCustomer({ customerId }) {
      return { providerRef: `paymob_cus_${customerId}` };
    },
    async createSubscription() {
      throw new ProviderInputError('provider', 'paymob payments do not support subscriptions here');
    },
    async chargeRecurring() {
      throw new ProviderInputError('provider', 'paymob payments do not support subscriptions here');
    },
  };
}

function statusOf({ success, pending }: { success: boolean; pending: boolean }): ProviderIntentStatus {
  return pending ? 'processing' : success ? 'succeeded' : 'failed';
}

function messageOf(message: unknown): string {
  return typeof message === 'string' && message.length > 0 && message.length <= 200 ? message : DECLINED;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Whether `base` is Paymob's own API origin (https, a paymob.com host): credentials never go elsewhere. */
export function isPaymobBase(base: string): boolean {
  try {
    const url = new URL(base);
    return url.protocol === 'https:' && (url.hostname === 'paymob.com' || url.hostname.endsWith('.paymob.com')) && url.pathname.replace(/\/$/, '') === '';
  } catch {
    return false;
  }
}
