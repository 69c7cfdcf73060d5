import type { JobDefinition } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { signWebhook } from '../providers/stripe-signature.js';
import { TEST_SIGNATURE_HEADER } from '../providers/test-provider.js';
import { paymentsServices, type PaymentsOptions } from '../services/payments.js';

/**
 * The test gateway's webhook delivery: the event is serialised, signed with the tenant's test webhook secret like
 * Stripe signs, and handed to the same verify-and-apply path as webhooks received over HTTP.
 */
export function testGatewayDeliverJob({ job }: Builders, options: PaymentsOptions): JobDefinition<'payments.test-gateway.deliver', unknown, unknown> {
  return job({
    name: 'payments.test-gateway.deliver',
    async run({ payload, deps, ctx }) {
      const services = paymentsServices({ deps, settings: ctx.settings, tenantId: ctx.tenant.id }, options);
      const { config } = await services.providers.resolveForWebhook('test');
      const rawBody = Buffer.from(JSON.stringify(payload.event));
      const signature = signWebhook(config.webhookSecret!, rawBody, Math.floor(Date.now() / 1000));
      await services.webhooks.receive('test', rawBody, { [TEST_SIGNATURE_HEADER]: signature, 'content-type': 'application/json' });
    },
  }) as JobDefinition<'payments.test-gateway.deliver', unknown, unknown>;
}
