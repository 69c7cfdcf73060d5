import type { Reach, UnitTree } from '../units/unit-tree.js';
import {
  Reply,
  type BodyOptions,
  type ErrorRef,
  type GlobalDb,
  type PermissionRef,
  type RawReply,
  type ResolvedDeps,
  type RouteRateLimit,
  type RouteResult,
  type RouteSchemas,
} from '@plinth/sdk';
import type { Static, TSchema } from '@sinclair/typebox';
import type { AuditActor, AuditEntry } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelDepRefs } from '../kernel-refs.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import type { PlinthContext } from './context.js';

export { Reply };
export type { RouteSchemas };

/** The caller, once authenticated. */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string; isSuperAdmin: boolean }
  | { kind: 'api-token'; tokenId: string; createdBy: string | null; permissions: string[] };

/** A signed-in user (`user` and `superAdmin` routes: API tokens work on tenant routes only). */
export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

interface AccessKinds {
  permission: PermissionRef;
  member: true | 'any';
  user: true;
  superAdmin: true;
  public: true;
}

/** One access kind, the others absent. */
type Only<K extends keyof AccessKinds> = { [P in K]: AccessKinds[P] } & { [P in Exclude<keyof AccessKinds, K>]?: never };

/**
 * Who may call a core route, stated at its top level as a plugin route states it (`permission: ref`, or
 * `public: true`), plus core's own kinds. Every route states exactly one:
 * - `permission`: a member (or API token) of the request's tenant holding the permission (a ref, never a string);
 * - `member`: any staff member of the request's tenant (`member: 'any'`: customers too, ADR 0007);
 * - `user`: any signed-in user, no tenant involved (`/me`, creating a tenant);
 * - `superAdmin`: host operators (`/admin/…`);
 * - `public`: anyone, no credentials. Core's public routes (signing in) have no tenant; `tenant: true` takes it from
 *   the request (header or host, as a plugin's public routes do), `tenantParam` from a path parameter.
 */
export type RouteAccess = PermissionAccess | MemberAccess | UserAccess | SuperAdminAccess | PublicAccess | PublicTenantAccess;

type PermissionAccess = Only<'permission'>;
type MemberAccess = Only<'member'>;
type UserAccess = Only<'user'>;
type SuperAdminAccess = Only<'superAdmin'>;
type PublicAccess = Only<'public'> & { tenant?: never; tenantParam?: never };
type PublicTenantAccess = Only<'public'> & ({ tenant: true; tenantParam?: never } | { tenantParam: string; tenant?: never });

/** What a handler knows of the caller and tenant, from its route's access: a tenant route's `tenant` is there. */
export type CallerInput<A> = A extends { permission: PermissionRef } | { member: true | 'any' }
  ? { tenant: Tenant; principal: Principal; access: TenantAccess | undefined }
  : A extends { user: true } | { superAdmin: true }
    ? { principal: UserPrincipal }
    : A extends { tenant: true } | { tenantParam: string }
      ? { tenant: Tenant; principal: Principal | undefined; access: TenantAccess | undefined }
      : NoFields;

type NoFields = Record<never, never>;

type In<S extends RouteSchemas, K extends 'params' | 'query' | 'body'> = S[K] extends TSchema ? Static<S[K]> : undefined;

/**
 * What a core handler receives: as a plugin's (`params`, `query`, `body`, `deps`, `ctx`), the caller and tenant its
 * access promises, and core's own: the request's transaction, the audit log, the caller's permissions.
 */
export type RouteInput<A, S extends RouteSchemas, D> = CallerInput<A> & {
  params: In<S, 'params'>;
  query: In<S, 'query'>;
  body: In<S, 'body'>;
  /** The kernel services the route lists in `deps`, and no others. */
  deps: ResolvedDeps<D>;
  /** The Koa context of the request. */
  ctx: PlinthContext;
  /** Effective permissions of the caller for the whole tenant (a member's tenant-wide roles, or an API token's). */
  permissions: readonly string[];
  /** The organisation units the request reaches for the route's permission (`whole` unless held only in units). */
  units: Reach;
  /** The tenant's unit tree when the caller holds roles in units (see `permissionsAt`). */
  unitTree: UnitTree | undefined;
  /**
   * The request's transaction, opened on first use, committed when the
   * handler returns and rolled back when it throws: scoped to the tenant on
   * tenant routes, the system path on the others.
   */
  db: ScopedDb;
  actor: AuditActor;
  /** Records an audit entry in the request's transaction (the tenant's log, or the host's on tenant-less routes). */
  audit(entry: AuditEntry & { tenantId?: string }): Promise<void>;
};

interface RouteFields<S extends RouteSchemas, D extends KernelDepRefs> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1`, with `:name` parameters. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  /** Tag for the OpenAPI document (default `core`). */
  tag?: string;
  /**
   * Schemas of the inputs and of the returned `data` (`response`: statuses other than 200 under `'x-status'`, a body
   * outside the envelope as `contentMediaType`; helpers in `response-schemas.ts`). The test kit checks every answer against it.
   */
  schema?: S;
  /** Media types and size of the body (default: JSON up to the host's limit). */
  body?: BodyOptions;
  /** The kernel services the handler uses, as refs from `kernelRefs`: `deps: { tenants: kernelRefs.tenants }`. */
  deps?: D;
  /**
   * The domain error codes the handler (and the services it calls) may answer (`coreErrors`, `commonErrors` for the
   * SDK's error classes thrown on purpose), beside those the kernel derives from the route (see `route-errors.ts`):
   * listed in the OpenAPI document, and held to under `checkResponses`, where an undocumented code is a 500.
   * Required: `[]` states that the handler answers none of its own.
   */
  errors: readonly ErrorRef[];
  /** Calls allowed per IP or per principal, counted per route and tenant by the kernel before the body is read (429 beyond). */
  rateLimit?: RouteRateLimit;
  /** A signed-in user must have verified their email (`403 email_unverified`; API tokens are not affected). */
  verifiedEmail?: boolean;
  /** The handler only reads (`GET` only): its transaction is read only, on the read replica when there is one (ADR 0013). */
  readOnly?: boolean;
  /**
   * Served while the tenant is read only or suspended by billing's dunning (`402 billing_read_only`,
   * `billing_suspended` otherwise): the billing routes, so that a tenant can always pay (docs/billing.md).
   */
  billingExempt?: boolean;
  /** A page at the site root (core's customer pages at `/c/:tenant/…`), left out of the OpenAPI document; public routes only. */
  root?: boolean;
  /** A root route's page for requests no tenant serves (default: the JSON 404), in the tenant's or the visitor's language. */
  rootNotFound?: (request: { locale: string }) => RawReply;
}

/** A core (or host) route as written: a plugin route's shape, with core's access kinds and kernel deps. */
export type CoreRouteDefinition<A extends RouteAccess, S extends RouteSchemas, D extends KernelDepRefs> = A &
  RouteFields<S, D> & {
    /** Its answer, typed from `schema.response` as a plugin handler's is (timestamps as ISO strings: `toJson`). */
    handler(input: RouteInput<A, S, D>): Promise<RouteResult<S>>;
  };

/**
 * Declares a core (or host) route, its handler's input typed from its access, schemas and deps.
 *
 * @example
 * ```ts
 * export const getRole = defineRoute({
 *   method: 'GET', path: '/roles/:id', summary: 'One role with its effective permissions', tag: 'roles',
 *   permission: corePermissions['roles.view'],
 *   schema: { params: IdParams, response: Role },
 *   errors: [],
 *   deps: { tenantAccess: kernelRefs.tenantAccess },
 *   async handler({ params, db, deps, tenant }) { … deps.tenantAccess.grantsIn(tenant.id) … },
 * });
 * ```
 */
export function defineRoute<S extends RouteSchemas = NoFields, D extends KernelDepRefs = NoFields>(
  route: CoreRouteDefinition<PermissionAccess, S, D>,
): CoreRoute;
export function defineRoute<S extends RouteSchemas = NoFields, D extends KernelDepRefs = NoFields>(route: CoreRouteDefinition<MemberAccess, S, D>): CoreRoute;
export function defineRoute<S extends RouteSchemas = NoFields, D extends KernelDepRefs = NoFields>(route: CoreRouteDefinition<UserAccess, S, D>): CoreRoute;
export function defineRoute<S extends RouteSchemas = NoFields, D extends KernelDepRefs = NoFields>(
  route: CoreRouteDefinition<SuperAdminAccess, S, D>,
): CoreRoute;
export function defineRoute<S extends RouteSchemas = NoFields, D extends KernelDepRefs = NoFields>(route: CoreRouteDefinition<PublicAccess, S, D>): CoreRoute;
export function defineRoute<S extends RouteSchemas = NoFields, D extends KernelDepRefs = NoFields>(
  route: CoreRouteDefinition<PublicTenantAccess, S, D>,
): CoreRoute;
export function defineRoute(route: CoreRouteDefinition<RouteAccess, RouteSchemas, KernelDepRefs>): CoreRoute {
  const {
    permission,
    member,
    user,
    superAdmin,
    public: isPublic,
    tenant,
    tenantParam,
    handler,
    ...fields
  } = route as CoreRouteDefinition<RouteAccess, RouteSchemas, KernelDepRefs> & { tenant?: true; tenantParam?: string };
  const access: Access = permission
    ? { permission }
    : member
      ? { member }
      : user
        ? { user }
        : superAdmin
          ? { superAdmin }
          : { public: isPublic!, ...(tenantParam ? { tenant: { param: tenantParam } } : tenant ? { tenant } : {}) };
  return { ...fields, access, handler: handler as CoreRoute['handler'] };
}

/**
 * Who may call a route, as the request path reads it (from {@link defineRoute}, or a plugin's route): the kind, and
 * for public routes where the tenant comes from, if there is one (see {@link PublicTenant}).
 */
export type Access = { public: true; tenant?: PublicTenant } | { user: true } | { permission: PermissionRef } | { member: true | 'any' } | { superAdmin: true };

/**
 * Where a public route's tenant comes from: the request (`true`: header or host, as plugins' public routes), a path
 * parameter (`{ param }`), or a lookup (`{ resolve }`, for plugin pages at the site root).
 */
export type PublicTenant =
  true | { param: string } | { resolve(input: { params: Record<string, string>; host: string; db: GlobalDb }): Promise<string | undefined> };

/** A handler's input as the request path fills it in (types erased). */
export interface HandlerInput {
  params: unknown;
  query: unknown;
  body: unknown;
  deps: Readonly<Record<string, unknown>>;
  ctx: PlinthContext;
  principal: Principal | undefined;
  tenant: Tenant | undefined;
  access: TenantAccess | undefined;
  permissions: readonly string[];
  /** The organisation units the request reaches for the route's permission (see `authorize`). */
  units: Reach;
  /** The tenant's unit tree when the caller holds roles in units (for `permissionsAt`). */
  unitTree: UnitTree | undefined;
  db: ScopedDb;
  actor: AuditActor;
  audit(entry: AuditEntry & { tenantId?: string }): Promise<void>;
}

/** A route as the kernel mounts it: core's and host routes from {@link defineRoute}, plugins' from `pluginRoutes` (types erased). */
export interface CoreRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1` (or the site root, for `root` routes), with `:name` parameters. */
  path: string;
  /** Served at the site root instead of under `/api/v1` (plugin pages), and left out of the OpenAPI document. */
  root?: boolean;
  /** A root route's page for requests no tenant serves (default: the JSON 404), in the tenant's or the visitor's language. */
  rootNotFound?: (request: { locale: string }) => RawReply;
  /** Media types and size of the body (default: JSON up to the host's limit). */
  body?: BodyOptions;
  summary: string;
  access: Access;
  /** Schemas of the inputs, and of the returned `data` (`response`, for the OpenAPI document and the test kit's checks). */
  schema?: RouteSchemas;
  /** Tag for the OpenAPI document. */
  tag?: string;
  /** The plugin serving the route: it answers `404 plugin_not_enabled` to tenants that have not enabled it. */
  plugin?: string;
  /** The kernel services the handler gets as `deps` (a plugin route's deps are the plugin's, resolved per request). */
  deps?: KernelDepRefs;
  /** See {@link RouteFields.errors}. */
  errors?: readonly ErrorRef[];
  /** Calls allowed per IP or per principal, counted per route and tenant by the kernel before the body is read (429 beyond). */
  rateLimit?: RouteRateLimit;
  /** See {@link RouteFields.verifiedEmail}. */
  verifiedEmail?: boolean;
  /** See {@link RouteFields.readOnly}. */
  readOnly?: boolean;
  /** See {@link RouteFields.billingExempt}. */
  billingExempt?: boolean;
  handler(input: HandlerInput): Promise<unknown>;
}
