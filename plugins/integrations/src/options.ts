/** Host-level options of Integrations (the kernel has no host-level plugin configuration yet: see the README). */
export interface IntegrationsOptions {
  /** Per-attempt timeout of a webhook delivery, in ms (default 10 s). */
  deliveryTimeoutMs?: number;
  /** Where the Twilio client sends its requests (default Twilio's own hosts, or `PLINTH_INTEGRATIONS_TWILIO_BASE_URL`). */
  twilioBaseUrl?: string;
}

/** The options as handlers use them. */
export interface Runtime {
  deliveryTimeoutMs: number;
  twilioBaseUrl(): string | undefined;
}

/** Options, with the environment's defaults. */
export function runtimeOf(options: IntegrationsOptions = {}): Runtime {
  return {
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
    twilioBaseUrl: () => options.twilioBaseUrl ?? (process.env.PLINTH_INTEGRATIONS_TWILIO_BASE_URL || undefined),
  };
}
