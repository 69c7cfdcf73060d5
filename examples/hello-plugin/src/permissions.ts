import { definePermissions } from '@plinth/sdk';

/** What Hello lets roles do; the roles in `grantTo` gain them when their tenant enables Hello. */
export const helloPermissions = definePermissions('hello', {
  'greetings.view': { description: 'Read the greeting and the wall', grantTo: ['admin', 'member', 'viewer'] },
  'greetings.manage': { description: 'Post and remove greetings', grantTo: ['admin', 'member'] },
});
