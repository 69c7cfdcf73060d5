import type { PlinthEvents } from '@plinth/sdk';

declare module '@plinth/sdk' {
  interface PlinthEvents {
    /** A member posted a greeting on the wall. */
    'hello.greeting.posted': { greetingId: string; message: string };
  }
}

/** The events Hello emits. */
export type HelloEvents = Pick<PlinthEvents, 'hello.greeting.posted'>;
