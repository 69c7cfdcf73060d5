import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ProcessRole } from '../config/variables.js';
import { detectTracing } from './tracing.js';

/** A started OpenTelemetry SDK: {@link shutdown} exports what is still buffered, then stops it. */
export interface Tracing {
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** What this process runs, recorded on every span's resource as `plinth.role`. */
  role: ProcessRole;
  /** Where spans go instead of the exporters the environment names (a test's in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Whether the environment asks for traces: an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, or its traces-only
 * variant) or an exporter named in `OTEL_TRACES_EXPORTER` other than `none`, and the SDK not disabled
 * (`OTEL_SDK_DISABLED`).
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim().toLowerCase()) ?? [];
  if (exporters.includes('none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporters.some((name) => name !== ''));
}

/**
 * Starts the OpenTelemetry SDK (telemetry/sdk.ts) when the environment asks for traces ({@link tracingRequested})
 * or a test hands its own span processors; call it before creating the kernel, which then makes spans. Otherwise
 * it loads nothing, returns undefined, and the kernel makes no spans.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingRequested(env)) return undefined;
  const { startSdk } = await import('./sdk.js');
  const tracing = startSdk(options, env);
  detectTracing();
  return tracing;
}
