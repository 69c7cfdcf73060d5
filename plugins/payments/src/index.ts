// The package's entry: the host loads the default export (or builds one with `createPaymentsPlugin`);
// other plugins import the contract (service refs, event types, the gateway provider interface).
export { default, createPaymentsPlugin } from './plugin.js';
export type { PaymentsOptions } from './services/payments.js';
export * from './contract.js';
export { paymentsErrors } from './errors.js';
