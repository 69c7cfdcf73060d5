import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stand-in Stripe received. */
export interface StripeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form: Record<string, string>;
}

/** What the stand-in answers: a status and a JSON body in Stripe's published shapes. */
export type StripeAnswer = { status: number; body: unknown };

/** A small local HTTP server standing in for api.stripe.com: records requests, answers with `answer`. */
export async function startStripeStandIn(answer: (request: StripeRequest) => StripeAnswer) {
  const requests: StripeRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      };
      requests.push(request);
      const { status, body } = answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A PaymentIntent as Stripe returns it (the fields of the published object payments reads, and a few more). */
export function stripeIntent(id: string, fields: { amount: number; currency: string; status: string; [key: string]: unknown }) {
  return {
    id,
    object: 'payment_intent',
    amount_capturable: 0,
    amount_received: fields.status === 'succeeded' ? fields.amount : 0,
    capture_method: 'automatic',
    client_secret: `${id}_secret_abc`,
    confirmation_method: 'automatic',
    created: Math.floor(Date.now() / 1000),
    last_payment_error: null,
    livemode: false,
    metadata: {},
    next_action: null,
    payment_method: null,
    payment_method_types: ['card'],
    ...fields,
  };
}

/** A Checkout Session as Stripe returns it (the published fields payments reads, and a few more). */
export function stripeCheckoutSession(
  id: string,
  fields: { amount_total: number; currency: string; payment_status: 'paid' | 'unpaid'; status: 'open' | 'complete' | 'expired'; [key: string]: unknown },
) {
  return {
    id,
    object: 'checkout.session',
    mode: 'payment',
    url: `https://checkout.stripe.test/c/pay/${id}`,
    client_reference_id: null,
    customer: null,
    livemode: false,
    metadata: {},
    payment_intent: fields.payment_status === 'paid' ? `pi_for_${id}` : null,
    created: Math.floor(Date.now() / 1000),
    ...fields,
  };
}
