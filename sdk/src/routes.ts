import type { Static, TSchema } from '@sinclair/typebox';
import type { RequestContext } from './context.js';
import type { ErrorRef } from './errors.js';
import type { PermissionRef } from './permissions.js';
import type { RawReply, Reply, StreamReply } from './reply.js';
import type { ResolvedDeps } from './services.js';

/** JSON Schemas (TypeBox recommended) of a route's inputs and output. */
export interface RouteSchemas {
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /** The `data` the handler returns; the handler's return type must match it. */
  response?: TSchema;
}

type In<S extends RouteSchemas, K extends 'params' | 'query' | 'body'> = S[K] extends TSchema ? Static<S[K]> : undefined;

/** What a handler must return: the response schema's type (or a {@link Reply} of it), or anything when there is none. */
export type RouteResult<S extends RouteSchemas> = S['response'] extends TSchema
  ? Static<S['response']> | Reply<Static<S['response']>> | Reply<undefined> | RawReply | StreamReply
  : unknown;

/** A route handler's input, typed from the route's schemas and the plugin's deps and settings. */
export interface RouteInput<S extends RouteSchemas, Deps, Settings> {
  params: In<S, 'params'>;
  query: In<S, 'query'>;
  body: In<S, 'body'>;
  deps: ResolvedDeps<Deps>;
  ctx: RequestContext<Settings>;
}

/** Who may call a route: holders of a permission, or (explicitly) anyone. */
export type RouteAccess = { permission: PermissionRef; public?: never } | ({ public: true; permission?: never } & PublicRouteOptions);

/** Where a public route finds its tenant (by default: the `X-Tenant` header, or the host name). */
export interface PublicRouteOptions {
  /**
   * The path parameter naming the tenant (slug or id), for URLs handed to
   * outsiders: `/webhooks/:provider/:tenant`. An unknown tenant is `404`.
   */
  tenantParam?: string;
  /**
   * Serves the route at the site root (`/b/:slug`) instead of under
   * `/api/v1/<plugin>`, for pages and redirects visitors open. Such a
   * request names no tenant: `resolveTenant` finds it, typically in a global
   * table of the plugin (see `declareGlobalTable`). `undefined`, or a tenant
   * that has not enabled the plugin or is suspended, answers `404`.
   */
  root?: RootMount;
}

/** How a root route finds its tenant. */
export interface RootMount {
  /** The tenant (id or slug) serving the path, or undefined; `host` is lower-case, without the port. */
  resolveTenant(input: { params: Record<string, string>; host: string; db: GlobalDb }): Promise<string | undefined>;
  /**
   * The page a visitor gets when no tenant owns the path, the tenant is suspended or has the plugin off
   * (default: the JSON `404 not_found`). Its status should be 404; it must not depend on the request beyond
   * `locale`: the tenant's when one was found, else the visitor's (`Accept-Language`: `en` or `ar`).
   */
  notFound?(request?: { locale: string }): RawReply;
}

/** A read-only view for finding a tenant: global tables are visible, tenant tables are not (no tenant is set). */
export interface GlobalDb {
  one<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row | undefined>;
}

/**
 * Media types a route may accept as its body. `multipart/form-data` is left unread for the handler to stream
 * (uploads: core's file routes read it with `readUpload`), and so is `application/offset+octet-stream` (tus
 * resumable uploads, core's `/files/uploads`); only their media type and announced length are checked.
 */
export type BodyMediaType =
  'application/json' | 'application/x-www-form-urlencoded' | 'text/csv' | 'text/plain' | 'multipart/form-data' | 'application/offset+octet-stream';

/**
 * How a route reads its body (default: JSON up to the host's limit).
 * `application/x-www-form-urlencoded` arrives as an object of strings,
 * `text/*` as a string; the body schema validates either.
 */
export interface BodyOptions {
  types: readonly BodyMediaType[];
  /** Largest body accepted, in bytes (default: the host's `PLINTH_BODY_LIMIT`). */
  limitBytes?: number;
}

interface RouteCommon<S extends RouteSchemas> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the plugin's prefix (or under the root, for `root` routes), with `:name` parameters: `/contacts/:id`. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  schema?: S;
  body?: BodyOptions;
  /**
   * The domain error codes the handler may answer (entries of the plugin's
   * `defineErrors` catalogue, or `commonErrors`), listed in the OpenAPI
   * document. Codes the kernel derives from the route (validation, auth,
   * not found on path parameters, body limits, rate limits) need no listing.
   */
  errors?: readonly ErrorRef[];
  /** A limit on calls, enforced by the kernel before the body is read; over it, `429 rate_limited`. */
  rateLimit?: RouteRateLimit;
  /**
   * Signed-in users must have verified their email address (`403 email_unverified` otherwise; API tokens are not
   * affected): set it on actions that send mail on the tenant's behalf or act on another address's behalf.
   */
  verifiedEmail?: boolean;
  /**
   * The handler only reads (`GET` routes only; a definition error otherwise): with a read replica configured
   * (`DATABASE_REPLICA_URL`) its transaction runs there, and everywhere it is read only: a write fails with
   * `ReadOnlyTransactionError` instead of happening. A session that has just written reads its own writes.
   */
  readOnly?: boolean;
}

/**
 * At most `max` calls per `windowSeconds`, counted per route and tenant and
 * per client IP (`'ip'`, for public writes) or per signed-in principal
 * (`'principal'`, for costly reads; not on public routes).
 */
export interface RouteRateLimit {
  per: 'ip' | 'principal';
  max: number;
  windowSeconds: number;
}

/** A plugin route, served at `/api/v1/<plugin><path>`. */
export type RouteDefinition<S extends RouteSchemas, Deps, Settings> = RouteAccess &
  RouteCommon<S> & {
    handler(input: RouteInput<S, Deps, Settings>): Promise<RouteResult<S>>;
  };

/** A route as the kernel sees it (types erased). */
export type AnyRoute = RouteAccess &
  RouteCommon<RouteSchemas> & {
    handler(input: RouteInput<RouteSchemas, unknown, unknown>): Promise<unknown>;
  };
