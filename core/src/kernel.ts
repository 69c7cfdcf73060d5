import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import type Koa from 'koa';
import { createCache, type Cache } from './cache/cache.js';
import type { PlinthConfig } from './config/variables.js';
import { createDatabase, type Database } from './db/database.js';
import { resolveDatabase } from './db/connect.js';
import { migrate } from './db/migrator.js';
import { coreMigrations } from './db/migrations/index.js';
import { createApiTokenAuth, type ApiTokenAuth } from './auth/api-token-auth.js';
import { createAccessTokens, type AccessTokens } from './auth/access-tokens.js';
import { createIdentity, type Identity } from './auth/identity.js';
import { createSecretBox, type SecretBox } from './crypto/secrets.js';
import { runInTenant } from './db/scoped-db.js';
import { createHttpApp } from './http/app.js';
import { createRateLimiter, type RateLimiter } from './http/rate-limiter.js';
import { drainable } from './http/drain.js';
import { openApiDocument } from './http/openapi.js';
import type { CoreRoute } from './http/route.js';
import { checkRoutes, mountRoutes } from './http/route-pipeline.js';
import { version } from './version.js';
import { withTimeout } from './util/timeout.js';
import { coreRoutes } from './http/core-routes.js';
import { createWriteBehind, type WriteBehind } from './db/write-behind.js';
import { hostRouting } from './http/host-routing.js';
import { staticFiles, webSites } from './http/static-files.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { corePermissions, type PermissionDefinition } from './rbac/permissions.js';
import { createPluginHost, type PluginHost } from './plugins/plugin-host.js';
import type { Plugin } from '@plinth/sdk';
import { createTenantAccess, type TenantAccessService } from './rbac/tenant-access.js';
import { createTenantDirectory, type TenantDirectory } from './tenancy/tenant-directory.js';
import type { PlinthRouter, PlinthState } from './http/context.js';
import { mountOperationalRoutes } from './http/health.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { createJobs, type Jobs } from './jobs/jobs.js';
import { createCloser, type Closer } from './lifecycle/closer.js';
import { createLogger, type Logger } from './logger.js';

/** The services a kernel holds, by name, in its awilix container. */
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
}

export interface Kernel {
  readonly config: PlinthConfig;
  readonly container: AwilixContainer<KernelServices>;
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
}

/**
 * Builds a kernel from a validated configuration. With no `databaseUrl`, it
 * first starts the embedded PostgreSQL under `<dataDir>/postgres` (and stops
 * it on {@link Kernel.stop}). Should building fail halfway, what it had opened
 * is closed, in reverse, before the error is thrown.
 */
export async function createKernel(config: PlinthConfig, options: KernelOptions = {}): Promise<Kernel> {
  const logger = options.logger ?? createLogger(config.logLevel);
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
  // Plugins are validated and ordered first: a refused plugin stops the boot before anything is opened.
  const pluginHost = createPluginHost(options.plugins ?? [], () => services, {
    coreVersion: version,
    onFailure(failure) {
      metrics.pluginFailed(failure.plugin, failure.kind);
      logger.error({ plugin: failure.plugin, kind: failure.kind, err: failure.cause }, failure.message);
    },
  });
  // So are the routes, in production too: a schema ajv refuses or a shadowed path stops the boot, naming plugin and route.
  const routes = [...coreRoutes, ...pluginHost.routes, ...(options.routes ?? [])];
  checkRoutes(routes, (route) => (route.root ? 'root' : (route.plugin ?? 'api')));
  const target = await resolveDatabase(config, logger);
  closer.defer(target.kind === 'embedded' ? 'embedded PostgreSQL' : 'database target', () => target.release());
  const databaseUrl = target.url;

  const database = createDatabase({ url: databaseUrl, poolMax: config.dbPoolMax, onLog: (level, message) => logger[level]({ source: 'knex' }, message) });
  closer.defer('database pool', () => database.destroy());
  const cache = await createCache({
    redisUrl: config.redisUrl,
    namespace: config.redisPrefix,
    onError: (error) => logger.warn({ err: error }, 'cache error'),
  });
  closer.defer('cache', () => cache.close());
  // Before the job system, so it closes after it: a job stopping may still queue rows.
  const writeBehind = createWriteBehind(database, logger);
  closer.defer('write-behind', () => writeBehind.stop());
  const metrics = createMetrics(() => database.poolStats());
  const jobs = createJobs({
    databaseUrl,
    logger,
    processEvery: config.jobsPollMs,
    lockLifetimeMs: config.jobsLockMs,
    counters: { onSucceeded: metrics.jobSucceeded, onFailed: metrics.jobFailed },
  });
  closer.defer('job system', () => jobs.stop(config.shutdownTimeoutMs));
  const http = createHttpApp(config, logger, metrics);
  // Requests get the shutdown timeout from the moment closing begins (the server's drain, then handlers whose client left); then running jobs get it.
  let requestsDeadline: number | undefined;
  const drainStarts = () => (requestsDeadline ??= performance.now() + config.shutdownTimeoutMs);
  closer.defer('in-flight requests', async () => {
    drainStarts();
    http.beginDrain();
    await withTimeout(http.idle(), Math.max(0, drainStarts() - performance.now()), 'in-flight requests').catch((error: unknown) =>
      logger.warn({ err: error }, 'requests still running at shutdown'),
    );
  });
  mountOperationalRoutes(http.rootRouter, { database, cache, jobs }, metrics);

  let url: string | undefined;
  const accessTokens = createAccessTokens(config.jwtSecret);
  const catalogue: PermissionDefinition[] = [...corePermissions, ...pluginHost.permissions];
  const services: KernelServices = {
    config,
    logger,
    database,
    cache,
    jobs,
    metrics,
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, database }),
    secretBox: createSecretBox(config.encryptionKey),
    accessTokens,
    identity: createIdentity(database, cache, accessTokens.ttlSeconds),
    tenants: createTenantDirectory(database, cache, config.baseDomain, platformHosts(config)),
    tenantAccess: createTenantAccess(
      database,
      cache,
      () => catalogue,
      (tenantId) => pluginHost.tenantPlugins.state(tenantId),
    ),
    apiTokenAuth: createApiTokenAuth(database, cache, (tenantId, tokenId) => {
      runInTenant(database, tenantId, (db) => db.query('update api_tokens set last_used_at = now() where id = $1', [tokenId])).catch((error: unknown) =>
        logger.warn({ err: error, tokenId }, 'could not record API token use'),
      );
    }),
    rateLimiter: createRateLimiter(cache),
    writeBehind,
    plugins: pluginHost,
    permissionCatalogue: () => catalogue,
    publicUrl: () => config.publicUrl ?? url ?? `http://${config.host}:${config.port}`,
  };
  const container = createContainer<KernelServices>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register(Object.fromEntries(Object.entries(services).map(([name, value]) => [name, asValue(value)])) as never);
  mountRoutes((route) => (route.root ? http.rootRouter : route.plugin ? http.pluginRouter(route.plugin) : http.apiRouter), routes, services, {
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
    await pluginHost.install();
    pluginHost.defineWork();
    if (config.role !== 'api') {
      await jobs.start();
      await pluginHost.scheduleWork();
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
  };

  const stop = () => (stopping ??= closer.close());

  return {
    config,
    container,
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

/** Host names of the platform itself besides its base domain: the bind address and the public URL's host. */
function platformHosts(config: PlinthConfig): string[] {
  return config.publicUrl ? [config.host, new URL(config.publicUrl).hostname.toLowerCase()] : [config.host];
}
