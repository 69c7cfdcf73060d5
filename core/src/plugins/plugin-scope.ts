import { inspect } from 'node:util';
import type { UnitScope } from '../db/scoped-db.js';
import type { Plugin, ServiceRef, TenantInfo } from '@plinth/sdk';
import type { AuditActor } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { coreServiceFactory } from './core-services.js';
import type { PluginHooksRuntime } from './plugin-hooks.js';
import type { TenantPluginState } from './tenant-plugins.js';

/** One unit of work (a request, a job run, an event delivery) for one tenant: what deps are resolved against. */
export interface UnitOfWork {
  tenant: TenantInfo;
  db: ScopedDb;
  state: TenantPluginState;
  requestId?: string;
  /**
   * The organisation units a request works in (absent: the whole tenant). Jobs it queues keep them, so a unit-scoped
   * member's export or import works in her units only.
   */
  unitScope?: UnitScope;
  /** Who the unit works for, for the audit log: a request's caller; none in jobs and event deliveries. */
  actor?: AuditActor;
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
 * An object whose own enumerable keys are the plugin's deps (so handlers may
 * destructure and spread it), each resolved when read. A proxy over the unit
 * with one handler per plugin: defining a getter per dep on every request was
 * two thirds of the plugin layer's work on a read by id.
 */
export function resolveDeps(plugin: Plugin, unit: UnitOfWork, host: ScopeHost): Record<string, unknown> {
  let handler = depsHandlers.get(plugin);
  if (!handler) depsHandlers.set(plugin, (handler = depsHandler(plugin)));
  return new Proxy(new DepsTarget(unit, host), handler) as unknown as Record<string, unknown>;
}

/**
 * What a deps proxy resolves against; not visible through the proxy. A log of the proxy (`console.log` shows a
 * proxy's target, calling its custom inspection on the proxy) shows the dep keys only, never the host behind them.
 */
class DepsTarget {
  constructor(
    readonly unit: UnitOfWork,
    readonly host: ScopeHost,
  ) {}

  [inspect.custom](this: object): string {
    return `Deps { ${Object.keys(this).join(', ')} }`;
  }
}

const depsHandlers = new WeakMap<Plugin, ProxyHandler<DepsTarget>>();

/** The traps of `plugin`'s deps: its dep keys, each read as `resolve` returns it; nothing else, and read-only. */
function depsHandler(plugin: Plugin): ProxyHandler<DepsTarget> {
  const refs = new Map<string | symbol, ServiceRef<unknown>>(Object.entries(plugin.deps));
  const keys = [...refs.keys()];
  const value = (target: DepsTarget, key: string | symbol) => {
    const ref = refs.get(key);
    return ref === undefined ? undefined : resolve(plugin, ref, target.unit, target.host);
  };
  const readOnly = () => {
    throw new PluginMisuseError(`plugin \`${plugin.name}\` changed its deps: they are read-only`);
  };
  return {
    get: value,
    has: (_target, key) => refs.has(key),
    // The engine copies the list a trap returns: the same array serves every request.
    ownKeys: () => keys,
    getOwnPropertyDescriptor: (target, key) =>
      // An accessor, as a getter reads it: listing the keys (spreading checks each is enumerable) builds nothing.
      refs.has(key) ? { get: () => value(target, key), enumerable: true, configurable: true } : undefined,
    set: readOnly,
    defineProperty: readOnly,
    deleteProperty: readOnly,
  };
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
  const core = coreServiceFactory.get(id);
  if (core) return core({ plugin, unit, services: host.services, host });
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
  return definition.create({ deps: resolveDeps(provider, unit, host), settings, tenantId: unit.tenant.id, tenant: unit.tenant });
}
