import type { Caller } from '@plinth/sdk';

/** The signed-in user behind a request, if any (API tokens may carry one). */
export function actorOf(caller: Caller): string | null {
  return caller.kind === 'anonymous' ? null : caller.userId;
}
