import type { Plugin } from '@plinth/sdk';
import { dispatchEvent, drainEvents } from '../events/dispatch.js';
import { dispatchJob } from '../events/outbox.js';
import { sweepJob } from '../events/sweep.js';
import type { CoreRoute } from '../http/route.js';
import type { KernelServices } from '../kernel.js';
import type { PermissionDefinition } from '../rbac/permissions.js';
import { createPluginHooks, type PluginFailure, type PluginHooksRuntime } from './plugin-hooks.js';
import { installPlugins } from './plugin-installer.js';
import { findUnitTables } from './marketplace.js';
import { orderPlugins } from './plugin-registry.js';
import { pluginRoutes } from './plugin-routes.js';
import type { PluginJobData } from './plugin-jobs.js';
import type { ScopeHost } from './plugin-scope.js';
import { eventDelivery, runPluginJob, sweepWork, type PluginWorkHost } from './plugin-work.js';
import { createTenantPlugins, type TenantPlugins } from './tenant-plugins.js';

/** The installed plugins, loaded and wired into the kernel. */
export interface PluginHost {
  /** In dependency order. */
  readonly plugins: readonly Plugin[];
  readonly byName: ReadonlyMap<string, Plugin>;
  readonly tenantPlugins: TenantPlugins;
  /** The offered hooks (plugins' and the kernel's), for core code calling a kernel hook such as `core.notification.send`. */
  readonly hooks: PluginHooksRuntime;
  /** Every plugin's routes, as core routes under `/api/v1/<plugin>/…`. */
  readonly routes: readonly CoreRoute[];
  /** Every installed plugin's permissions, for the catalogue. */
  readonly permissions: readonly (PermissionDefinition & { plugin: string })[];
  /** Each plugin's tables with organisation units (see `findUnitTables`), known once {@link install} has run. */
  readonly unitTables: ReadonlyMap<string, readonly string[]>;
  /** Runs pending plugin migrations in dependency order, records versions, and reads which tables have units. */
  install(): Promise<{ plugin: string; applied: string[] }[]>;
  /** Defines the event dispatcher, the sweeper and the plugins' jobs on the job system. */
  defineWork(): void;
  /** Schedules the recurring sweeper (worker processes). */
  scheduleWork(): Promise<void>;
  /** What plugin work outside routes, events and jobs (core's report runs) resolves a plugin's deps against. */
  workHost(): PluginWorkHost;
  /** Delivers every event not yet dispatched, now, in this process (tests, `plinth` maintenance). */
  drainEvents(): Promise<{ delivered: number; failed: number }>;
}

export interface PluginHostOptions {
  coreVersion: string;
  onFailure(failure: PluginFailure): void;
}

/**
 * Validates and orders the plugins (refusing bad definitions, missing or
 * mismatched dependencies and cycles), and builds their routes, hooks, event
 * delivery and jobs against the kernel's services.
 */
export function createPluginHost(input: readonly Plugin[], services: () => KernelServices, options: PluginHostOptions): PluginHost {
  const plugins = orderPlugins(input, options.coreVersion);
  const byName = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  const providers = new Map<string, Plugin>();
  for (const plugin of plugins) for (const service of plugin.services) providers.set(service.ref.id, plugin);
  let tenantPlugins: TenantPlugins | undefined;
  let unitTables: ReadonlyMap<string, readonly string[]> = new Map();
  const host = (): PluginWorkHost => ({
    services: services(),
    plugins: byName,
    providers,
    hooks,
    tenantPlugins: (tenantPlugins ??= createTenantPlugins(services().database, services().cache, byName)),
    onFailure: options.onFailure,
  });
  const hooks = createPluginHooks(plugins, host as () => ScopeHost, options.onFailure);

  return {
    plugins,
    byName,
    hooks,
    get tenantPlugins() {
      return host().tenantPlugins;
    },
    routes: plugins.flatMap((plugin) => pluginRoutes(plugin, host)),
    permissions: plugins.flatMap((plugin) =>
      Object.values(plugin.permissions).map((permission) => ({
        plugin: plugin.name,
        name: permission.name,
        description: permission.description,
        grantTo: [...permission.grantTo],
        ...(permission.units ? { units: true as const } : {}),
      })),
    ),
    get unitTables() {
      return unitTables;
    },
    async install() {
      const { knex } = services().database;
      const applied = await installPlugins(knex, plugins, services().config.pluginBootTimeoutMs);
      unitTables = await findUnitTables(knex, plugins);
      return applied;
    },
    defineWork() {
      const { jobs } = services();
      jobs.define<{ tenantId: string; eventId: string }>(dispatchJob, (run) => dispatchEvent(eventDelivery(host()), run.data.tenantId, run.data.eventId), {
        maxRetries: 8,
      });
      jobs.define(sweepJob, async () => void (await sweepWork(host())), { concurrency: 1 });
      for (const plugin of plugins) {
        for (const job of plugin.jobs) {
          jobs.define<PluginJobData>(job.name, (run) => runPluginJob(host(), plugin, job.name, run), {
            ...(job.concurrency ? { concurrency: job.concurrency } : {}),
            ...(job.maxRetries !== undefined ? { maxRetries: job.maxRetries } : {}),
            ...(job.lockLifetimeMs ? { lockLifetimeMs: job.lockLifetimeMs } : {}),
            ...(job.priority ? { priority: job.priority } : {}),
          });
        }
      }
    },
    async scheduleWork() {
      // Often enough that work a crash left between a commit and its queueing resumes within seconds.
      await services().jobs.every('10 seconds', sweepJob, {}, { name: sweepJob });
    },
    workHost: host,
    drainEvents: () => drainEvents(eventDelivery(host())),
  };
}
