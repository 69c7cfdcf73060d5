// The host loads the default export; other plugins import the contract (service refs, event types) and, for
// gateways, the provider interface.
export { default, createPaymentsPlugin } from './plugin.js';
export * from './contract.js';
export type { PaymentsOptions } from './services/payments.js';
export { paymentsPermissions } from './permissions.js';
export { PaymentsSettings } from './settings.js';
export { paymentsHooks } from './hooks.js';
export {
  ProviderInputError,
  WebhookSignatureError,
  type PaymentProvider,
  type ProviderCredentials,
  type ProviderIntentResult,
  type ProviderIntentStatus,
  type ProviderWebhookEvent,
  type RecurringCharge,
} from './providers/provider.js';
export { signWebhook, verifyWebhookSignature, SIGNATURE_TOLERANCE_SECONDS } from './providers/stripe-signature.js';
export { testCards, TEST_SIGNATURE_HEADER } from './providers/test-provider.js';
