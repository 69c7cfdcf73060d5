import { Readable } from 'node:stream';
import { ForbiddenError, NotFoundError, RateLimitedError, RawReply, StreamReply, UnauthenticatedError } from '@plinth/sdk';
import { recordHostAudit, recordTenantAudit, type AuditActor, type AuditEntry } from '../audit/audit.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { apiTokenPrefix, type ApiTokenGrant } from '../auth/api-token-auth.js';
import type { UserState } from '../auth/identity.js';
import { assertSameOrigin, findPageSession, pageCookieOf } from '../customers/page-sessions.js';
import { routeTransaction } from '../db/replica-routing.js';
import { isUuid, LazyTransaction } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { Logger } from '../logger.js';
import type { TenantPluginState } from '../plugins/tenant-plugins.js';
import { holds } from '../rbac/permissions.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { jsonOnly, readBody } from './body-parser.js';
import { coreErrors } from './core-errors.js';
import { writeError } from './error-handler.js';
import { errorLanguage } from './error-language.js';
import { errorPage, wantsPage } from './error-page.js';
import { tenantRequestsKey, type RateLimitResult } from './rate-limiter.js';
import type { PlinthContext, PlinthRouter } from './context.js';
import { respond } from './respond.js';
import { holdsInSomeUnit, unitReach, wholeTenant, type Reach, type UnitTree } from '../units/unit-tree.js';
import { errorCheck, replyCheck, type ErrorCheck, type ReplyCheck } from './response-check.js';
import { resolveKernelDeps } from '../kernel-refs.js';
import { andThen, type MaybePromise } from '../util/maybe-promise.js';
import { Reply, type CoreRoute, type HandlerInput, type Principal, type PublicTenant } from './route.js';
import { checkRoutes } from './route-checks.js';
import { assertSafeInput, inputProblems, validate } from './validation.js';
import { tracedStages } from '../telemetry/http-spans.js';
import { tracing } from '../telemetry/tracing.js';

export { assertAccessDeclared, checkRoutes, compileRouteSchemas } from './route-checks.js';

/**
 * Mounts routes on their routers, each behind its own list of stages chosen here, once (see {@link routeStages}).
 * A route that cannot be served (no access declared, a schema ajv refuses, a static path shadowed by an earlier
 * parametric one) stops the boot first. With `checkResponses` (the test kit), every answer is checked against the
 * route's response schema.
 */
export function mountRoutes(
  routerFor: (route: CoreRoute) => PlinthRouter,
  routes: readonly CoreRoute[],
  services: KernelServices,
  options: { checkResponses?: boolean } = {},
): void {
  checkRoutes(routes, routerFor);
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const chosen = options.checkResponses ? routeStages(route, services, replyCheck(route), errorCheck(route)) : routeStages(route, services);
    // With tracing on, each stage runs in a span of its own; off, the stages are run as they are, at no cost.
    const stages = tracing ? tracedStages(route, chosen) : chosen;
    const deps = resolveKernelDeps(route.deps, services, `${route.plugin ? `plugin \`${route.plugin}\`: ` : ''}route ${route.method} ${route.path}`);
    const run = (ctx: PlinthContext) => runStages(stages, new Exchange(ctx, deps));
    const runPage = (ctx: PlinthContext) => {
      const x = new Exchange(ctx, deps);
      return runStages(stages, x).catch((error: unknown) => answerPageError(x, route, error, services.logger));
    };
    routerFor(route)[method](route.path, route.root ? (ctx) => runPage(ctx as PlinthContext) : (ctx) => run(ctx as PlinthContext));
  }
}

/** One step of a route's request path; it returns a promise only when it has something to wait for. */
export type Stage = (exchange: Exchange) => Promise<void> | void;

/**
 * A route's request path, chosen once at mount: only the stages the route needs, in this order —
 * `checkInput` (path and query hold nothing hostile) → `resolveTenant` → `authenticate` (the caller, their
 * membership, a suspended tenant) or `admit` (a suspended tenant, for anonymous tenant routes) → `billingStanding`
 * (a tenant read only or suspended by billing's dunning, unless the route is `billingExempt`) → `meter` (the
 * tenant's rate limit) → `gate` (plugin enabled) → `authorize` (permission) → `verifiedEmail` (a signed-in user's
 * address is proved, on routes that ask for it) → `limit` (the route's own rate limit)
 * → `readBody` → `validate` → `run` →
 * `reply`. Access is decided before the body is read: an anonymous client cannot make the server parse a body.
 */
export function routeStages(route: CoreRoute, services: KernelServices, check?: ReplyCheck, checkError?: ErrorCheck): Stage[] {
  const { access } = route;
  const isPublic = 'public' in access;
  const tenantFrom: PublicTenant | undefined = isPublic ? access.tenant : 'permission' in access || 'member' in access ? true : undefined;
  const stages: Stage[] = [checkInput(route)];
  if (tenantFrom !== undefined) stages.push(resolveTenant(tenantFrom, services));
  if (!isPublic) stages.push(authenticateStage(route, services, tenantFrom !== undefined));
  else if (tenantFrom !== undefined && !route.root) stages.push(authenticateIfSent(services));
  else if (tenantFrom !== undefined) stages.push(admitRoot(services));
  if (tenantFrom !== undefined && !route.billingExempt) stages.push(billingStanding(route, isPublic));
  if (tenantFrom !== undefined && !route.root) stages.push(meter(services));
  if (tenantFrom !== undefined && route.plugin) stages.push(gate(route, services));
  if ('permission' in access) stages.push(authorize(access.permission.name, services));
  if (route.verifiedEmail) stages.push(requireVerifiedEmail(services));
  if (route.rateLimit) stages.push(limitRoute(route, services));
  if (route.method !== 'GET') stages.push(readRouteBody(route, services));
  if (route.schema?.params || route.schema?.query || route.schema?.body) stages.push(validateInput(route));
  stages.push(runHandler(route, services, check, checkError), reply);
  return stages;
}

async function runStages(stages: readonly Stage[], exchange: Exchange): Promise<void> {
  for (let index = 0; index < stages.length; index++) {
    const pending = stages[index]!(exchange);
    // Stages with nothing to wait for (checks in memory, an in-process rate limiter) cost no turn of the event loop.
    if (pending !== undefined) await pending;
  }
}

const noPermissions: readonly string[] = Object.freeze([]);

/** One request on its way through its route's stages, filled in as they run; it is also the handler's input. */
export class Exchange implements HandlerInput {
  params: unknown = undefined;
  query: unknown = undefined;
  body: unknown = undefined;
  principal: Principal | undefined = undefined;
  tenant: Tenant | undefined = undefined;
  access: TenantAccess | undefined = undefined;
  /** The tenant's plugin state, read once per request (see {@link pluginStateOf}). */
  plugins: TenantPluginState | undefined = undefined;
  permissions: readonly string[] = noPermissions;
  /** The organisation units the request reaches for its route's permission (the whole tenant unless the caller holds it only in units). */
  units: Reach = wholeTenant;
  /** The tenant's unit tree, loaded for callers holding roles in units. */
  unitTree: UnitTree | undefined = undefined;
  db: LazyTransaction = undefined as unknown as LazyTransaction;
  actor: AuditActor = undefined as unknown as AuditActor;
  /** What the handler returned, for `reply`. */
  result: unknown = undefined;

  constructor(
    readonly ctx: PlinthContext,
    /** The kernel services the route lists in its `deps`, resolved when it was mounted. */
    readonly deps: Readonly<Record<string, unknown>>,
  ) {}

  /** Records an audit entry in the request's transaction (handlers destructure it, so it is bound; made when first read). */
  get audit(): (entry: AuditEntry & { tenantId?: string }) => Promise<void> {
    return (entry) => (this.tenant ? recordTenantAudit(this.db, this.actor, entry) : recordHostAudit(this.db, this.actor, entry));
  }
}

/** No tenant serves the request's path (none owns it, suspended, plugin off): the JSON 404, or a root route's own page for it. */
class RootMiss extends NotFoundError {
  /** The tenant's locale when a tenant was found (suspended, plugin off); else the page follows `Accept-Language`. */
  constructor(readonly locale?: string) {
    super('Not found');
  }
}

/**
 * A page route that failed: a path no tenant serves gets the route's own 404 page; a browser asking for a page gets
 * an HTML error page with the error's status (written, logged and counted as `writeError` does) in the tenant's
 * language, or the visitor's when no tenant was found; an API client gets the JSON envelope as from any route.
 */
function answerPageError(x: Exchange, route: CoreRoute, error: unknown, logger: Logger): void {
  const { ctx } = x;
  if (error instanceof RootMiss && route.rootNotFound) {
    writePage(ctx, route.rootNotFound({ locale: error.locale ?? errorLanguage(ctx) }));
    if (!error.locale) ctx.vary('Accept-Language');
    return;
  }
  if (!wantsPage(ctx)) throw error;
  writeError(ctx, error, logger);
  const locale = x.tenant?.locale ?? (error instanceof RootMiss ? error.locale : undefined);
  writePage(ctx, errorPage(ctx.status, locale ?? errorLanguage(ctx), ctx.state.requestId));
  ctx.vary('Accept');
}

function writePage(ctx: PlinthContext, page: RawReply): void {
  ctx.status = page.status;
  ctx.set(page.headers);
  ctx.body = page.body;
}

function named<T extends Stage>(name: string, stage: T): T {
  return Object.defineProperty(stage, 'name', { value: name });
}

/** A path segment with a NUL or broken Unicode names nothing (and PostgreSQL would refuse it): 404. Query strings: 422. */
function checkInput(route: CoreRoute): Stage {
  const hasParams = route.path.includes(':');
  return named('checkInput', (x) => {
    if (hasParams && inputProblems(x.ctx.params, 'params')) {
      throw route.root ? new RootMiss() : new NotFoundError(`No route for ${x.ctx.method} ${x.ctx.path}`);
    }
    assertSafeInput(x.ctx.query, 'query');
  });
}

/** The request's tenant, as the route's access says to find it: the request (header or host), a path parameter, or a lookup. */
function resolveTenant(from: PublicTenant, services: KernelServices): Stage {
  if (from === true) {
    const found = (x: Exchange, tenant: Tenant | undefined) => {
      if (!tenant) throw coreErrors.tenant_required('Name the tenant with the X-Tenant header (slug or id)');
      x.tenant = tenant;
    };
    return named('resolveTenant', (x) => {
      const tenant = services.tenants.resolve(x.ctx.get('x-tenant') || undefined, x.ctx.host);
      return andThen(tenant, (resolved) => found(x, resolved));
    });
  }
  return named('resolveTenant', async (x) => {
    const { ctx } = x;
    let id: string | undefined;
    if ('param' in from) {
      id = ctx.params[from.param];
    } else {
      const lookup = new LazyTransaction(services.database, 'global');
      try {
        id = await from.resolve({ params: { ...ctx.params }, host: ctx.hostname.toLowerCase(), db: lookup });
      } finally {
        await lookup.finish(false);
      }
    }
    const tenant = id === undefined ? undefined : isUuid(id) ? await services.tenants.byId(id) : await services.tenants.bySlug(id.toLowerCase());
    if (!tenant) throw new RootMiss();
    // A tenant's own host name (its subdomain, a domain it verified) shows that tenant's pages only, never another's.
    if (!('param' in from)) {
      const owner = await services.tenants.ownerOfHost(ctx.hostname.toLowerCase());
      if (owner && owner.id !== tenant.id) throw new RootMiss();
    }
    x.tenant = tenant;
  });
}

/** The caller (401 without valid credentials), host administrators only on `superAdmin` routes; then {@link admit}. */
function authenticateStage(route: CoreRoute, services: KernelServices, hasTenant: boolean): Stage {
  const superAdminOnly = 'superAdmin' in route.access;
  const admitted = (x: Exchange, principal: Principal) => {
    x.principal = principal;
    if (superAdminOnly && !(principal.kind === 'user' && principal.isSuperAdmin)) throw new ForbiddenError('Host administrators only');
    return hasTenant ? admit(x, services, route, true) : undefined;
  };
  return named('authenticate', (x) => {
    const secret = hasTenant ? pageCookieIfNoBearer(x) : undefined;
    if (secret) return cookieCaller(x, services, secret, true).then((known) => admitted(x, known!));
    const principal = authenticate(x.ctx, services, x.tenant);
    return andThen(principal, (known) => admitted(x, known));
  });
}

/** The page-session cookie's secret, read only when no Authorization header is sent and a Cookie header is (ADR 0007). */
function pageCookieIfNoBearer(x: Exchange): string | undefined {
  const { headers } = x.ctx.req;
  return headers.authorization || !headers.cookie ? undefined : pageCookieOf(headers.cookie);
}

/**
 * The user a page-session cookie signs in on the request's tenant (its session is looked up per request, so a
 * sign-out ends it at once). A state-changing request signed in so must come from the same host (CSRF: 403).
 * A dead cookie is 401 where a caller is `required`, else the request goes on anonymous.
 */
async function cookieCaller(x: Exchange, services: KernelServices, secret: string, required: boolean): Promise<Principal | undefined> {
  const session = await findPageSession(services.database, services.identity, x.tenant!.id, secret);
  if (!session) {
    if (required) throw new UnauthenticatedError('Your session has ended; sign in again');
    return undefined;
  }
  assertSameOrigin(x.ctx);
  return { kind: 'user', userId: session.userId, sessionId: session.id, isSuperAdmin: session.isSuperAdmin };
}

/** A public tenant route still knows a signed-in caller (a customer with their cart); a bad token is 401, not ignored. */
function authenticateIfSent(services: KernelServices): Stage {
  const admitted = (x: Exchange, principal: Principal) => {
    x.principal = principal;
    return admit(x, services, undefined, false);
  };
  const signedIn = (x: Exchange) => {
    const principal = authenticate(x.ctx, services, x.tenant);
    return andThen(principal, (known) => admitted(x, known));
  };
  const byCookie = async (x: Exchange, secret: string) => {
    const principal = await cookieCaller(x, services, secret, false);
    if (principal) x.principal = principal;
    return admit(x, services, undefined, false);
  };
  return named('authenticate', (x) => {
    if (x.ctx.get('authorization')) return signedIn(x);
    const secret = pageCookieIfNoBearer(x);
    return secret ? byCookie(x, secret) : admit(x, services, undefined, false);
  });
}

/**
 * A root page's tenant: a suspended tenant is refused (the page's own 404). No bearer token is read there; a
 * page-session cookie of the tenant signs its user in (a dead one leaves the visitor anonymous).
 */
function admitRoot(services: KernelServices): Stage {
  const byCookie = async (x: Exchange, secret: string) => {
    const principal = await cookieCaller(x, services, secret, false);
    if (!principal) return;
    x.principal = principal;
    await admit(x, services, undefined, false);
  };
  return named('admit', (x) => {
    if (x.tenant!.status === 'suspended') throw new RootMiss(x.tenant!.locale);
    const secret = pageCookieIfNoBearer(x);
    return secret ? byCookie(x, secret) : undefined;
  });
}

/**
 * Lets the caller into the tenant: a suspended tenant only to host administrators (403, or a root page's 404);
 * a user's permissions are their membership's (`required`: 403 to a non-member), an API token's its own.
 * Returns a promise only when it waits for a membership (one not in the in-memory cache).
 */
function admit(x: Exchange, services: KernelServices, route: CoreRoute | undefined, required: boolean): MaybePromise<void> {
  const tenant = x.tenant!;
  const { principal } = x;
  if (tenant.status === 'suspended' && !(principal?.kind === 'user' && principal.isSuperAdmin)) {
    if (route?.root) throw new RootMiss(tenant.locale);
    throw coreErrors.tenant_suspended('This tenant is suspended');
  }
  if (!principal) return undefined;
  if (principal.kind === 'api-token') {
    x.permissions = principal.permissions;
    return undefined;
  }
  // `member: true` routes are staff-only: a customer (ADR 0007) reaches only routes whose permission their role holds.
  const staffOnly = route !== undefined && 'member' in route.access && route.access.member === true;
  return membership(x, services, tenant.id, principal.userId, required, staffOnly);
}

function membership(x: Exchange, services: KernelServices, tenantId: string, userId: string, required: boolean, staffOnly: boolean): MaybePromise<void> {
  const state = tenantPluginState(x, services);
  return andThen(state, (plugins) => {
    const tenantAccess = services.tenantAccess.of(tenantId, userId, plugins);
    return andThen(tenantAccess, (found) => {
      const principal = x.principal;
      if (!found && required && principal?.kind === 'user' && principal.isSuperAdmin) return supportSession(x, services, tenantId, userId, staffOnly);
      member(x, found, required, staffOnly);
      return found && found.unitGrants.length > 0 ? loadUnitTree(x, services) : undefined;
    });
  });
}

/**
 * A host operator who is not a member gets into the tenant only through a running support session (core/src/support):
 * every request of it is recorded in the tenant's and the host's audit logs, refused ones too, and a read-only
 * session may only read. Without one, the operator is a non-member like any other (403).
 */
function supportSession(x: Exchange, services: KernelServices, tenantId: string, userId: string, staffOnly: boolean): MaybePromise<void> {
  return andThen(services.supportAccess.accessOf(tenantId, userId), async (session) => {
    if (!session) return member(x, undefined, true, staffOnly);
    const { ctx } = x;
    await services.supportAccess.recordRequest(session, {
      tenantId,
      method: ctx.method,
      path: ctx.path,
      requestId: ctx.state.requestId ?? null,
      ip: ctx.ip || null,
      userAgent: ctx.get('user-agent') || null,
    });
    if (session.readOnly && ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw coreErrors.support_read_only('This support session is read-only: it may only read');
    }
    member(x, session.access, true, staffOnly);
  });
}

/** The tenant's unit tree, for a caller holding roles in units: their reach and `can(…, { unit })` are worked out on it. */
function loadUnitTree(x: Exchange, services: KernelServices): MaybePromise<void> {
  return andThen(services.orgUnits.treeOf(x.tenant!.id), (tree) => {
    x.unitTree = tree;
  });
}

/**
 * The request's tenant's plugin state, read on first use and kept on the exchange: the membership (whose cached
 * access is keyed by its version), the plugin gate and a plugin's handler all see the same state, and a host whose
 * cache is Redis fetches and parses it (its size grows with the plugins installed) once per request, not three times.
 */
function tenantPluginState(x: Exchange, services: KernelServices): MaybePromise<TenantPluginState> {
  if (x.plugins) return x.plugins;
  const state = services.plugins.tenantPlugins.state(x.tenant!.id);
  return andThen(state, (known) => (x.plugins = known));
}

/** The plugin state the request's stages read (undefined when none did: no tenant, or no stage needed it). */
export function pluginStateOf(input: HandlerInput): TenantPluginState | undefined {
  return input instanceof Exchange ? input.plugins : undefined;
}

function member(x: Exchange, tenantAccess: TenantAccess | undefined, required: boolean, staffOnly: boolean): void {
  if (!tenantAccess && required) throw new ForbiddenError('You are not a member of this tenant');
  if (staffOnly && tenantAccess?.kind === 'customer') throw new ForbiddenError('This route is for staff of the tenant, not customers');
  x.access = tenantAccess;
  x.permissions = tenantAccess?.permissions ?? noPermissions;
}

const billingSuspendedAr = { translations: { ar: 'هذه المؤسسة معلّقة حتى تُدفع فاتورتها المستحقة' } };
const billingReadOnlyAr = { translations: { ar: 'هذه المؤسسة للقراءة فقط حتى تُدفع فاتورتها المستحقة' } };

/**
 * What billing's dunning leaves the tenant (`tenants.billing_status`, core/src/billing/dunning.ts): suspended, only
 * routes flagged `billingExempt` serve it (402 `billing_suspended`; a root page its 404); read only, writes by members
 * and API tokens are refused (402 `billing_read_only`) while reads, public routes and root pages are served. Host
 * administrators pass.
 */
function billingStanding(route: CoreRoute, isPublic: boolean): Stage {
  const writes = route.method !== 'GET' && !isPublic && !route.root;
  return named('billingStanding', (x) => {
    const standing = x.tenant!.billing_status;
    if (standing === undefined || standing === 'ok') return;
    const principal = x.principal;
    if (principal?.kind === 'user' && principal.isSuperAdmin) return;
    if (standing === 'suspended') {
      if (route.root) throw new RootMiss(x.tenant!.locale);
      throw coreErrors.billing_suspended('This organisation is suspended until its unpaid invoice is paid', billingSuspendedAr);
    }
    if (writes) throw coreErrors.billing_read_only('This organisation is read only until its unpaid invoice is paid', billingReadOnlyAr);
  });
}

/** The tenant's requests per minute (429 beyond). */
function meter(services: KernelServices): Stage {
  const refuseOver = (limit: RateLimitResult) => {
    if (!limit.allowed) throw new RateLimitedError(limit.retryAfterSeconds, 'This tenant has used its requests for this minute');
  };
  return named('meter', (x) => {
    const tenant = x.tenant!;
    const counted = services.rateLimiter.hit(tenantRequestsKey(tenant.id), tenant.quotas.requests_per_minute, 60_000);
    // In-process counters answer synchronously: no await (and no extra turn of the event loop) on the hot path.
    return andThen(counted, refuseOver);
  });
}

/** A plugin's routes answer `404 plugin_not_enabled` to tenants that have not enabled it. */
function gate(route: CoreRoute, services: KernelServices): Stage {
  const plugin = route.plugin!;
  const refuseOff = (enabled: boolean, locale: string) => {
    if (enabled) return;
    // A page at the site root shows a visitor nothing about which plugins a tenant uses.
    if (route.root) throw new RootMiss(locale);
    throw coreErrors.plugin_not_enabled(`The ${plugin} plugin is not enabled for this tenant`);
  };
  return named('gate', (x) => {
    const state = tenantPluginState(x, services);
    return andThen(state, (known) => refuseOff(plugin in known.settings, x.tenant!.locale));
  });
}

/**
 * The route's permission (403 without it): held for the whole tenant, or in organisation units — then the request
 * reaches those units and everything below them, and its transaction tells Row Level Security so.
 */
function authorize(permission: string, services: KernelServices): Stage {
  return named('authorize', (x) => {
    if (holds(x.permissions, permission)) return;
    if (!x.unitTree || !holdsInSomeUnit(x.access, permission)) throw new ForbiddenError(`Missing permission ${permission}`);
    x.units = unitReach(x.unitTree, x.access!, permission);
    return services.orgUnits.ensure(x.tenant!.id, x.units.scope!);
  });
}

/**
 * A signed-in user whose email address is not verified is refused (`403 email_unverified`) on routes with
 * `verifiedEmail`; API tokens and anonymous callers pass (their route's access decides). The user's state is cached.
 */
function requireVerifiedEmail(services: KernelServices): Stage {
  const refuseUnverified = (state: UserState | undefined) => {
    if (!state?.emailVerified) throw coreErrors.email_unverified('Verify your email address first');
  };
  return named('verifiedEmail', (x) => {
    const { principal } = x;
    if (principal?.kind !== 'user') return;
    return andThen(services.identity.stateOf(principal.userId), refuseUnverified);
  });
}

/**
 * The route's own limit (429 `rate_limited` beyond, with `Retry-After`), counted per route and tenant and per client
 * IP or principal; every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds).
 */
function limitRoute(route: CoreRoute, services: KernelServices): Stage {
  const { per, max, windowSeconds } = route.rateLimit!;
  const scope = `route:${route.method}:${route.root ? '' : '/api/v1'}${route.path}`;
  const windowMs = windowSeconds * 1000;
  const settle = (x: Exchange, limit: RateLimitResult) => {
    const remaining = limit.allowed ? Math.max(0, max - limit.count) : 0;
    x.ctx.set({ 'RateLimit-Limit': String(max), 'RateLimit-Remaining': String(remaining), 'RateLimit-Reset': String(limit.retryAfterSeconds) });
    if (!limit.allowed) throw new RateLimitedError(limit.retryAfterSeconds, `Too many requests to this route; try again in ${limit.retryAfterSeconds} s`);
  };
  return named('limit', (x) => {
    const { principal } = x;
    const who = per === 'ip' ? `ip:${x.ctx.ip}` : principal?.kind === 'api-token' ? `token:${principal.tokenId}` : `user:${principal!.userId}`;
    const counted = services.rateLimiter.hit(`${scope}:${x.tenant?.id ?? '-'}:${who}`, max, windowMs);
    return andThen(counted, (limit) => settle(x, limit));
  });
}

/** The body, in the route's media types and size limit (JSON up to the host's limit by default). */
function readRouteBody(route: CoreRoute, services: KernelServices): Stage {
  const types = route.body?.types ?? jsonOnly;
  const limitBytes = route.body?.limitBytes ?? services.config.bodyLimitBytes;
  return named('readBody', (x) => readBody(x.ctx, types, limitBytes));
}

/** Params and query coerced to their schemas, the body as sent (422 naming the fields). */
function validateInput(route: CoreRoute): Stage {
  const { params, query, body } = route.schema ?? {};
  return named('validate', (x) => {
    const { ctx } = x;
    if (params) x.params = validate(params, { ...ctx.params }, { coerce: true, location: 'params' });
    if (query) x.query = validate(query, { ...ctx.query }, { coerce: true, location: 'query' });
    if (body) x.body = validate(body, ctx.request.body ?? {}, { location: 'body', change: route.method === 'PATCH' });
  });
}

/** The handler, in the request's transaction: committed when it returns (a stream's, when the stream ends), rolled back when it throws. */
function runHandler(route: CoreRoute, services: KernelServices, check: ReplyCheck | undefined, checkError: ErrorCheck | undefined): Stage {
  return named('run', async (x) => {
    const { ctx, principal } = x;
    // Read only for `readOnly` routes, on the read replica when there is one (docs/adr/0013-read-replicas.md).
    const transaction = await routeTransaction(route, services, x.tenant ? x.tenant.id : null, x.units.scope, principal);
    x.db = transaction;
    x.actor = {
      userId: principal?.kind === 'user' ? principal.userId : principal?.kind === 'api-token' ? principal.createdBy : null,
      tokenId: principal?.kind === 'api-token' ? principal.tokenId : null,
      ip: ctx.ip,
      userAgent: ctx.get('user-agent') || null,
      requestId: ctx.state.requestId,
    };
    let result: unknown;
    try {
      result = await route.handler(x);
      // Under `checkResponses` (the test kit), an answer its schema does not document is a 500, and nothing is committed.
      check?.(result);
    } catch (error) {
      await transaction.finish(false);
      // Under `checkResponses`, so is an error whose code the route does not document.
      checkError?.(error);
      throw error;
    }
    if (!(result instanceof StreamReply)) await transaction.finish(true);
    x.result = result;
  });
}

/** The handler's answer: in the envelope, a `Reply`'s status and headers, a raw body, or a stream. */
const reply: Stage = named('reply', (x) => {
  const { ctx, result } = x;
  if (result instanceof StreamReply) {
    ctx.status = result.status;
    ctx.set(result.headers);
    ctx.body = Readable.from(streamInTransaction(result.chunks, x.db));
    return;
  }
  if (result instanceof RawReply) {
    ctx.status = result.status;
    ctx.body = result.body;
    // After the body, whose setter writes its own Content-Length: a HEAD answer's empty body carries the length of
    // what a GET would send.
    ctx.set(result.headers);
    return;
  }
  if (result instanceof Reply) {
    ctx.set(result.headers);
    if (result.status === 204) {
      ctx.status = 204;
      ctx.body = null;
      return;
    }
    respond(ctx, result.data, { status: result.status, ...(result.pagination ? { pagination: result.pagination } : {}) });
    return;
  }
  respond(ctx, result);
});

/** Yields the chunks, then commits the transaction; rolls it back when the stream fails or the client goes away. */
async function* streamInTransaction(chunks: AsyncIterable<string | Buffer>, transaction: LazyTransaction): AsyncGenerator<string | Buffer> {
  let completed = false;
  try {
    for await (const chunk of chunks) yield chunk;
    completed = true;
  } finally {
    await transaction.finish(completed);
  }
}

/**
 * Authenticates the request's Bearer token (an access token, or an API token of `tenant`), throwing 401.
 * Routes with public access call it themselves when they accept an optional signed-in user.
 */
export function authenticate(
  ctx: PlinthContext,
  services: Pick<KernelServices, 'apiTokenAuth' | 'accessTokens' | 'identity'>,
  tenant: Tenant | undefined,
): MaybePromise<Principal> {
  const header = ctx.get('authorization');
  if (!header) throw new UnauthenticatedError('Send a Bearer token in the Authorization header');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
  const token = match[1]!;
  if (token.startsWith(apiTokenPrefix)) {
    if (!tenant) throw new UnauthenticatedError('API tokens work on tenant routes only');
    return andThen(services.apiTokenAuth.verify(tenant.id, token), tokenPrincipal);
  }
  const claims = services.accessTokens.verify(token);
  return andThen(claims, (verified) => userPrincipal(services, verified));
}

function tokenPrincipal(grant: ApiTokenGrant | undefined): Principal {
  if (!grant) throw new UnauthenticatedError('Invalid or expired API token');
  return { kind: 'api-token', tokenId: grant.id, createdBy: grant.createdBy, permissions: grant.permissions };
}

function userPrincipal(services: Pick<KernelServices, 'identity'>, claims: AccessClaims): MaybePromise<Principal> {
  const state = services.identity.stateForSession(claims.userId, claims.sessionId);
  return andThen(state, (known) => checkedUser(claims, known));
}

/** The token's `sub` is an active user, its `ver` their token version, and its `sid` one of their live sessions. */
function checkedUser(claims: AccessClaims, state: UserState | undefined): Principal {
  if (!state || state.status !== 'active') throw new UnauthenticatedError('This account is disabled');
  if (state.tokenVersion !== claims.tokenVersion || !state.liveSessions.includes(claims.sessionId)) {
    throw new UnauthenticatedError('This session has ended; sign in again');
  }
  return { kind: 'user', userId: claims.userId, sessionId: claims.sessionId, isSuperAdmin: state.isSuperAdmin };
}
