// The host loads the default export; other plugins import the contract (service refs and event types).
export { default } from './plugin.js';
export * from './contract.js';
