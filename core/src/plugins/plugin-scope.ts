import type { MailMessage, Plugin, PluginMembers, ServiceRef, TenantInfo, TenantMember } from '@plinth/sdk';
import { namespacedDb, type ScopedDb } from '../db/scoped-db.js';
import { pluginJobs } from './plugin-jobs.js';
import { emitEvent } from '../events/outbox.js';
import type { KernelServices } from '../kernel.js';
import type { Logger } from '../logger.js';
import { holds } from '../rbac/permissions.js';
import type { PluginHooksRuntime } from './plugin-hooks.js';
import { tablePrefix } from './plugin-registry.js';
import type { TenantPluginState } from './tenant-plugins.js';

/** One unit of work (a request, a job run, an event delivery) for one tenant: what deps are resolved against. */
export interface UnitOfWork {
  tenant: TenantInfo;
  db: ScopedDb;
  state: TenantPluginState;
  requestId?: string;
  /** Services already built in this unit, by ref id, so every plugin sees the same instance. */
  built: Map<string, unknown>;
}

/** What resolving deps needs from the host. */
export interface ScopeHost {
  services: KernelServices;
  plugins: ReadonlyMap<string, Plugin>;
  hooks: PluginHooksRuntime;
  /** Provider plugin of each service ref id. */
  providers: ReadonlyMap<string, Plugin>;
}

/** Thrown when a plugin uses what it may not: the message names the plugin. */
export class PluginMisuseError extends Error {
  override name = 'PluginMisuseError';
}

/**
 * The deps a plugin's handler receives, resolved for one unit of work:
 * core services bound to the tenant and the unit's transaction, and other
 * plugins' services built on first use with the provider's own deps.
 */
export function resolveDeps(plugin: Plugin, unit: UnitOfWork, host: ScopeHost): Record<string, unknown> {
  const deps: Record<string, unknown> = {};
  for (const [key, ref] of Object.entries(plugin.deps)) {
    Object.defineProperty(deps, key, { enumerable: true, get: () => resolve(plugin, ref, unit, host) });
  }
  return deps;
}

function resolve(plugin: Plugin, ref: ServiceRef<unknown>, unit: UnitOfWork, host: ScopeHost): unknown {
  const { id } = ref;
  const key = id.startsWith('core.') ? `${plugin.name}:${id}` : id;
  if (unit.built.has(key)) return unit.built.get(key);
  const service = build(plugin, id, ref.optional === true, unit, host);
  if (service !== undefined) unit.built.set(key, service);
  return service;
}

function build(plugin: Plugin, id: string, optional: boolean, unit: UnitOfWork, host: ScopeHost): unknown {
  const { services } = host;
  const tenantId = unit.tenant.id;
  switch (id) {
    case 'core.db':
      return namespacedDb(unit.db, plugin.name);
    case 'core.cache':
      return namespacedCache(services, `p:${plugin.name}:${tenantId}:`);
    case 'core.logger':
      return pluginLogger(services.logger, plugin.name, tenantId, unit.requestId);
    case 'core.mailer':
      // Idempotency keys are the plugin's, per tenant: scoped here so that two tenants' keys never meet.
      return {
        send: (message: MailMessage) =>
          services.mailer.send(message.idempotencyKey ? { ...message, idempotencyKey: `${tenantId}:${plugin.name}:${message.idempotencyKey}` } : message),
      };
    case 'core.hooks':
      return { call: (name: string, ...args: unknown[]) => host.hooks.call(name, args, unit) };
    case 'core.events':
      return {
        async emit(name: string, payload: unknown) {
          if (!name.startsWith(`${plugin.name}.`))
            throw new PluginMisuseError(`plugin \`${plugin.name}\` may only emit its own events (${plugin.name}.…), not ${name}`);
          await emitEvent(unit.db, services, tenantId, name, payload, plugin.name);
        },
      };
    case 'core.jobs':
      return pluginJobs(plugin, unit, services);
    case 'core.secrets':
      return services.secretBox;
    case 'core.members':
      return tenantMembers(unit, services);
    case 'core.writeBehind':
      return {
        insert(table: string, row: Record<string, unknown>) {
          if (!table.startsWith(tablePrefix(plugin.name))) {
            throw new PluginMisuseError(`plugin \`${plugin.name}\` may only write to its own tables (${tablePrefix(plugin.name)}…), not ${table}`);
          }
          services.writeBehind.queue(tenantId, table, row);
        },
      };
  }
  const provider = host.providers.get(id);
  if (!provider) {
    if (optional) return undefined;
    throw new PluginMisuseError(`plugin \`${plugin.name}\` depends on service ${id}, which no installed plugin provides`);
  }
  const declared = { ...plugin.requires.plugins, ...plugin.requires.optionalPlugins };
  if (provider.name !== plugin.name && !(provider.name in declared)) {
    throw new PluginMisuseError(`plugin \`${plugin.name}\` uses ${id} of \`${provider.name}\` without listing \`${provider.name}\` in requires`);
  }
  const settings = unit.state.settings[provider.name];
  if (!settings) {
    if (optional) return undefined;
    throw new PluginMisuseError(`service ${id} is unavailable: plugin \`${provider.name}\` is not enabled for this tenant`);
  }
  const definition = provider.services.find((candidate) => candidate.ref.id === id)!;
  return definition.create({ deps: resolveDeps(provider, unit, host), settings, tenantId });
}

function namespacedCache(services: KernelServices, prefix: string) {
  const { cache } = services;
  return {
    get: <T>(key: string) => cache.get<T>(prefix + key),
    set: <T>(key: string, value: T, ttlMs?: number) => cache.set(prefix + key, value, ttlMs),
    delete: (key: string) => cache.delete(prefix + key),
    getOrLoad: <T>(key: string, ttlMs: number, load: () => Promise<T | undefined>) => cache.getOrLoad(prefix + key, ttlMs, load),
  };
}

function pluginLogger(logger: Logger, plugin: string, tenantId: string, requestId: string | undefined) {
  return logger.child({ plugin, tenantId, ...(requestId ? { requestId } : {}) });
}

const memberSelect = `select tu.user_id as "userId", tu.name, tu.email,
    coalesce((select array_agg(r.name order by r.name) from membership_roles mr join roles r on r.id = mr.role_id
               where mr.membership_id = tu.membership_id), '{}') as roles
  from tenant_users tu`;

/** The tenant's members, read through the unit's (tenant-scoped) transaction. */
function tenantMembers(unit: UnitOfWork, services: KernelServices): PluginMembers {
  return {
    get: (userId) => unit.db.one<TenantMember>(`${memberSelect} where tu.user_id = $1`, [userId]),
    byEmail: (email) => unit.db.one<TenantMember>(`${memberSelect} where lower(tu.email) = lower($1)`, [email]),
    async list(filter = {}) {
      const members = await unit.db.query<TenantMember>(`${memberSelect} order by tu.name, tu.user_id`);
      const { role, permission } = filter;
      const byRole = role ? members.filter((member) => member.roles.includes(role)) : members;
      if (!permission) return byRole;
      const access = await Promise.all(byRole.map((member) => services.tenantAccess.of(unit.tenant.id, member.userId)));
      return byRole.filter((_member, index) => holds(access[index]?.permissions ?? [], permission));
    },
  };
}
