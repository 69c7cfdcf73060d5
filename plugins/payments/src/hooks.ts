import { bailHook, type BailHook } from '@plinth/sdk';
import type { PaymentProvider } from './providers/provider.js';

declare module '@plinth/sdk' {
  interface PlinthHooks {
    /**
     * Asked for a provider payments does not ship, by name (`{ name: 'paymob' }`): the first tap returning a
     * {@link PaymentProvider} supplies it. Taps of plugins the tenant has not enabled are skipped.
     */
    'payments.providers.resolve': BailHook<{ name: string }, PaymentProvider>;
  }
}

/** The hooks payments offers. */
export const paymentsHooks = { 'payments.providers.resolve': bailHook<{ name: string }, PaymentProvider>() };
