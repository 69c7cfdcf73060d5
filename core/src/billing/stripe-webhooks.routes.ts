import { Type } from '@sinclair/typebox';
import { coreErrors } from '../http/core-errors.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { StripeProvider } from './stripe-provider.js';

const Receipt = Type.Object({ received: Type.Literal(true), event_id: Type.String(), duplicate: Type.Boolean() });

/**
 * `POST /api/v1/billing/webhooks/stripe`: the host's Stripe account reporting its tenants' subscriptions and invoices
 * (docs/billing.md §Stripe). Public, verified by its signature over the raw body; answered 400
 * `webhook_signature_invalid` (nothing written) when it does not verify, or when the host does not bill with Stripe.
 */
export const stripeWebhook = defineRoute({
  method: 'POST',
  path: '/billing/webhooks/stripe',
  summary: "Stripe's billing events (signature verified over the raw body; each event applied once)",
  tag: 'billing',
  public: true,
  // Verified by signature; the limit only stops a flood (Stripe retries a 429 later).
  rateLimit: { per: 'ip', max: 1200, windowSeconds: 60 },
  body: { types: ['application/json'], limitBytes: 512 * 1024 },
  schema: { response: Receipt },
  errors: [coreErrors.webhook_signature_invalid, coreErrors.billing_provider_unavailable],
  deps: { billing: kernelRefs.billing },
  async handler({ ctx, db, deps }) {
    const provider = deps.billing.provider;
    if (!(provider instanceof StripeProvider)) {
      throw coreErrors.webhook_signature_invalid('This host does not bill with Stripe', { errors: { signature: ['no Stripe webhook secret is configured'] } });
    }
    return provider.webhooks.receive(db, ctx.request.rawBody, ctx.headers['stripe-signature']);
  },
});

/** Stripe Billing's routes. */
export const stripeWebhookRoutes: readonly CoreRoute[] = [stripeWebhook];
