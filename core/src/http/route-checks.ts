import type { CoreRoute } from './route.js';
import { compileSchema } from './validation.js';

/**
 * What stops the boot before a route is served, each error naming plugin and route: a route that does not say who
 * may call it, a root route under `/api/`, a request schema ajv refuses, a rate limit that cannot be counted, a static path registered after a parametric sibling that would shadow
 * it. `routerOf` says which router serves a route (routes are matched in registration order within one router).
 */
export function checkRoutes(routes: readonly CoreRoute[], routerOf: (route: CoreRoute) => unknown): void {
  assertAccessDeclared(routes);
  for (const route of routes) {
    compileRouteSchemas(route);
    assertRateLimit(route);
    if (route.root && (route.path === '/api' || route.path.startsWith('/api/')))
      throw new Error(
        `${where(route)}root route ${route.method} ${route.path} lies under /api/, which belongs to the platform's API: API requests never reach root routes`,
      );
    if (route.readOnly && route.method !== 'GET')
      throw new Error(`${where(route)}route ${route.method} ${route.path} is flagged readOnly: only GET routes may be`);
  }
  const byRouter = new Map<unknown, CoreRoute[]>();
  for (const route of routes) {
    const router = routerOf(route);
    const list = byRouter.get(router);
    if (list) list.push(route);
    else byRouter.set(router, [route]);
  }
  for (const list of byRouter.values()) assertNoShadowedPaths(list);
}

/** Checks that every route states who may call it; a route without `access` stops the boot, naming the route. */
export function assertAccessDeclared(routes: readonly CoreRoute[]): void {
  for (const route of routes) {
    const access = route.access as Record<string, unknown> | undefined;
    if (!access || !['public', 'user', 'permission', 'member', 'superAdmin'].some((key) => access[key])) {
      throw new Error(`${where(route)}route ${route.method} ${route.path} declares neither a permission nor public access`);
    }
  }
}

/** Compiles a route's request schemas now (they are compiled once); a schema ajv cannot compile throws, naming plugin and route. */
export function compileRouteSchemas(route: CoreRoute): void {
  const { params, query, body } = route.schema ?? {};
  try {
    if (params) compileSchema(params, 'coercing');
    if (query) compileSchema(query, 'coercing');
    if (body) compileSchema(body, route.method === 'PATCH' ? 'change' : 'strict');
  } catch (error) {
    throw new Error(`${where(route)}route ${route.method} ${route.path} has a schema that cannot be compiled: ${(error as Error).message}`, { cause: error });
  }
}

/** A route's rate limit counts whole calls in a positive window, and per principal only where there is one (not on public routes). */
export function assertRateLimit(route: CoreRoute): void {
  const limit = route.rateLimit;
  if (!limit) return;
  const problem =
    limit.per !== 'ip' && limit.per !== 'principal'
      ? `per must be 'ip' or 'principal' (got ${String(limit.per)})`
      : !Number.isInteger(limit.max) || limit.max < 1
        ? `max must be a positive integer (got ${limit.max})`
        : !Number.isFinite(limit.windowSeconds) || limit.windowSeconds <= 0
          ? `windowSeconds must be positive (got ${limit.windowSeconds})`
          : limit.per === 'principal' && 'public' in route.access
            ? "per 'principal' needs a signed-in caller, and the route is public: limit it per 'ip'"
            : undefined;
  if (problem) throw new Error(`${where(route)}route ${route.method} ${route.path} has a rate limit that cannot be enforced: ${problem}`);
}

/**
 * A router tries its routes in the order they were registered, so `GET /contacts/:id` registered before
 * `GET /contacts/export` answers every request for the export (with `id` = `export`). Throws naming both routes.
 */
export function assertNoShadowedPaths(routes: readonly CoreRoute[]): void {
  const seen: { route: CoreRoute; segments: string[] }[] = [];
  for (const route of routes) {
    const segments = route.path.split('/');
    for (const earlier of seen) {
      if (earlier.route.method === route.method && shadows(earlier.segments, segments)) {
        const owner = earlier.route.plugin === route.plugin ? '' : ` (${earlier.route.plugin ? `plugin \`${earlier.route.plugin}\`` : 'core'})`;
        throw new Error(
          `${where(route)}route ${route.method} ${route.path} is registered after route ${earlier.route.method} ${earlier.route.path}${owner}, ` +
            'which matches its path first: list the static path before the parametric one',
        );
      }
    }
    seen.push({ route, segments });
  }
}

/** Whether a path of `earlier` segments matches every path of `later` ones, being wider in at least one segment. */
function shadows(earlier: readonly string[], later: readonly string[]): boolean {
  if (earlier.length !== later.length) return false;
  let wider = false;
  for (let index = 0; index < earlier.length; index++) {
    const a = earlier[index]!;
    const b = later[index]!;
    if (isParameter(a)) {
      if (!isParameter(b)) wider = true;
    } else if (isParameter(b) || a !== b) {
      return false;
    }
  }
  return wider;
}

/** A whole-segment parameter (`:id`); a segment with a parameter inside (`:name.json`) is compared as text. */
function isParameter(segment: string): boolean {
  return /^:[A-Za-z_$][\w$]*$/.test(segment);
}

function where(route: CoreRoute): string {
  return route.plugin ? `plugin \`${route.plugin}\`: ` : '';
}
