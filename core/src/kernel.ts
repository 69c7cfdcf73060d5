import type { OrgUnitsService } from './units/unit-tree.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { asFunction, createContainer, InjectionMode } from 'awilix';
import type Koa from 'koa';
import type { Clock, HttpClient, Plugin } from '@plinth/sdk';
import type { Cache } from './cache/cache.js';
import type { FileService } from './files/file-service.js';
import { defineAuditWork, scheduleAuditWork } from './audit/audit-retention.js';
import { defineBillingWork, scheduleBillingWork } from './billing/dunning.js';
import { defineFileWork, scheduleFileWork } from './files/file-jobs.js';
import { defineUploadWork, scheduleUploadWork } from './files/resumable-jobs.js';
import { defineReportWork, scheduleReportWork } from './reports/report-work.js';
import { defineNotificationWork, scheduleNotificationWork } from './notifications/delivery.js';
import type { NotificationStream } from './notifications/notification-stream.js';
import type { ObjectStorage } from './files/storage.js';
import type { PlinthConfig } from './config/variables.js';
import type { Database } from './db/database.js';
import { resolveDatabase } from './db/connect.js';
import { migrate } from './db/migrator.js';
import { coreMigrations } from './db/migrations/index.js';
import type { ApiTokenAuth } from './auth/api-token-auth.js';
import type { AccessTokens } from './auth/access-tokens.js';
import type { Identity } from './auth/identity.js';
import type { SecretBox } from './crypto/secrets.js';
import { createHttpApp } from './http/app.js';
import type { RateLimiter } from './http/rate-limiter.js';
import { drainable } from './http/drain.js';
import { openApiDocument } from './http/openapi.js';
import type { CoreRoute } from './http/route.js';
import { checkRoutes, mountRoutes } from './http/route-pipeline.js';
import { version } from './version.js';
import { withTimeout } from './util/timeout.js';
import { coreRoutes } from './http/core-routes.js';
import type { WriteBehind } from './db/write-behind.js';
import { hostRouting } from './http/host-routing.js';
import { staticFiles, webSites } from './http/static-files.js';
import type { Mailer } from './mail/mailer.js';
import type { PermissionDefinition } from './rbac/permissions.js';
import { createPluginHost, type PluginHost } from './plugins/plugin-host.js';
import type { TenantAccessService } from './rbac/tenant-access.js';
import type { SupportAccessService } from './support/support-access.js';
import type { TenantDirectory } from './tenancy/tenant-directory.js';
import type { Entitlements } from './billing/entitlements.js';
import type { BillingService } from './billing/billing-service.js';
import type { PlinthRouter, PlinthState } from './http/context.js';
import { healthRoutes, mountOperationalRoutes } from './http/health.js';
import { createReadiness } from './http/readiness.js';
import type { Metrics } from './http/metrics.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import type { Jobs } from './jobs/jobs.js';
import { createCloser, type Closer } from './lifecycle/closer.js';
import { createLogger, type Logger } from './logger.js';
import { defaultFactories, type KernelFactories, type ServiceOverrides } from './kernel-services.js';
import { detectTracing } from './telemetry/tracing.js';

/**
 * The services a kernel holds, by name: each built by a factory (kernel-services.ts) that awilix resolves, once.
 * A host or a test replaces some of them with `KernelOptions.services`.
 */
export interface KernelServices {
  config: PlinthConfig;
  logger: Logger;
  database: Database;
  cache: Cache;
  jobs: Jobs;
  metrics: Metrics;
  mailer: Mailer;
  secretBox: SecretBox;
  accessTokens: AccessTokens;
  identity: Identity;
  tenants: TenantDirectory;
  tenantAccess: TenantAccessService;
  /** Host operators' running support sessions in tenants (core/src/support): the only way into a tenant they are no member of. */
  supportAccess: SupportAccessService;
  /** Each tenant's organisation units as a tree, cached (core/src/units). */
  orgUnits: OrgUnitsService;
  apiTokenAuth: ApiTokenAuth;
  rateLimiter: RateLimiter;
  /** Batched inserts after the response (plugins' `coreServices.writeBehind`). */
  writeBehind: WriteBehind;
  /** The installed plugins: routes, per-tenant enablement, events and jobs. */
  plugins: PluginHost;
  /** Every permission the host knows: core's and every installed plugin's. */
  permissionCatalogue(): readonly PermissionDefinition[];
  /** Base URL for links in mail: PLINTH_PUBLIC_URL, or the listening address. */
  publicUrl(): string;
  /** The time, for the kernel and plugins (`coreServices.clock`). */
  clock: Clock;
  /** Outbound HTTP refusing internal destinations (`coreServices.http`). */
  httpClient: HttpClient;
  /** Where file bytes live: the data dir, or an S3-compatible bucket (`PLINTH_STORAGE_URL`). */
  storage: ObjectStorage;
  /** Files: rows, quotas, signed URLs and variants over {@link storage} (`coreServices.files` for plugins). */
  files: FileService;
  /** Live inbox events for this process's open notification streams (one LISTEN connection, opened with the first stream). */
  notificationStream: NotificationStream;
  /** Each tenant's plan and what it allows: limits, refusals past them, access to plugins (core/src/billing, docs/billing.md). */
  entitlements: Entitlements;
  /** Host billing of tenants: subscriptions, the provider, invoices and dunning (core/src/billing, docs/billing.md). */
  billing: BillingService;
}

export interface Kernel {
  readonly config: PlinthConfig;
  /** The kernel's services, built (the test kit reads them; a host reaches them here after `createKernel`). */
  readonly services: KernelServices;
  readonly app: Koa<PlinthState>;
  /** Routes at the root of the host. */
  readonly rootRouter: PlinthRouter;
  /** Routes under `/api/v1`. */
  readonly apiRouter: PlinthRouter;
  /** Migrates, starts the job worker (roles worker, all) and listens (roles api, all). */
  start(): Promise<void>;
  /** The URL the API listens on, once started. */
  readonly url: string | undefined;
  /**
   * Graceful shutdown: closes what the kernel opened, in reverse — stops accepting and finishes in-flight
   * requests, then running jobs (each bounded by the shutdown timeout), writes what the write-behind holds,
   * closes the cache, the pool and the embedded PostgreSQL. Once; later calls get the same promise. A boot
   * (`createKernel` or `start`) that fails halfway has already done this for what it had opened.
   */
  stop(): Promise<void>;
}

export interface KernelOptions {
  logger?: Logger;
  /** The installed plugins (definePlugin results); order does not matter, dependencies are sorted out. */
  plugins?: readonly Plugin[];
  /** Extra routes of the host, served under /api/v1 behind the same request path as core's. */
  routes?: readonly CoreRoute[];
  /**
   * Check every answer against its route's response schema (the test kit does): data or a status the schema does
   * not document is a 500, logged naming the route and what differs. Off in production: it costs a JSON round trip.
   */
  checkResponses?: boolean;
  /**
   * Builds these services with the given factories instead of the kernel's: a fake mailer, a fixed clock, another
   * cache, an HTTP client that may call a test's loopback server. A factory gets the other services.
   *
   * @example
   * ```ts
   * createKernel(config, { services: { clock: () => ({ now: () => new Date('2026-01-01T00:00:00Z') }) } });
   * ```
   */
  services?: ServiceOverrides;
}

/**
 * Builds a kernel from a validated configuration. With no `databaseUrl`, it
 * first starts the embedded PostgreSQL under `<dataDir>/postgres` (and stops
 * it on {@link Kernel.stop}). Should building fail halfway, what it had opened
 * is closed, in reverse, before the error is thrown.
 */
export async function createKernel(config: PlinthConfig, options: KernelOptions = {}): Promise<Kernel> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Before any service is built: each composes with spans or without, once (telemetry/tracing.ts).
  detectTracing();
  const closer = createCloser({ onError: (resource, error) => logger.error({ err: error, resource }, `could not close ${resource}`) });
  try {
    return await assembleKernel(config, options, logger, closer);
  } catch (error) {
    // Closing failures were logged, each naming its resource; the caller gets the boot's error.
    await closer.close().catch(() => undefined);
    throw error;
  }
}

/** Opens the kernel's resources one by one, each registered on `closer` as soon as it exists. */
async function assembleKernel(config: PlinthConfig, options: KernelOptions, logger: Logger, closer: Closer): Promise<Kernel> {
  let url: string | undefined;
  const connection: { databaseUrl?: string } = {};
  const factories: KernelFactories = {
    ...defaultFactories,
    ...(options.services as Partial<KernelFactories>),
    // What the factories read: the URL the kernel connects to, the embedded PostgreSQL's when none was configured.
    config: () => ({ ...config, databaseUrl: connection.databaseUrl }),
    logger: () => logger,
    plugins: () =>
      createPluginHost(options.plugins ?? [], () => services, {
        coreVersion: version,
        onFailure(failure) {
          services.metrics.pluginFailed(failure.plugin, failure.kind);
          logger.error({ plugin: failure.plugin, kind: failure.kind, err: failure.cause }, failure.message);
        },
      }),
    publicUrl: () => () => config.publicUrl ?? url ?? `http://${config.host}:${config.port}`,
  };
  const container = createContainer<KernelServices>({ injectionMode: InjectionMode.PROXY, strict: true });
  for (const [name, factory] of Object.entries(factories)) container.register(name, asFunction(factory as (services: KernelServices) => unknown).singleton());
  const resolve = <K extends keyof KernelServices>(name: K): KernelServices[K] => container.resolve(name);
  // Plugins are validated and ordered first: a refused plugin stops the boot before anything is opened.
  const pluginHost = resolve('plugins');
  // So are the routes, in production too: a schema ajv refuses or a shadowed path stops the boot, naming plugin and route.
  // `/health/ready` reads the services once the boot has built them; it answers 503 until `start` has finished.
  const readiness = createReadiness(() => services);
  const routes = [...coreRoutes, ...healthRoutes(readiness), ...pluginHost.routes, ...(options.routes ?? [])];
  checkRoutes(routes, (route) => (route.root ? 'root' : (route.plugin ?? 'api')));
  const target = await resolveDatabase(config, logger);
  closer.defer(target.kind === 'embedded' ? 'embedded PostgreSQL' : 'database target', () => target.release());
  connection.databaseUrl = target.url;

  const database = resolve('database');
  closer.defer('database pool', () => database.destroy());
  const cache = resolve('cache');
  closer.defer('cache', () => cache.close());
  const storage = resolve('storage');
  closer.defer('object storage', () => storage.close());
  // Before the job system, so it closes after it: a job stopping may still queue rows.
  const writeBehind = resolve('writeBehind');
  closer.defer('write-behind', () => writeBehind.stop());
  const metrics = resolve('metrics');
  const jobs = resolve('jobs');
  closer.defer('job system', () => jobs.stop(config.shutdownTimeoutMs));
  const http = createHttpApp(config, logger, metrics);
  // Requests get the shutdown timeout from the moment closing begins (the server's drain, then handlers whose client left); then running jobs get it.
  let requestsDeadline: number | undefined;
  const drainStarts = () => {
    readiness.draining();
    return (requestsDeadline ??= performance.now() + config.shutdownTimeoutMs);
  };
  closer.defer('in-flight requests', async () => {
    drainStarts();
    http.beginDrain();
    await withTimeout(http.idle(), Math.max(0, drainStarts() - performance.now()), 'in-flight requests').catch((error: unknown) =>
      logger.warn({ err: error }, 'requests still running at shutdown'),
    );
  });
  mountOperationalRoutes(http.rootRouter, { database, cache, jobs }, metrics);

  // The rest opens nothing to close; every one is built now, so a failing factory stops the boot, and requests
  // read a plain object rather than going through the container.
  const services = Object.freeze(
    Object.fromEntries(Object.keys(factories).map((name) => [name, resolve(name as keyof KernelServices)])),
  ) as unknown as KernelServices;
  mountRoutes((route) => (route.root ? http.rootRouter : route.plugin ? http.pluginRouter(route.plugin, route.path) : http.apiRouter), routes, services, {
    checkResponses: options.checkResponses ?? false,
  });
  const routing = hostRouting({ plugins: pluginHost.plugins, database, tenants: services.tenants });
  if (routing) http.routeHosts(routing);
  http.app.use(staticFiles(webSites(pluginHost.plugins)));
  http.apiRouter.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument(routes, { version, serverUrl: config.publicUrl });
  });
  let stopping: Promise<void> | undefined;

  const start = async () => {
    await migrate(database.knex, 'core', coreMigrations);
    // The key that signs access tokens: made by the first process to start (under a lock), read by every other.
    if (config.role !== 'worker') await services.accessTokens.prepare();
    await pluginHost.install();
    pluginHost.defineWork();
    defineFileWork(services);
    defineUploadWork(services);
    defineAuditWork(services);
    defineReportWork(services);
    defineNotificationWork(services);
    defineBillingWork(services);
    if (config.role !== 'api') {
      await jobs.start();
      await pluginHost.scheduleWork();
      await scheduleFileWork(services);
      await scheduleUploadWork(services);
      await scheduleAuditWork(services);
      await scheduleReportWork(services);
      await scheduleNotificationWork(services);
      await scheduleBillingWork(services);
    }
    readiness.ready();
    if (config.role === 'worker' && config.metricsPort !== undefined) {
      const metricsServer = await startMetricsServer(metrics.registry, { port: config.metricsPort, host: config.host });
      closer.defer('metrics server', () => metricsServer.close());
    }
    if (config.role !== 'worker') {
      const listening = http.app.listen(config.port, config.host);
      listening.keepAliveTimeout = 65_000;
      const server = drainable(listening);
      closer.defer('HTTP server', async () => {
        drainStarts();
        http.beginDrain();
        await server.drain(config.shutdownTimeoutMs);
      });
      await once(listening, 'listening');
      const { port } = listening.address() as AddressInfo;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    }
    // Closed first: open streams never finish by themselves, and the HTTP server's drain would wait for them.
    closer.defer('notification streams', () => services.notificationStream.close());
  };

  const stop = () => (stopping ??= closer.close());

  return {
    config: services.config,
    services,
    app: http.app,
    rootRouter: http.rootRouter,
    apiRouter: http.apiRouter,
    // A start that fails halfway (a plugin's setup, a port in use) closes what the kernel opened before it throws.
    start: () =>
      start().catch(async (error: unknown) => {
        await stop().catch(() => undefined);
        throw error;
      }),
    get url() {
      return url;
    },
    stop,
  };
}
