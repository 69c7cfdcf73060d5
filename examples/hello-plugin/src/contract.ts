import type { PlinthEvents } from '@plinth/sdk';

/** Hello's public contract: its events, and its permissions and settings schema for hosts. Change it only compatibly. */

declare module '@plinth/sdk' {
  interface PlinthEvents {
    /** A member posted a greeting on the wall. */
    'hello.greeting.posted': { greetingId: string; message: string };
  }
}

/** The events Hello emits. */
export type HelloEvents = Pick<PlinthEvents, 'hello.greeting.posted'>;

export { helloPermissions } from './permissions.js';
export { HelloSettings } from './settings.js';
