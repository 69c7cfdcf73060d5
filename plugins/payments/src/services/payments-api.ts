import { NotFoundError } from '@plinth/sdk';
import type { PaymentsApi } from '../contract.js';
import type { Scope } from '../deps.js';
import { idempotent } from './idempotency.js';
import { intentView, withOpenedSecret, withSealedSecret } from './intent-rows.js';
import { paymentsServices, type PaymentsOptions } from './payments.js';

/** The {@link PaymentsApi} other plugins receive: the same intents and refunds, with the same idempotency, in their unit of work. */
export function createPaymentsApi(scope: Scope, options: PaymentsOptions): PaymentsApi {
  const { intents, refunds, providers } = paymentsServices(scope, options);
  return {
    async createIntent({ idempotencyKey, ...input }) {
      const result = await idempotent(scope.deps.db, 'intents.create', idempotencyKey, input, async () => ({
        status: 201,
        data: withSealedSecret(scope.deps.secrets, await intents.create(input)),
      }));
      return withOpenedSecret(scope.deps.secrets, result.data);
    },
    getIntent: (id) => intents.get(id),
    cancelIntent: (id) => intents.cancel(id),
    async refund({ idempotencyKey, ...input }) {
      const result = await idempotent(scope.deps.db, 'refunds.create', idempotencyKey, input, async () => ({ status: 201, data: await refunds.create(input) }));
      return result.data;
    },
    payerView: (id, clientSecret) => intents.payerView(id, clientSecret),
    confirmAsPayer: (id, clientSecret, input) => intents.confirmAsPayer(id, clientSecret, input),
    async completeReturn(provider, query) {
      // A provider the tenant has not configured has no returns to apply.
      const row = await intents.completeReturn(provider, query).catch((error: unknown) => {
        if (error instanceof NotFoundError) return 'unknown' as const;
        throw error;
      });
      return typeof row === 'string' ? undefined : intentView(row);
    },
    checkoutMethod: (provider) => providers.checkoutMethod(provider ?? scope.settings.default_provider),
  };
}
