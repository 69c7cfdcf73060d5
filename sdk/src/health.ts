import type { Clock, HttpClient } from './http.js';
import type { PluginLogger, PluginSecrets } from './services.js';

/**
 * What a plugin's readiness checks receive: host-wide services only. Readiness is the process's (can it take
 * traffic?), never a tenant's, so there is no tenant database, cache or settings here.
 */
export interface ReadinessServices {
  /** The host's logger, naming the plugin: put a failure's details here (the HTTP answer shows only a generic reason). */
  logger: PluginLogger;
  /** Outbound HTTP refusing internal destinations (`coreServices.http`). */
  http: HttpClient;
  clock: Clock;
  /** The host's secret box (`coreServices.secrets`), e.g. to check that a sealed host-level credential opens. */
  secrets: PluginSecrets;
}

/**
 * One readiness check of a plugin, run by `GET /health/ready` alongside core's (database, Redis, job listener,
 * storage), in parallel, each bounded by {@link readinessTimeoutMs}. It resolves when the plugin can serve; a
 * throw, or a check still running at the timeout, marks it `down` and the process not ready (503), so a load
 * balancer stops sending it traffic. Check what this process needs to serve (a local model loaded, a required
 * host-level configuration present), not third-party services: a payment provider's outage would otherwise take
 * every API process out of rotation at once.
 */
export interface ReadinessCheck {
  /** kebab-case, unique within the plugin; shown as `<plugin>.<name>` in `/health/ready`. */
  name: string;
  /** Resolves when ready; throws when not (the message is logged, never answered). `signal` aborts at the timeout. */
  check(input: { signal: AbortSignal }): Promise<void>;
}

/**
 * A plugin's readiness checks (`definePlugin({ readiness })`), built once per process from host-wide services.
 *
 * @example
 * ```ts
 * readiness: ({ secrets }) => [
 *   { name: 'signing-key', check: async () => void secrets.open(process.env.ACME_SEALED_KEY ?? '') },
 * ],
 * ```
 */
export type ReadinessChecks = (services: ReadinessServices) => readonly ReadinessCheck[];

/** How long one plugin readiness check may take before it counts as `down`. */
export const readinessTimeoutMs = 2000;
