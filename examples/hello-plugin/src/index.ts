// The host loads the default export; other plugins may import the named ones (and the event types).
export { default } from './plugin.js';
export { helloPermissions } from './permissions.js';
export { HelloSettings } from './settings.js';
export type { HelloEvents } from './events.js';
