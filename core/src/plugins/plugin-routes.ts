import type { AnyRoute, Caller, Plugin, RequestContext } from '@plinth/sdk';
import type { LazyTransaction } from '../db/scoped-db.js';
import type { CoreRoute, HandlerInput, PublicTenant } from '../http/route.js';
import { pluginStateOf } from '../http/route-pipeline.js';
import { holds } from '../rbac/permissions.js';
import { holdsAt, holdsInSomeUnit } from '../units/unit-tree.js';
import { PluginFailure } from './plugin-hooks.js';
import { resolveDeps, type ScopeHost } from './plugin-scope.js';
import { tenantInfo } from '../tenancy/tenant-directory.js';
import type { TenantPlugins } from './tenant-plugins.js';

export interface PluginRouteHost extends ScopeHost {
  tenantPlugins: TenantPlugins;
  onFailure(failure: PluginFailure): void;
}

/**
 * A plugin's routes as core routes at `/api/v1/<plugin><path>`: the request
 * path (tenant, auth, rate limit, plugin gate, permission, body, validation;
 * see `routeStages`) is core's; the handler gets deps and a context for its
 * tenant and transaction.
 */
export function pluginRoutes(plugin: Plugin, host: () => PluginRouteHost): CoreRoute[] {
  return plugin.routes.map((route) => adapt(plugin, route, host));
}

function adapt(plugin: Plugin, route: AnyRoute, host: () => PluginRouteHost): CoreRoute {
  return {
    method: route.method,
    path: route.public && route.root ? route.path : `/${plugin.name}${route.path === '/' ? '' : route.path}`,
    summary: route.summary,
    tag: plugin.name,
    plugin: plugin.name,
    access: route.public ? { public: true, tenant: publicTenant(route) } : { permission: route.permission },
    ...(route.public && route.root ? { root: true, ...(route.root.notFound ? { rootNotFound: route.root.notFound } : {}) } : {}),
    ...(route.body ? { body: route.body } : {}),
    ...(route.schema ? { schema: route.schema } : {}),
    ...(route.errors ? { errors: route.errors } : {}),
    ...(route.rateLimit ? { rateLimit: route.rateLimit } : {}),
    ...(route.verifiedEmail ? { verifiedEmail: true } : {}),
    ...(route.readOnly ? { readOnly: true } : {}),
    async handler(input: HandlerInput) {
      const runtime = host();
      const tenant = input.tenant!; // every plugin route has a tenant (`access.tenant` is set on its public ones)
      const info = tenantInfo(tenant);
      // The state the plugin gate admitted the request with (read once per request).
      const state = pluginStateOf(input) ?? (await runtime.tenantPlugins.state(tenant.id));
      const unit = {
        tenant: info,
        db: input.db as LazyTransaction,
        state,
        requestId: input.ctx.state.requestId,
        actor: input.actor,
        ...(input.units.scope ? { unitScope: input.units.scope } : {}),
        built: new Map<string, unknown>(),
      };
      const ctx: RequestContext<unknown> = {
        tenant: info,
        caller: callerOf(input),
        settings: state.settings[plugin.name] ?? {},
        can: (permission, options) => canIn(input, typeof permission === 'string' ? permission : permission.name, options),
        units: { whole: input.units.whole, ids: input.units.ids },
        requestId: input.ctx.state.requestId,
        method: input.ctx.method,
        ip: input.ctx.ip,
        userAgent: input.ctx.get('user-agent') || undefined,
        headers: input.ctx.headers,
        rawBody: input.ctx.request.rawBody,
      };
      try {
        return await route.handler({
          params: input.params as never,
          query: input.query as never,
          body: input.body as never,
          deps: resolveDeps(plugin, unit, runtime),
          ctx,
        });
      } catch (error) {
        if ((error as { expose?: boolean } | null | undefined)?.expose) throw error; // a PlinthError: the plugin's answer, not a failure
        if (error instanceof PluginFailure) throw error; // a tap's failure, already logged and counted under its plugin
        const failure = new PluginFailure(plugin.name, 'route', error);
        runtime.onFailure(failure);
        throw failure;
      }
    },
  };
}

function publicTenant(route: AnyRoute & { public: true }): PublicTenant {
  if (route.root) return { resolve: (input) => route.root!.resolveTenant(input) };
  return route.tenantParam ? { param: route.tenantParam } : true;
}

function callerOf(input: HandlerInput): Caller {
  const { principal } = input;
  if (principal?.kind === 'user') return { kind: 'user', userId: principal.userId };
  if (principal?.kind === 'api-token') return { kind: 'api-token', tokenId: principal.tokenId, userId: principal.createdBy };
  return { kind: 'anonymous' };
}

/**
 * `ctx.can`: held for the whole tenant, or — without `unit` — in some unit, with `unit` in that unit (or one above
 * it); `{ unit: null }` asks for the whole tenant only.
 */
function canIn(input: HandlerInput, permission: string, options: { unit: string | null } | undefined): boolean {
  if (holds(input.permissions, permission)) return true;
  if (options === undefined) return holdsInSomeUnit(input.access, permission);
  if (options.unit === null) return false;
  return holdsAt(input.access, input.permissions, input.unitTree, options.unit, permission);
}
