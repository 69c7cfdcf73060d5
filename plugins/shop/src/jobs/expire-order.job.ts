import type { JobDefinition } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { expireOrder } from '../services/order-transitions.js';

/** At an order's reservation deadline: when it is still unpaid, cancel it and put its stock back. */
export function expireOrderJob({ job }: Builders): JobDefinition<'shop.order.expire', unknown, unknown> {
  return job({
    name: 'shop.order.expire',
    async run({ payload, deps, ctx }) {
      await expireOrder({ deps, settings: ctx.settings, tenant: ctx.tenant }, payload.orderId);
    },
  }) as JobDefinition<'shop.order.expire', unknown, unknown>;
}
