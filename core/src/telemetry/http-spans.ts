import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { PlinthMiddleware } from '../http/context.js';
import type { CoreRoute } from '../http/route.js';
import type { Exchange, Stage } from '../http/route-pipeline.js';
import { andThen } from '../util/maybe-promise.js';
import { failed, inSpan, SpanKind, tracer } from './tracing.js';

/**
 * The request's server span around `frame` (the kernel's fixed work of every request): it continues the trace of
 * an incoming `traceparent` (a proxy's, a calling service's), is named `<method> <route>` once a route matched,
 * and ends with the answer's status and request id. Installed only when tracing is on.
 */
export function tracedRequests(frame: PlinthMiddleware): PlinthMiddleware {
  return (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(
      ctx.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method, 'url.path': ctx.path, 'url.scheme': ctx.protocol } },
      parent,
    );
    const settle = () => {
      span.setAttributes({ 'http.response.status_code': ctx.status, 'request.id': ctx.state.requestId });
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    return context
      .with(trace.setSpan(parent, span), () => frame(ctx, next))
      .then(settle, (error: unknown) => {
        failed(span, error);
        span.end();
        throw error;
      });
  };
}

/**
 * A route's stages, each in a span of its own (`stage <name>`), behind one that names the request's server span after
 * the route and tags it with the route's plugin; the tenant, once a stage found it, is set on the server span too.
 * Chosen at mount, when tracing is on.
 */
export function tracedStages(route: CoreRoute, stages: readonly Stage[]): Stage[] {
  const template = `${route.root ? '' : '/api/v1'}${route.path}`;
  const name = `${route.method} ${template}`;
  const named: Stage = () => {
    const server = trace.getActiveSpan();
    server?.updateName(name);
    server?.setAttributes({ 'http.route': template, ...(route.plugin ? { plugin: route.plugin } : {}) });
  };
  return [named, ...stages.map((stage) => tracedStage(stage, route.plugin))];
}

function tracedStage(stage: Stage, plugin: string | undefined): Stage {
  const spanName = `stage ${stage.name}`;
  return (x: Exchange) => {
    const server = trace.getActiveSpan();
    const attributes = { 'plinth.stage': stage.name, ...(plugin ? { plugin } : {}), ...(x.tenant ? { 'tenant.id': x.tenant.id } : {}) };
    return inSpan(spanName, { attributes }, () =>
      andThen(stage(x), () => {
        if (x.tenant) server?.setAttribute('tenant.id', x.tenant.id);
      }),
    );
  };
}
