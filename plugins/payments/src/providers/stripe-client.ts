import type Stripe from 'stripe';
/** Stripe's API version the adapter speaks. */
export const STRIPE_API_VERSION = '2024-06-20';

/** A Stripe API error answer (`{ error: { type, code, message, payment_intent? } }`). */
export class StripeApiError extends Error {
  override name = 'StripeApiError';
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly paymentIntent: Record<string, unknown> | undefined,
  ) {
    super(message);
  }
}

type FormValue = string | number | boolean | undefined | null | FormValue[] | { [key: string]: FormValue };

/**
 * Stripe's REST API through the official `stripe` client, with a configurable base URL (host, port, protocol)
 * so a host can point it at a proxy or a local stand-in. Secret keys go in the `Authorization` header only; the
 * client does not retry on its own (the caller's idempotency keys make a retry by the platform safe).
 */
export class StripeClient {
  private readonly connection: { host: string; port: number; protocol: 'http' | 'https' };

  constructor(apiBase: string) {
    const url = new URL(apiBase);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    this.connection = { host: url.hostname, port: Number(url.port) || (protocol === 'http' ? 80 : 443), protocol };
  }

  async post<T>(secretKey: string, path: string, params: Record<string, FormValue>, idempotencyKey?: string): Promise<T> {
    return this.send<T>(secretKey, 'POST', path, withoutBlanks(params), idempotencyKey);
  }

  async get<T>(secretKey: string, path: string): Promise<T> {
    return this.send<T>(secretKey, 'GET', path, {}, undefined);
  }

  private async send<T>(secretKey: string, method: string, path: string, params: Record<string, unknown>, idempotencyKey: string | undefined): Promise<T> {
    // The official client is large: it loads with the first Stripe call, not at boot.
    const { default: StripeSdk } = await import('stripe');
    const stripe: Stripe = new StripeSdk(secretKey, { ...this.connection, apiVersion: STRIPE_API_VERSION as never, maxNetworkRetries: 0, timeout: 20_000 });
    try {
      const answer = (await stripe.rawRequest(method, path, params as never, idempotencyKey ? { idempotencyKey } : {})) as Record<string, unknown>;
      const { lastResponse: _lastResponse, ...body } = answer;
      return body as T;
    } catch (error) {
      if (error instanceof StripeSdk.errors.StripeError) {
        const raw = error.raw as { payment_intent?: Record<string, unknown> } | undefined;
        throw new StripeApiError(error.statusCode ?? 502, error.rawType ?? error.type, error.message, raw?.payment_intent);
      }
      throw error;
    }
  }
}

function withoutBlanks(params: Record<string, FormValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== null));
}
