import { systemClock, type Clock } from './clock.js';

/** Host-level options of Integrations (the kernel has no host-level plugin configuration yet: see the README). */
export interface IntegrationsOptions {
  /** The time deliveries and retries are computed from (tests pass one they move). */
  clock?: Clock;
  /** Deliveries may go to loopback addresses (development and tests). Default: `PLINTH_INTEGRATIONS_ALLOW_LOOPBACK === 'true'`, read at each delivery. */
  allowLoopback?: boolean;
  /** Per-attempt timeout of a webhook delivery, in ms (default 10 s). */
  deliveryTimeoutMs?: number;
  /** Where the Twilio client sends its requests (default Twilio's own hosts, or `PLINTH_INTEGRATIONS_TWILIO_BASE_URL`). */
  twilioBaseUrl?: string;
}

/** The options as handlers use them. */
export interface Runtime {
  clock: Clock;
  loopbackAllowed(): boolean;
  deliveryTimeoutMs: number;
  twilioBaseUrl(): string | undefined;
}

/** Options, with the environment's defaults. */
export function runtimeOf(options: IntegrationsOptions = {}): Runtime {
  return {
    clock: options.clock ?? systemClock,
    loopbackAllowed: () => options.allowLoopback ?? process.env.PLINTH_INTEGRATIONS_ALLOW_LOOPBACK === 'true',
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
    twilioBaseUrl: () => options.twilioBaseUrl ?? (process.env.PLINTH_INTEGRATIONS_TWILIO_BASE_URL || undefined),
  };
}
