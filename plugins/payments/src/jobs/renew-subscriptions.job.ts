import type { JobDefinition } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsServices, type PaymentsOptions } from '../services/payments.js';

/** Renews the tenant's due subscriptions through their providers (dunning retries and period-end cancellations included). */
export function renewSubscriptionsJob({ job }: Builders, options: PaymentsOptions): JobDefinition<'payments.subscriptions.renew', unknown, unknown> {
  return job({
    name: 'payments.subscriptions.renew',
    concurrency: 1,
    async run({ deps, ctx }) {
      const { subscriptions } = paymentsServices({ deps, settings: ctx.settings, tenantId: ctx.tenant.id }, options);
      await subscriptions.renewDue();
    },
  }) as JobDefinition<'payments.subscriptions.renew', unknown, unknown>;
}
