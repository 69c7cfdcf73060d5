import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { version } from '../version.js';
import type { Tracing, TracingOptions } from './setup.js';

/**
 * Starts the OpenTelemetry SDK (see `startTracing`, which loads this module only when traces are asked for: the
 * SDK takes most of a second to load). The exporter, protocol (OTLP over HTTP with protobuf by default), sampler,
 * propagators, headers and resource come from the standard `OTEL_*` variables; the service is `plinth`
 * (`OTEL_SERVICE_NAME` overrides it) with the process role. Metrics and logs are exported only when
 * `OTEL_METRICS_EXPORTER` or `OTEL_LOGS_EXPORTER` names an exporter: the kernel has its own metrics.
 */
export function startSdk(options: TracingOptions, env: NodeJS.ProcessEnv): Tracing {
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || 'plinth',
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'plinth', [ATTR_SERVICE_VERSION]: version, 'plinth.role': options.role }),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    // The kernel's own spans are the instrumentation: the standard ones for `http` and `pg` need ESM loader hooks.
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
