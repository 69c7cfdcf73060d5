import type { PaymentsApi } from '../contract.js';
import type { Scope } from '../deps.js';
import { idempotent } from './idempotency.js';
import { paymentsServices, type PaymentsOptions } from './payments.js';

/** The {@link PaymentsApi} other plugins receive: the same intents and refunds, with the same idempotency, in their unit of work. */
export function createPaymentsApi(scope: Scope, options: PaymentsOptions): PaymentsApi {
  const { intents, refunds } = paymentsServices(scope, options);
  return {
    async createIntent({ idempotencyKey, ...input }) {
      const result = await idempotent(scope.deps.db, 'intents.create', idempotencyKey, input, async () => ({ status: 201, data: await intents.create(input) }));
      return result.data;
    },
    getIntent: (id) => intents.get(id),
    cancelIntent: (id) => intents.cancel(id),
    async refund({ idempotencyKey, ...input }) {
      const result = await idempotent(scope.deps.db, 'refunds.create', idempotencyKey, input, async () => ({ status: 201, data: await refunds.create(input) }));
      return result.data;
    },
  };
}
