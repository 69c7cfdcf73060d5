import { Type, type AnyRoute } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsErrors } from '../errors.js';
import type { PaymentsOptions } from '../services/payments.js';
import { servicesFor } from './context.js';

const WebhookParams = Type.Object({ provider: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }), tenant: Type.String({ minLength: 1, maxLength: 100 }) });
// Paymob signs its callbacks in `?hmac=`; other providers sign headers.
const WebhookQuery = Type.Object({ hmac: Type.Optional(Type.String({ maxLength: 256 })) });
const Receipt = Type.Object({ received: Type.Literal(true), event_id: Type.String(), duplicate: Type.Boolean() });

/** `POST /api/v1/payments/webhooks/:provider/:tenant`: public, verified by the provider's signature over the raw body. */
export function webhookRoutes({ route }: Builders, options: PaymentsOptions): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/webhooks/:provider/:tenant',
      summary: "A provider's webhook for one tenant (signature verified over the raw body; duplicates acknowledged)",
      errors: [paymentsErrors.invalid_signature],
      // Verified by signature; the limit only stops a flood (providers retry a 429 later).
      rateLimit: { per: 'ip', max: 600, windowSeconds: 60 },
      public: true,
      tenantParam: 'tenant',
      body: { types: ['application/json', 'text/plain'], limitBytes: 512 * 1024 },
      schema: { params: WebhookParams, query: WebhookQuery, response: Receipt },
      async handler({ params, query, deps, ctx }) {
        const signed: Record<string, string> = query.hmac !== undefined ? { hmac: query.hmac } : {};
        return servicesFor(deps, ctx, options).webhooks.receive(params.provider, ctx.rawBody, ctx.headers, signed);
      },
    }),
  ];
}
