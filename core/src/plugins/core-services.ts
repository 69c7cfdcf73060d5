import {
  coreServices,
  type CoreServiceName,
  type MailMessage,
  type Plugin,
  type PluginCache,
  type PluginEvents,
  type PluginHooks,
  type PluginJobs,
  type PluginLogger,
  type PluginMembers,
  type ResolvedDeps,
  type TenantMember,
} from '@plinth/sdk';
import { pluginAudit } from '../audit/plugin-audit.js';
import { pluginCustomers } from '../customers/customers.js';
import { namespacedDb } from '../db/scoped-db.js';
import { emitEvent } from '../events/outbox.js';
import { pluginFiles } from '../files/plugin-files.js';
import type { KernelServices } from '../kernel.js';
import { holds } from '../rbac/permissions.js';
import { pluginUnits } from '../units/plugin-units.js';
import { pluginNotify } from '../notifications/plugin-notify.js';
import { pluginMetrics } from '../metrics/plugin-metrics.js';
import { pluginLimits } from '../billing/plugin-limits.js';
import { pluginJobs } from './plugin-jobs.js';
import { tablePrefix } from './plugin-registry.js';
import { PluginMisuseError, type ScopeHost, type UnitOfWork } from './plugin-scope.js';

/** What a core service is built from: the plugin asking, its unit of work, the kernel's services and the host. */
export interface CoreServiceInput {
  plugin: Plugin;
  unit: UnitOfWork;
  services: KernelServices;
  host: ScopeHost;
}

type CoreServiceOf<K extends CoreServiceName> = ResolvedDeps<{ service: (typeof coreServices)[K] }>['service'];

/**
 * How each `coreServices` ref becomes a service for one plugin and unit of work: bound to the tenant, namespaced to
 * the plugin, built on the kernel's services (so a host's replacement mailer or clock reaches every plugin). A ref
 * added to the SDK without a factory here does not compile.
 */
export const coreServiceFactories: { [K in CoreServiceName]: (input: CoreServiceInput) => CoreServiceOf<K> } = {
  db: ({ plugin, unit }) => namespacedDb(unit.db, plugin.name),
  cache: ({ plugin, unit, services }) => namespacedCache(services, `p:${plugin.name}:${unit.tenant.id}:`),
  logger: ({ plugin, unit, services }): PluginLogger =>
    services.logger.child({ plugin: plugin.name, tenantId: unit.tenant.id, ...(unit.requestId ? { requestId: unit.requestId } : {}) }),
  // Idempotency keys are the plugin's, per tenant: scoped here so that two tenants' keys never meet.
  mailer: ({ plugin, unit, services }) => ({
    send: (message: MailMessage) =>
      services.mailer.send(message.idempotencyKey ? { ...message, idempotencyKey: `${unit.tenant.id}:${plugin.name}:${message.idempotencyKey}` } : message),
  }),
  hooks: ({ unit, host }) => ({ call: (name: string, ...args: unknown[]) => host.hooks.call(name, args, unit) }) as PluginHooks,
  events: ({ plugin, unit, services }) =>
    ({
      async emit(name: string, payload: unknown) {
        if (!name.startsWith(`${plugin.name}.`))
          throw new PluginMisuseError(`plugin \`${plugin.name}\` may only emit its own events (${plugin.name}.…), not ${name}`);
        await emitEvent(unit.db, services, unit.tenant.id, name, payload, plugin.name);
      },
    }) as PluginEvents,
  jobs: ({ plugin, unit, services }) => pluginJobs(plugin, unit, services) as PluginJobs,
  secrets: ({ services }) => services.secretBox,
  members: ({ unit, services }) => tenantMembers(unit, services),
  customers: ({ unit, services }) => pluginCustomers({ database: services.database, db: unit.db, tenantSlug: unit.tenant.slug, publicUrl: services.publicUrl }),
  writeBehind: ({ plugin, unit, services }) => ({
    insert(table: string, row: Record<string, unknown>) {
      if (!table.startsWith(tablePrefix(plugin.name))) {
        throw new PluginMisuseError(`plugin \`${plugin.name}\` may only write to its own tables (${tablePrefix(plugin.name)}…), not ${table}`);
      }
      services.writeBehind.queue(unit.tenant.id, table, row);
    },
  }),
  clock: ({ services }) => services.clock,
  http: ({ services }) => services.httpClient,
  files: ({ plugin, unit, services }) => pluginFiles(plugin, unit, services),
  audit: ({ plugin, unit }) => pluginAudit(plugin, unit),
  units: ({ unit, services }) => pluginUnits(services, unit.tenant.id),
  notify: ({ plugin, unit, services }) => pluginNotify(plugin, unit, services),
  metrics: ({ plugin, services }) => pluginMetrics(services.metrics.registry, plugin.name, services.logger),
  limits: ({ plugin, unit, services }) => pluginLimits(plugin, unit, services),
};

/** The factory of a core ref, by ref id (`core.db`), or undefined for another plugin's ref. */
export const coreServiceFactory: ReadonlyMap<string, (input: CoreServiceInput) => unknown> = new Map(
  (Object.keys(coreServices) as CoreServiceName[]).map((name) => [coreServices[name].id, coreServiceFactories[name]]),
);

function namespacedCache(services: KernelServices, prefix: string): PluginCache {
  const { cache } = services;
  return {
    get: <T>(key: string) => cache.get<T>(prefix + key),
    set: <T>(key: string, value: T, ttlMs?: number) => cache.set(prefix + key, value, ttlMs),
    delete: (key: string) => cache.delete(prefix + key),
    getOrLoad: <T>(key: string, ttlMs: number, load: () => Promise<T | undefined>) => cache.getOrLoad(prefix + key, ttlMs, load),
  };
}

/** Members from `tenant_users` (staff) or `tenant_accounts` (staff and customers, ADR 0007). */
const memberSelect = (view: 'tenant_users' | 'tenant_accounts') => `select tu.user_id as "userId", tu.name, tu.email,
    coalesce((select array_agg(r.name order by r.name) from membership_roles mr join roles r on r.id = mr.role_id
               where mr.membership_id = tu.membership_id and mr.unit_id is null), '{}') as roles,
    ${view === 'tenant_users' ? "'staff'" : 'tu.kind'} as kind, tu.locale
  from ${view} tu`;

/** The tenant's members, read through the unit's (tenant-scoped) transaction. */
function tenantMembers(unit: UnitOfWork, services: KernelServices): PluginMembers {
  return {
    get: (userId) => unit.db.one<TenantMember>(`${memberSelect('tenant_accounts')} where tu.user_id = $1`, [userId]),
    byEmail: (email) => unit.db.one<TenantMember>(`${memberSelect('tenant_users')} where tu.email_key = lower($1)`, [email]),
    async list(filter = {}) {
      const members = await unit.db.query<TenantMember>(`${memberSelect('tenant_users')} order by tu.name, tu.user_id`);
      const { role, permission } = filter;
      const byRole = role ? members.filter((member) => member.roles.includes(role)) : members;
      if (!permission) return byRole;
      const access = await Promise.all(byRole.map((member) => services.tenantAccess.of(unit.tenant.id, member.userId)));
      return byRole.filter((_member, index) => holds(access[index]?.permissions ?? [], permission));
    },
  };
}
