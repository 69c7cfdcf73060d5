import { Reply, type BodyOptions, type GlobalDb, type RawReply } from '@plinth/sdk';
import type { Static, TSchema } from '@sinclair/typebox';
import type { AuditActor, AuditEntry } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { TenantAccess } from '../rbac/tenant-access.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import type { PlinthContext } from './context.js';

/**
 * Who may call a route. Every route states one; a route without it fails at boot.
 * - `public`: anyone, no credentials; `tenant` says where its tenant comes from, if it has one: the request
 *   (`true`: header or host, as plugins' public routes), a path parameter (`{ param }`), or a lookup (`{ resolve }`,
 *   for plugin pages at the site root);
 * - `user`: any signed-in user, no tenant involved (`/me`, creating a tenant);
 * - `permission`: a member (or API token) of the request's tenant holding the permission;
 * - `member`: any member of the request's tenant;
 * - `superAdmin`: host operators (`/admin/…`).
 */
export type Access = { public: true; tenant?: PublicTenant } | { user: true } | { permission: string } | { member: true } | { superAdmin: true };

/** Where a public route's tenant comes from. */
export type PublicTenant =
  true | { param: string } | { resolve(input: { params: Record<string, string>; host: string; db: GlobalDb }): Promise<string | undefined> };

export interface RouteSchema {
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
}

type Input<S extends RouteSchema, K extends keyof RouteSchema> = S[K] extends TSchema ? Static<S[K]> : undefined;

/** The caller, once authenticated. */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string; isSuperAdmin: boolean }
  | { kind: 'api-token'; tokenId: string; createdBy: string | null; permissions: string[] };

/** What a handler receives: validated input, the caller, the tenant, and the request's transaction. */
export interface RouteInput<S extends RouteSchema> {
  ctx: PlinthContext;
  params: Input<S, 'params'>;
  query: Input<S, 'query'>;
  body: Input<S, 'body'>;
  services: KernelServices;
  principal: Principal | undefined;
  tenant: Tenant | undefined;
  /** The member's roles and permissions (user principals in a tenant). */
  access: TenantAccess | undefined;
  /** Effective permissions of the caller in the tenant (a member's, or an API token's). */
  permissions: readonly string[];
  /**
   * The request's transaction, opened on first use, committed when the
   * handler returns and rolled back when it throws: scoped to the tenant on
   * tenant routes, the system path on the others.
   */
  db: ScopedDb;
  actor: AuditActor;
  /** Records an audit entry in the request's transaction (the tenant's log, or the host's on tenant-less routes). */
  audit(entry: AuditEntry & { tenantId?: string }): Promise<void>;
}

export { Reply };

export interface CoreRoute<S extends RouteSchema = RouteSchema> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1` (or the site root, for `root` routes), with `:name` parameters. */
  path: string;
  /** Served at the site root instead of under `/api/v1` (plugin pages), and left out of the OpenAPI document. */
  root?: boolean;
  /** A root route's page for requests no tenant serves (default: the JSON 404). */
  rootNotFound?: () => RawReply;
  /** Media types and size of the body (default: JSON up to the host's limit). */
  body?: BodyOptions;
  summary: string;
  access: Access;
  schema?: S;
  /** Tag for the OpenAPI document. */
  tag?: string;
  /** The plugin serving the route: it answers `404 plugin_not_enabled` to tenants that have not enabled it. */
  plugin?: string;
  /**
   * Schema of the returned `data`, for the OpenAPI document; statuses other than 200 under `'x-status'`, a body
   * outside the envelope as `contentMediaType` (helpers in `response-schemas.ts`). The test kit checks every answer against it.
   */
  response?: TSchema;
  handler(input: RouteInput<S>): Promise<unknown>;
}

/** Declares a route with its input types inferred from the schemas. */
export function defineRoute<S extends RouteSchema>(route: CoreRoute<S>): CoreRoute<S> {
  return route;
}
