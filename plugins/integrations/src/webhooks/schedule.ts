/** Waits after the 1st, 2nd, … failed attempt (Standard Webhooks' suggested schedule): 8 attempts in all. */
export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 24 * 3_600_000] as const;

/** Jitter: each wait is the scheduled one ± this fraction. */
export const RETRY_JITTER = 0.1;

/**
 * When to try again after failed attempt number `attempt` (1-based), or `undefined` once every retry is used.
 * `random` is injectable so the jitter is testable.
 */
export function nextAttemptAt(now: Date, attempt: number, random: () => number = Math.random): Date | undefined {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  if (delay === undefined) return undefined;
  const jittered = delay * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random());
  return new Date(now.getTime() + Math.round(jittered));
}

/** Whether an endpoint subscribed to `patterns` wants event `name` (exact names, `prefix.*`, or `*`). */
export function subscribes(patterns: readonly string[], name: string): boolean {
  return patterns.some((pattern) => pattern === '*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))));
}
