// The package's entry: the host loads the default export; other plugins import the contract (service refs,
// event types, hook types).
export { default } from './plugin.js';
export * from './contract.js';
