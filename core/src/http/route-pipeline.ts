import { BadRequestError, ForbiddenError, NotFoundError, RateLimitedError, UnauthenticatedError } from '@plinth/sdk';
import { recordHostAudit, recordTenantAudit, type AuditActor } from '../audit/audit.js';
import { apiTokenPrefix } from '../auth/api-token-auth.js';
import { Readable } from 'node:stream';
import { RawReply, StreamReply } from '@plinth/sdk';
import { isUuid, LazyTransaction } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { Logger } from '../logger.js';
import { holds } from '../rbac/permissions.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { jsonOnly, readBody } from './body-parser.js';
import type { PlinthContext, PlinthRouter } from './context.js';
import { respond } from './respond.js';
import { replyCheck, type ReplyCheck } from './response-check.js';
import { Reply, type CoreRoute, type Principal, type RouteInput, type RouteSchema } from './route.js';
import { assertSafeInput, compileSchema, inputProblems, validate } from './validation.js';

/** Checks that every route states who may call it; a route without `access` stops the boot, naming the route. */
export function assertAccessDeclared(routes: readonly CoreRoute[]): void {
  for (const route of routes) {
    const access = route.access as Record<string, unknown> | undefined;
    if (!access || !['public', 'user', 'permission', 'member', 'superAdmin'].some((key) => access[key])) {
      throw new Error(`route ${route.method} ${route.path} declares neither a permission nor public access`);
    }
  }
}

/**
 * Mounts routes on the API router behind the request path: tenant → authentication → rate limit → permission → validation → handler.
 * With `checkResponses` (the test kit), every answer is checked against the route's response schema.
 */
export function mountRoutes(
  routerFor: (route: CoreRoute) => PlinthRouter,
  routes: readonly CoreRoute[],
  services: KernelServices,
  options: { checkResponses?: boolean } = {},
): void {
  assertAccessDeclared(routes);
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const check = options.checkResponses ? replyCheck(route) : undefined;
    const run = (ctx: PlinthContext) => handle(ctx, route, services, check);
    routerFor(route)[method](
      route.path,
      route.rootNotFound
        ? (ctx) => run(ctx as PlinthContext).catch((error: unknown) => answerRootMiss(ctx as PlinthContext, route, error))
        : (ctx) => run(ctx as PlinthContext),
    );
  }
}

/** Compiles a route's request schemas now (they are compiled once); a schema ajv cannot compile throws, naming plugin and route. */
export function compileRouteSchemas(route: CoreRoute): void {
  const { params, query, body } = route.schema ?? {};
  try {
    if (params) compileSchema(params, true);
    if (query) compileSchema(query, true);
    if (body) compileSchema(body);
  } catch (error) {
    const where = route.plugin ? `plugin \`${route.plugin}\`: ` : '';
    throw new Error(`${where}route ${route.method} ${route.path} has a schema that cannot be compiled: ${(error as Error).message}`, { cause: error });
  }
}

/** Compiles every route's schemas one route per turn of the event loop, logging the ones that fail; stops when `cancelled()`. */
export async function warmSchemas(routes: readonly CoreRoute[], logger: Logger, cancelled: () => boolean): Promise<void> {
  for (const route of routes) {
    if (cancelled()) return;
    await new Promise((resolve) => setImmediate(resolve));
    try {
      compileRouteSchemas(route);
    } catch (error) {
      logger.error({ err: error, plugin: route.plugin }, (error as Error).message);
    }
  }
}

/** No tenant serves the request's path (none owns it, suspended, plugin off): the JSON 404, or a root route's own page for it. */
class RootMiss extends NotFoundError {
  constructor() {
    super('Not found');
  }
}

function answerRootMiss(ctx: PlinthContext, route: CoreRoute, error: unknown): void {
  if (!(error instanceof RootMiss) || !route.rootNotFound) throw error;
  const page = route.rootNotFound();
  ctx.status = page.status;
  ctx.set(page.headers);
  ctx.body = page.body;
}

async function handle(ctx: PlinthContext, route: CoreRoute, services: KernelServices, check: ReplyCheck | undefined): Promise<void> {
  const { access } = route;
  // A path segment with a NUL or broken Unicode names nothing (and PostgreSQL would refuse it): 404.
  if (inputProblems(ctx.params, 'params')) throw route.root ? new RootMiss() : new NotFoundError(`No route for ${ctx.method} ${ctx.path}`);
  assertSafeInput({ ...ctx.query }, 'query');
  await readBody(ctx, route.body?.types ?? jsonOnly, route.body?.limitBytes ?? services.config.bodyLimitBytes);
  const tenant = await tenantOf(ctx, access, services);

  let principal: Principal | undefined;
  let tenantAccess: TenantAccess | undefined;
  let permissions: readonly string[] = [];
  const isPublic = 'public' in access;
  if (!isPublic) {
    principal = await authenticate(ctx, services, tenant);
    if ('superAdmin' in access && !(principal.kind === 'user' && principal.isSuperAdmin)) throw new ForbiddenError('Host administrators only');
  } else if (ctx.get('authorization') && tenant && !route.root) {
    // A public tenant route still knows a signed-in caller (a customer with their cart); a bad token is 401, not ignored.
    principal = await authenticate(ctx, services, tenant);
  }
  if (tenant?.status === 'suspended' && !(principal?.kind === 'user' && principal.isSuperAdmin)) {
    if (route.root) throw new RootMiss();
    throw new ForbiddenError('This tenant is suspended', { code: 'tenant_suspended' });
  }
  if (tenant && principal) {
    if (principal.kind === 'user') {
      tenantAccess = await services.tenantAccess.of(tenant.id, principal.userId);
      if (!tenantAccess && !isPublic) throw new ForbiddenError('You are not a member of this tenant');
      permissions = tenantAccess?.permissions ?? [];
    } else {
      permissions = principal.permissions;
    }
  }
  if (tenant && !route.root) {
    const counted = services.rateLimiter.hit(`tenant:${tenant.id}`, tenant.quotas.requests_per_minute, 60_000);
    // In-process counters answer synchronously: no await (and no extra turn of the event loop) on the hot path.
    const limit = counted instanceof Promise ? await counted : counted;
    if (!limit.allowed) throw new RateLimitedError(limit.retryAfterSeconds, 'This tenant has used its requests for this minute');
  }
  if (tenant && route.plugin && !(await services.plugins.tenantPlugins.isEnabled(tenant.id, route.plugin))) {
    // A page at the site root shows a visitor nothing about which plugins a tenant uses.
    if (route.root) throw new RootMiss();
    throw new NotFoundError(`The ${route.plugin} plugin is not enabled for this tenant`, { code: 'plugin_not_enabled' });
  }
  if (tenant && 'permission' in access && !holds(permissions, access.permission)) throw new ForbiddenError(`Missing permission ${access.permission}`);

  const schema: RouteSchema = route.schema ?? {};
  const params = schema.params ? validate(schema.params, { ...ctx.params }, { coerce: true, location: 'params' }) : undefined;
  const query = schema.query ? validate(schema.query, { ...ctx.query }, { coerce: true, location: 'query' }) : undefined;
  const body = schema.body ? validate(schema.body, ctx.request.body ?? {}, { location: 'body' }) : undefined;

  const transaction = new LazyTransaction(services.database, tenant ? tenant.id : null);
  const actor: AuditActor = {
    userId: principal?.kind === 'user' ? principal.userId : principal?.kind === 'api-token' ? principal.createdBy : null,
    tokenId: principal?.kind === 'api-token' ? principal.tokenId : null,
    ip: ctx.ip,
    userAgent: ctx.get('user-agent') || null,
    requestId: ctx.state.requestId,
  };
  const input = {
    ctx,
    params,
    query,
    body,
    services,
    principal,
    tenant,
    access: tenantAccess,
    permissions,
    db: transaction,
    actor,
    audit: (entry: Parameters<RouteInput<RouteSchema>['audit']>[0]) =>
      tenant ? recordTenantAudit(transaction, actor, entry) : recordHostAudit(transaction, actor, entry),
  } as RouteInput<RouteSchema>;
  let result: unknown;
  try {
    result = await route.handler(input);
    // Under `checkResponses` (the test kit), an answer its schema does not document is a 500, and nothing is committed.
    check?.(result);
  } catch (error) {
    await transaction.finish(false);
    throw error;
  }
  if (result instanceof StreamReply) {
    ctx.status = result.status;
    ctx.set(result.headers);
    ctx.body = Readable.from(streamInTransaction(result.chunks, transaction));
    return;
  }
  await transaction.finish(true);
  if (result instanceof RawReply) {
    ctx.status = result.status;
    ctx.set(result.headers);
    ctx.body = result.body;
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
}

/** The request's tenant, as the route's access says to find it; undefined for tenant-less routes. */
async function tenantOf(ctx: PlinthContext, access: CoreRoute['access'], services: KernelServices): Promise<Tenant | undefined> {
  const from = 'public' in access ? access.tenant : 'permission' in access || 'member' in access ? true : undefined;
  if (from === undefined) return undefined;
  if (from === true) {
    const tenant = await services.tenants.resolve(ctx.get('x-tenant') || undefined, ctx.host);
    if (!tenant) throw new BadRequestError('Name the tenant with the X-Tenant header (slug or id)', { code: 'tenant_required' });
    return tenant;
  }
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
  return tenant;
}

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
export async function authenticate(ctx: PlinthContext, services: KernelServices, tenant: Tenant | undefined): Promise<Principal> {
  const header = ctx.get('authorization');
  if (!header) throw new UnauthenticatedError('Send a Bearer token in the Authorization header');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
  const token = match[1]!;
  if (token.startsWith(apiTokenPrefix)) {
    if (!tenant) throw new UnauthenticatedError('API tokens work on tenant routes only');
    const grant = await services.apiTokenAuth.verify(tenant.id, token);
    if (!grant) throw new UnauthenticatedError('Invalid or expired API token');
    return { kind: 'api-token', tokenId: grant.id, createdBy: grant.createdBy, permissions: grant.permissions };
  }
  const claims = await services.accessTokens.verify(token);
  const state = await services.identity.stateOf(claims.userId);
  if (!state || state.status !== 'active') throw new UnauthenticatedError('This account is disabled');
  if (state.tokenVersion !== claims.tokenVersion || state.revokedSessions.includes(claims.sessionId)) {
    throw new UnauthenticatedError('This session has ended; sign in again');
  }
  return { kind: 'user', userId: claims.userId, sessionId: claims.sessionId, isSuperAdmin: state.isSuperAdmin };
}
