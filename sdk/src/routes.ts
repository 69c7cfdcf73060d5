import type { Static, TSchema } from '@sinclair/typebox';
import type { RequestContext } from './context.js';
import type { PermissionRef } from './permissions.js';
import type { Reply } from './reply.js';
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
  ? Static<S['response']> | Reply<Static<S['response']>> | Reply<undefined>
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
export type RouteAccess = { permission: PermissionRef; public?: never } | { public: true; permission?: never };

/** A plugin route, served at `/api/v1/<plugin><path>`. */
export type RouteDefinition<S extends RouteSchemas, Deps, Settings> = RouteAccess & {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the plugin's prefix, with `:name` parameters: `/contacts/:id`. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  schema?: S;
  handler(input: RouteInput<S, Deps, Settings>): Promise<RouteResult<S>>;
};

/** A route as the kernel sees it (types erased). */
export type AnyRoute = RouteAccess & {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  summary: string;
  schema?: RouteSchemas;
  handler(input: RouteInput<RouteSchemas, unknown, unknown>): Promise<unknown>;
};
