import cors from '@koa/cors';
import { Router } from '@koa/router';
import Koa from 'koa';
import compose from 'koa-compose';
import type { PlinthConfig } from '../config/variables.js';
import type { Logger } from '../logger.js';
import type { PlinthContext, PlinthMiddleware, PlinthRouter, PlinthState } from './context.js';
import { assertAnswered, writeError } from './error-handler.js';
import type { Metrics } from './metrics.js';
import { requestIdFrom } from './request-id.js';
import { securityHeaders, tlsSecurityHeaders } from './security-headers.js';
import { tracedRequests } from '../telemetry/http-spans.js';
import { tracing } from '../telemetry/tracing.js';

export interface HttpApp {
  app: Koa<PlinthState>;
  /** Routes at the root (`/health`, `/metrics`, plugins' pages). */
  rootRouter: PlinthRouter;
  /** Routes under `/api/v1`. */
  apiRouter: PlinthRouter;
  /**
   * The router for a plugin's route at `path` (`/<plugin>/<segment>/…`, under `/api/v1`), created on first use: one
   * per segment after the plugin's name, and one for the plugin's routes whose path has no fixed segment there.
   */
  pluginRouter(plugin: string, path: string): PlinthRouter;
  /** Installs the middleware that routes plugins' own host names to their root routes (see `host-routing.ts`). */
  routeHosts(middleware: PlinthMiddleware): void;
  /** Marks the app as shutting down: responses ask clients to close their connection. */
  beginDrain(): void;
  /** Resolves when no request is being handled (a client may hang up while its handler still runs). */
  idle(): Promise<void>;
}

/**
 * The request path up to the router: one middleware for the fixed work of every request (request id, headers,
 * errors, metrics, access log, drain), then CORS and host routing (each route reads its own body).
 */
export function createHttpApp(config: PlinthConfig, logger: Logger, metrics: Metrics): HttpApp {
  const app = new Koa<PlinthState>({ proxy: config.trustProxy });
  app.silent = true;
  const rootRouter: PlinthRouter = new Router<PlinthState>();
  const apiRouter: PlinthRouter = new Router<PlinthState>({ prefix: '/api/v1' });
  let draining = false;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;

  const logRequest = requestLog(logger);
  const requestFrame: PlinthMiddleware = async (ctx, next) => {
    inFlight++;
    const started = performance.now();
    const requestId = requestIdFrom(ctx.req.headers['x-request-id'] as string | undefined);
    ctx.state.requestId = requestId;
    const { res } = ctx;
    res.setHeader('X-Request-Id', requestId);
    for (const [name, value] of ctx.secure ? tlsSecurityHeaders : securityHeaders) res.setHeader(name, value);
    try {
      await next();
      assertAnswered(ctx);
    } catch (error) {
      writeError(ctx, error, logger);
    } finally {
      // Checked after the handler, so a request that began before shutdown still releases its connection.
      if (draining) ctx.set('Connection', 'close');
      metrics.observeRequest(ctx, started);
      logRequest(ctx, started);
      if (--inFlight === 0) onIdle?.();
    }
  };
  // With tracing on, every request runs in a server span (telemetry/http-spans.ts); off, nothing is added.
  app.use(tracing ? tracedRequests(requestFrame) : requestFrame);
  if (config.corsOrigins.length > 0) app.use(corsFor(config.corsOrigins) as unknown as PlinthMiddleware);
  let hostRouting: PlinthMiddleware | undefined;
  app.use((ctx, next) => (hostRouting ? hostRouting(ctx as never, next) : next()));
  // Root routes never lie under `/api/` (checkRoutes refuses them there), so API requests skip matching them.
  const rootRoutes = rootRouter.routes();
  app.use((ctx, next) => (ctx.path.startsWith('/api/') ? next() : rootRoutes(ctx as never, next)));
  // Plugin routes are found by the plugin's name and the next segment of the path, so matching tries the few routes
  // of that segment (`/crm/contacts/…`), the same with 1 or 100 plugins. A plugin's routes with no fixed segment
  // there (`/<plugin>`, `/<plugin>/:id`) are tried after them, for every path of the plugin.
  const plugins = new Map<string, PluginRouters>();
  const pluginPath = /^\/api\/v1\/([a-z][a-z0-9-]*)(?:\/([^/]*)|$)/;
  app.use((ctx, next) => {
    const match = pluginPath.exec(ctx.path);
    const routers = match ? plugins.get(match[1]!) : undefined;
    if (!routers) return next();
    // Routers match paths case-insensitively, as @koa/router does by default.
    return (routers.bySegment.get(match![2]?.toLowerCase() ?? '')?.dispatch ?? routers.rest.dispatch)(ctx as never, next);
  });
  app.use(apiRouter.routes());
  app.use(apiRouter.allowedMethods());
  return {
    app,
    rootRouter,
    apiRouter,
    pluginRouter(plugin, path) {
      let routers = plugins.get(plugin);
      if (!routers) {
        const router = new Router<PlinthState>({ prefix: '/api/v1' });
        const rest = { router, dispatch: compose([router.routes(), router.allowedMethods()]) as PlinthMiddleware };
        plugins.set(plugin, (routers = { bySegment: new Map(), rest }));
      }
      const segment = path.split('/')[2]?.toLowerCase();
      if (segment === undefined || segment === '' || segment.startsWith(':')) return routers.rest.router;
      let found = routers.bySegment.get(segment);
      if (!found) {
        const router = new Router<PlinthState>({ prefix: '/api/v1' });
        const rest = routers.rest.router;
        // The segment's routes first, then the plugin's other routes; 405 and OPTIONS know the methods of both.
        found = { router, dispatch: compose([router.routes(), rest.routes(), rest.allowedMethods()]) as PlinthMiddleware };
        routers.bySegment.set(segment, found);
      }
      return found.router;
    },
    routeHosts: (middleware) => (hostRouting = middleware),
    beginDrain: () => (draining = true),
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onIdle = resolve))),
  };
}

/** A router and the middleware that dispatches to it. */
interface SegmentRouter {
  router: PlinthRouter;
  dispatch: PlinthMiddleware;
}

/** A plugin's routers: one per segment after its name, and the rest (paths with no fixed segment there). */
interface PluginRouters {
  bySegment: Map<string, SegmentRouter>;
  rest: SegmentRouter;
}

function corsFor(origins: string[]) {
  const any = origins.includes('*');
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return any || origins.includes(origin) ? origin : '';
    },
    // Browsers' tus clients (resumable uploads, files/resumable.routes.ts) send and read the protocol's headers.
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'Location', 'Tus-Resumable', 'Upload-Offset', 'Upload-Length', 'Upload-Expires', 'Plinth-File-Id'],
    allowHeaders: [
      'Authorization',
      'Content-Type',
      'X-Tenant',
      'X-Request-Id',
      'Idempotency-Key',
      'Tus-Resumable',
      'Upload-Length',
      'Upload-Offset',
      'Upload-Metadata',
    ],
    maxAge: 600,
  });
}

/** The access log line of an answered request (at `info`). */
function requestLog(logger: Logger): (ctx: PlinthContext, startedMs: number) => void {
  return (ctx, startedMs) => {
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round((performance.now() - startedMs) * 10) / 10 },
      'request',
    );
  };
}
