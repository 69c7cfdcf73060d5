// The host loads the default export; other plugins import the contract (service refs and event types).
export { default, createIntegrationsPlugin } from './plugin.js';
export type { IntegrationsOptions } from './options.js';
export * from './contract.js';
