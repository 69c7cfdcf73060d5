import type { HttpClient, HttpRequestInit } from '@plinth/sdk';
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { Cache } from '../cache/cache.js';
import { inSpan, SpanKind, traceCarrier, traceKey, tracing } from './tracing.js';

/**
 * A database statement's span (`SELECT`, `INSERT`…, kind client): the SQL text without its parameters, and the
 * tenant the transaction works for (`scope`: a tenant id, `system` or `global`).
 */
export function statementSpan<T>(text: string, scope: string, run: () => Promise<T>): Promise<T> {
  const operation = (/^\s*(\w+)/.exec(text)?.[1] ?? 'query').toUpperCase();
  const attributes: Attributes = {
    'db.system': 'postgresql',
    'db.system.name': 'postgresql',
    'db.operation.name': operation,
    'db.statement': text,
    'db.query.text': text,
    ...(scope !== 'system' && scope !== 'global' ? { 'tenant.id': scope } : { 'plinth.db.scope': scope }),
  };
  return inSpan(operation, { kind: SpanKind.CLIENT, attributes }, run);
}

/** What a cache key says about its owner without its value: up to its first `:` (`tenant`, `plugin`, …). */
function keyPrefix(key: string): string {
  const end = key.indexOf(':');
  return end < 0 ? key : key.slice(0, end);
}

/**
 * The cache with a span around each call that may wait (`cache get`, `cache getOrLoad`, `cache set`, `cache delete`),
 * reads tagged `cache.hit`. `peek` (a synchronous in-process hit) is left bare: it is the per-request fast path.
 */
export function tracedCache(cache: Cache): Cache {
  const attributes = (operation: string, key: string): Attributes => ({
    'cache.operation': operation,
    'cache.key_prefix': keyPrefix(key),
    'cache.store': cache.kind,
  });
  return {
    ...cache,
    peek: (key) => cache.peek(key),
    get: <T>(key: string) =>
      inSpan('cache get', { kind: SpanKind.CLIENT, attributes: attributes('get', key) }, async (span) => {
        const value = await cache.get<T>(key);
        span?.setAttribute('cache.hit', value !== undefined);
        return value;
      }),
    getOrLoad: <T>(key: string, ttlMs: number, load: () => Promise<T | undefined>) =>
      inSpan('cache getOrLoad', { kind: SpanKind.CLIENT, attributes: attributes('getOrLoad', key) }, async (span) => {
        let loaded = false;
        const value = await cache.getOrLoad<T>(key, ttlMs, () => ((loaded = true), load()));
        span?.setAttribute('cache.hit', !loaded);
        return value;
      }),
    set: (key, value, ttlMs) => inSpan('cache set', { kind: SpanKind.CLIENT, attributes: attributes('set', key) }, () => cache.set(key, value, ttlMs)),
    delete: (key) => inSpan('cache delete', { kind: SpanKind.CLIENT, attributes: attributes('delete', key) }, () => cache.delete(key)),
    ping: (timeoutMs) => cache.ping(timeoutMs),
    close: () => cache.close(),
  };
}

/**
 * The outbound HTTP client with a client span around each request (`<METHOD>`, the URL without its query or
 * credentials, the answer's status), whose trace context goes out in the `traceparent` header.
 */
export function tracedHttpClient(client: HttpClient): HttpClient {
  return {
    check: (value) => client.check(value),
    fetch(input, init: HttpRequestInit = {}) {
      const url = new URL(input);
      const method = (init.method ?? 'GET').toUpperCase();
      const attributes: Attributes = {
        'http.request.method': method,
        'url.full': `${url.protocol}//${url.host}${url.pathname}`,
        'server.address': url.hostname,
        ...(url.port ? { 'server.port': Number(url.port) } : {}),
      };
      return inSpan(method, { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const carrier = traceCarrier();
        const response = await client.fetch(url, carrier ? { ...init, headers: { ...init.headers, ...carrier } } : init);
        span?.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) span?.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      });
    },
  };
}

/** What a job run's span reads of agenda's job. */
interface JobAttributes {
  attrs: { name: string; _id?: unknown; data?: unknown; failCount?: number | null };
}

/**
 * `run` (agenda's handler of job `name`), each run in a consumer span `job <name>` that continues the trace whose
 * context the job's data carries ({@link traceKey}), or starts one: `job.attempt`, `tenant.id` (the data's
 * `tenantId`) and `plugin` (the name's first segment, but for core's jobs). As it is, with tracing off.
 */
export function tracedJobRuns<J extends JobAttributes>(name: string, run: (job: J) => Promise<void>): (job: J) => Promise<void> {
  if (!tracing) return run;
  const owner = name.slice(0, name.indexOf('.'));
  const plugin = owner && owner !== 'core' ? { plugin: owner } : {};
  return (job) => {
    const data = (job.attrs.data ?? {}) as { tenantId?: unknown; [traceKey]?: unknown };
    const attributes: Attributes = {
      'job.name': name,
      'job.id': String(job.attrs._id),
      'job.attempt': (job.attrs.failCount ?? 0) + 1,
      ...plugin,
      ...(typeof data.tenantId === 'string' ? { 'tenant.id': data.tenantId } : {}),
    };
    // Never the context agenda happened to run in (a previous job's, a notification's): the job's own, or a new trace.
    return inSpan(`job ${name}`, { kind: SpanKind.CONSUMER, attributes, parent: data[traceKey] ?? null }, () => run(job));
  };
}

/** The span of one event's delivery to one handler (`event <name>`, kind consumer), with its plugin and tenant. */
export function deliverySpan<T>(
  event: { id: string; name: string },
  handler: { plugin: string; id: string },
  tenantId: string,
  run: () => Promise<T>,
): Promise<T> {
  if (!tracing) return run();
  const attributes: Attributes = { 'event.name': event.name, 'event.id': event.id, 'event.handler': handler.id, plugin: handler.plugin, 'tenant.id': tenantId };
  return inSpan(`event ${event.name}`, { kind: SpanKind.CONSUMER, attributes }, run);
}
