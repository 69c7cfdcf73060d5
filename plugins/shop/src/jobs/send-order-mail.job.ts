import type { JobDefinition } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { sendOrderMail } from '../services/emails.js';

/** After an order is placed for manual payment, paid or refunded: the mail to the buyer (or the staff notice). */
export function sendOrderMailJob({ job }: Builders): JobDefinition<'shop.order.mail', unknown, unknown> {
  return job({
    name: 'shop.order.mail',
    // A mail server that is down: retry with backoff. The mail's idempotency key keeps a retry from sending twice.
    maxRetries: 8,
    async run({ payload, deps, ctx }) {
      await sendOrderMail({ deps, settings: ctx.settings, tenant: ctx.tenant }, payload);
    },
  }) as JobDefinition<'shop.order.mail', unknown, unknown>;
}
