// The host loads the default export; other plugins import the contract (service refs and event types) and the hook types.
export { default } from './plugin.js';
export * from './contract.js';
export type { CartDiscount, CartDiscountContext, CartDiscounts } from './hooks.js';
export { shopPermissions } from './permissions.js';
export { ShopSettings } from './settings.js';
