// The host loads the default export; other plugins import the contract (event types, permissions, settings).
export { default } from './plugin.js';
export * from './contract.js';
