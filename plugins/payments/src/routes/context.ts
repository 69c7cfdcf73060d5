import type { RequestContext } from '@plinth/sdk';
import type { Deps, Settings } from '../deps.js';
import { paymentsServices, type PaymentsOptions, type PaymentsServices } from '../services/payments.js';

/** Payments' services for a request. */
export function servicesFor(deps: Deps, ctx: RequestContext<Settings>, options: PaymentsOptions): PaymentsServices {
  return paymentsServices({ deps, settings: ctx.settings, tenantId: ctx.tenant.id }, options);
}
