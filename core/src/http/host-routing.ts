import type { Plugin } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { LazyTransaction } from '../db/scoped-db.js';
import type { TenantDirectory } from '../tenancy/tenant-directory.js';
import type { PlinthMiddleware } from './context.js';

/** Paths that always mean the platform, whatever the host. */
const platformPaths = /^\/(?:api|health|metrics)(?:\/|$)/;

export interface HostRoutingOptions {
  plugins: readonly Plugin[];
  database: Database;
  tenants: TenantDirectory;
}

/**
 * Lets plugins serve their root routes on host names of their own (`hosts` of the plugin definition): a request
 * on another host is routed to the path the first plugin answers, if one does. Returns undefined when no
 * plugin routes hosts, so the request path pays nothing for it.
 */
export function hostRouting({ plugins, database, tenants }: HostRoutingOptions): PlinthMiddleware | undefined {
  const routers = plugins.flatMap((plugin) => (plugin.hosts ? [{ plugin, hosts: plugin.hosts, prefixes: rootPrefixes(plugin) }] : []));
  if (routers.length === 0) return undefined;

  return async (ctx, next) => {
    const host = ctx.hostname.toLowerCase();
    if (platformPaths.test(ctx.path) || tenants.isPlatformHost(host)) return next();
    const domainTenantId = (await tenants.byDomain(host))?.id;
    const db = new LazyTransaction(database, 'global');
    try {
      for (const { plugin, hosts, prefixes } of routers) {
        const path = await hosts.route({ host, path: ctx.path, domainTenantId, db });
        if (path === undefined) continue;
        if (!prefixes.some((prefix) => path.startsWith(prefix))) {
          throw new Error(`plugin \`${plugin.name}\` routed ${host}${ctx.path} to ${path}, which is not among its root routes`);
        }
        ctx.path = path;
        break;
      }
    } finally {
      await db.finish(false);
    }
    return next();
  };
}

/** The fixed start of each root route's path (`/b/` of `/b/:slug`), which a routed path must begin with. */
function rootPrefixes(plugin: Plugin): string[] {
  return plugin.routes.filter((route) => route.public && route.root).map((route) => route.path.split(':')[0]!);
}
