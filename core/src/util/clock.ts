import type { Clock } from '@plinth/sdk';

/** The clock of a kernel nobody gave another one (`services.clock` replaces it). */
export const systemClock: Clock = { now: () => new Date() };
