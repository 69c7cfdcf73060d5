import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { version } from '../version.js';

/** The kernel's tracer: a proxy until an OpenTelemetry SDK is registered, then that SDK's. */
export const tracer = trace.getTracer('plinth', version);

/**
 * Whether the kernel makes spans: decided once, when a kernel is created ({@link detectTracing}), so that code
 * which composes once (a route's stages, the cache, the HTTP client) composes without spans when it is off and
 * per-call code pays one boolean test. Off, no span object is made and the async context is never switched.
 */
export let tracing = false;

/**
 * Looks whether an OpenTelemetry SDK is registered (by `startTracing`, the host's own setup, or a test) and sets
 * {@link tracing}. A probe span is started and never ended, so nothing is exported for it.
 */
export function detectTracing(): boolean {
  tracing = isSpanContextValid(tracer.startSpan('plinth.probe', { root: true }).spanContext());
  return tracing;
}

/**
 * A trace context to carry across processes, in the headers of the SDK's propagators: W3C `traceparent` (and
 * `tracestate`, `baggage`) by default, as `OTEL_PROPAGATORS` says otherwise.
 */
export type TraceCarrier = Record<string, string>;

/** The active trace context as a {@link TraceCarrier}, or undefined (tracing off, or no span is active). */
export function traceCarrier(): TraceCarrier | undefined {
  if (!tracing) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier, defaultTextMapSetter);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** What a span is made with. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * Continue the trace this {@link TraceCarrier} names (from a job's data) instead of the active one; `null`, or a
   * carrier without a valid context, starts a new trace.
   */
  parent?: unknown;
}

/**
 * Runs `fn` inside a span named `name`, ended when `fn` returns or, for a promise, settles; a throw or rejection is
 * recorded on the span (status error) and passed on. Under a span of a trace the sampler dropped, `fn`
 * runs without a span of its own. With tracing off it is `fn()` and nothing else, though hot
 * paths test {@link tracing} themselves so as not to build the attributes either.
 */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span?: Span) => T): T {
  if (!tracing) return fn();
  const parent = options.parent === undefined ? context.active() : remoteContext(options.parent);
  // Below a span the sampler dropped, no span is made (a parent-based sampler would drop it too): sampling a
  // fraction of traces saves the work of the others' spans, not only their export.
  if (unsampled(parent)) return options.parent === undefined ? fn() : context.with(parent, fn);
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) }, parent);
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (error) {
    failed(span, error);
    span.end();
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** Whether `parent` holds a span (local, or remote: a request's, a job's) of a trace the sampler dropped. */
function unsampled(parent: Context): boolean {
  const spanContext = trace.getSpanContext(parent);
  return spanContext !== undefined && isSpanContextValid(spanContext) && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0;
}

/** The context a carrier continues (anything without a valid trace context: a new trace). */
function remoteContext(carrier: unknown): Context {
  if (carrier === null || typeof carrier !== 'object') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/** Records a failure on a span: the exception as an event, the status as error with the error's message. */
export function failed(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
}

/** The key under which job data carries the trace context of whoever queued the job; handlers never see it. */
export const traceKey = '_trace';

/** `data` with the active trace context under {@link traceKey}, when tracing is on, data is an object, and it holds none yet. */
export function withTraceOf<Data>(data: Data): Data {
  if (!tracing || data === null || typeof data !== 'object' || Array.isArray(data) || traceKey in data) return data;
  const carrier = traceCarrier();
  return carrier ? { ...data, [traceKey]: carrier } : data;
}

/** Job data without the trace context it carried (whether tracing is on or not: a traced process may have queued it). */
export function withoutTrace(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || !(traceKey in data)) return data;
  const { [traceKey]: _carrier, ...rest } = data as Record<string, unknown>;
  return rest;
}

export { SpanKind };
