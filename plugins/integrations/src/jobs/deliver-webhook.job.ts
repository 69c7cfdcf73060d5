import type { Builders } from '../deps.js';
import type { Runtime } from '../options.js';
import { attemptDelivery } from '../webhooks/deliver.js';

/** `integrations.webhook.deliver`: one attempt; the webhook retry schedule is its own, so the job itself rarely fails. */
export function deliverWebhookJob({ job }: Builders, runtime: Runtime) {
  return job({
    name: 'integrations.webhook.deliver',
    concurrency: 10,
    maxRetries: 3,
    async run({ payload, deps, ctx }) {
      await attemptDelivery(deps, runtime, ctx.settings, payload.deliveryId, payload.manual ?? false);
    },
  });
}
