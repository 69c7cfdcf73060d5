import { NotFoundError, Redirect, Reply, Type, type AnyRoute } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsErrors } from '../errors.js';
import type { PaymentsOptions } from '../services/payments.js';
import { servicesFor } from './context.js';
import { IdParams, IntentStatus } from './schemas.js';

/** The header a payer sends its client secret in when reading an intent. */
export const CLIENT_SECRET_HEADER = 'payment-client-secret';

const PayerIntent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  provider: Type.String(),
  status: IntentStatus,
  amount: Type.Integer({ description: 'Minor units' }),
  currency: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  next_action: Type.Union([
    Type.Object({ type: Type.String({ description: 'challenge | stripe_payment_element | redirect | manual_payment' }) }, { additionalProperties: true }),
    Type.Null(),
  ]),
  failure_reason: Type.Union([Type.String(), Type.Null()]),
});
const PayerConfirmBody = Type.Object(
  {
    client_secret: Type.String({ minLength: 1, maxLength: 200, description: 'The intent’s client secret, given to its creator' }),
    payment_method: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A test card number, or the gateway’s payment method id' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Completes a challenge: approve | deny' })),
    return_url: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'Where a redirect gateway sends the buyer back (absolute http(s) URL)' }),
    ),
    billing: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const ReturnParams = Type.Object({ provider: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }), tenant: Type.String({ minLength: 1, maxLength: 100 }) });
const ReturnQuery = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }), { maxProperties: 60 });

/**
 * The payer's routes: public (no staff permission), keyed by the intent's client secret; a wrong or missing secret
 * is `404`, like an unknown id. And the gateways' browser returns (Paymob's response callback).
 */
export function payerRoutes({ route }: Builders, options: PaymentsOptions): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/pay/:id',
      summary: 'An intent as its payer sees it (client secret in the Payment-Client-Secret header)',
      public: true,
      rateLimit: { per: 'ip', max: 120, windowSeconds: 60 },
      schema: { params: IdParams, response: PayerIntent },
      async handler({ params, deps, ctx }) {
        const secret = ctx.headers[CLIENT_SECRET_HEADER];
        const intent = typeof secret === 'string' ? await servicesFor(deps, ctx, options).intents.payerView(params.id, secret) : undefined;
        if (!intent) throw new NotFoundError('Payment intent not found');
        return intent;
      },
    }),
    route({
      method: 'POST',
      path: '/pay/:id/confirm',
      summary: 'Confirm as the payer (a test card, a challenge action, or start a redirect gateway’s page)',
      errors: [paymentsErrors.intent_not_confirmable, paymentsErrors.provider_unavailable],
      public: true,
      rateLimit: { per: 'ip', max: 30, windowSeconds: 60 },
      schema: { params: IdParams, body: PayerConfirmBody, response: PayerIntent },
      async handler({ params, body, deps, ctx }) {
        const { client_secret, return_url, ...input } = body;
        return servicesFor(deps, ctx, options).intents.confirmAsPayer(params.id, client_secret, {
          ...input,
          ...(return_url !== undefined ? { returnUrl: return_url } : {}),
        });
      },
    }),
    route({
      method: 'GET',
      path: '/returns/:provider/:tenant',
      summary: "A gateway's signed browser return (Paymob's response callback): verified, applied, then back to the payer's return URL",
      errors: [paymentsErrors.invalid_signature],
      public: true,
      tenantParam: 'tenant',
      rateLimit: { per: 'ip', max: 60, windowSeconds: 60 },
      schema: { params: ReturnParams, query: ReturnQuery, response: Redirect(303, 'Back to the return URL the payer gave, once verified') },
      async handler({ params, query, deps, ctx }) {
        const outcome = await servicesFor(deps, ctx, options).intents.completeReturn(params.provider, query);
        if (outcome === 'invalid') throw paymentsErrors.invalid_signature('The return is not signed by the gateway');
        if (outcome === 'unknown' || !outcome.return_url) throw new NotFoundError('No payment to return to');
        return Reply.redirect(outcome.return_url, 303, { 'cache-control': 'no-store' });
      },
    }),
  ];
}
