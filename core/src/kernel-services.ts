import { createOrgUnits } from './units/unit-tree.js';
import { createApiTokenAuth } from './auth/api-token-auth.js';
import { createAccessTokens } from './auth/access-tokens.js';
import { createIdentity } from './auth/identity.js';
import { createCache } from './cache/cache.js';
import { createSecretBox } from './crypto/secrets.js';
import { createDatabase } from './db/database.js';
import { createStorage } from './files/create-storage.js';
import { createFileService } from './files/file-service.js';
import { enqueueVariants, imageVariantMaker } from './files/file-jobs.js';
import { isVariantSource } from './files/image-types.js';
import { fileSigningKey } from './files/signing.js';
import { runInTenant } from './db/scoped-db.js';
import { createWriteBehind } from './db/write-behind.js';
import { createMetrics } from './http/metrics.js';
import { readJobStats } from './metrics/job-metrics.js';
import { createRateLimiter } from './http/rate-limiter.js';
import { createJobs } from './jobs/jobs.js';
import type { KernelServices } from './kernel.js';
import { createMailer } from './mail/mailer.js';
import { createNotificationStream } from './notifications/notification-stream.js';
import { createHttpClient } from './net/http-client.js';
import { corePermissionList, type PermissionDefinition } from './rbac/permissions.js';
import { createTenantAccess } from './rbac/tenant-access.js';
import { createSupportAccess } from './support/support-access.js';
import { createTenantDirectory, defaultQuotas } from './tenancy/tenant-directory.js';
import { createEntitlements } from './billing/entitlements.js';
import { createBillingService } from './billing/billing-service.js';
import { createStripeProvider } from './billing/stripe-provider.js';
import { systemClock } from './util/clock.js';
import type { PlinthConfig } from './config/variables.js';

/**
 * How one kernel service is built: from the others, which it reads off `services` (awilix's cradle, in PROXY
 * mode: reading `services.database` resolves the database, once). PROXY rather than CLASSIC because a factory
 * names what it uses as plain properties, typed by {@link KernelServices}, and nothing depends on parameter
 * names surviving a build step.
 */
export type KernelFactory<K extends keyof KernelServices> = (services: KernelServices) => KernelServices[K];

/** A factory for every kernel service: a service added to {@link KernelServices} without one does not compile. */
export type KernelFactories = { [K in keyof KernelServices]: KernelFactory<K> };

/** The services a host or a test may build differently (`KernelOptions.services`): another object store, say. */
export type ReplaceableService = 'mailer' | 'clock' | 'cache' | 'httpClient' | 'storage';

/** Replacement factories, by service: each must build that service's type. */
export type ServiceOverrides = { [K in ReplaceableService]?: KernelFactory<K> };

/** The default factories of the services that need nothing but the others (the kernel adds its own: config, plugins, …). */
export const defaultFactories: Omit<KernelFactories, 'config' | 'logger' | 'plugins' | 'publicUrl'> = {
  database: ({ config, logger }) =>
    createDatabase({
      url: databaseUrl(config),
      poolMax: config.dbPoolMax,
      onLog: (level, message) => logger[level]({ source: 'knex' }, message),
      ...(config.databaseReplicaUrl ? { replica: { url: config.databaseReplicaUrl, maxLagMs: config.replicaMaxLagMs } } : {}),
    }),
  cache: ({ config, logger }) =>
    createCache({ redisUrl: config.redisUrl, namespace: config.redisPrefix, onError: (error) => logger.warn({ err: error }, 'cache error') }),
  writeBehind: ({ database, logger }) => createWriteBehind(database, logger),
  metrics: ({ database, logger }) =>
    createMetrics(() => database.poolStats(), {
      jobStats: () => readJobStats(database),
      onCollectError: (error) => logger.debug({ err: error }, 'job metrics not collected'),
    }),
  jobs: ({ config, logger, metrics }) =>
    createJobs({
      databaseUrl: databaseUrl(config),
      logger,
      processEvery: config.jobsPollMs,
      lockLifetimeMs: config.jobsLockMs,
      concurrency: config.jobConcurrency,
      counters: { onSucceeded: metrics.jobSucceeded, onFailed: metrics.jobFailed, onDefined: metrics.jobDefined },
    }),
  mailer: ({ config, database }) => createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, database }),
  secretBox: ({ config }) => createSecretBox(config.encryptionKey),
  accessTokens: ({ config, database, secretBox, clock, logger, publicUrl }) =>
    createAccessTokens({ database, secretBox, clock, logger, algorithm: config.tokenAlg, publicUrl, replaceUnreadable: config.env !== 'production' }),
  identity: ({ database, cache }) => createIdentity(database, cache),
  tenants: ({ config, database, cache }) => createTenantDirectory(database, cache, config.baseDomain, platformHosts(config)),
  tenantAccess: ({ database, cache, permissionCatalogue, plugins }) =>
    createTenantAccess(database, cache, permissionCatalogue, (tenantId) => plugins.tenantPlugins.state(tenantId)),
  orgUnits: ({ database, cache }) => createOrgUnits(database, cache),
  supportAccess: ({ database, cache, clock, tenantAccess }) => createSupportAccess({ database, cache, clock, tenantAccess }),
  apiTokenAuth: ({ database, cache, logger }) =>
    createApiTokenAuth(database, cache, (tenantId, tokenId) => {
      runInTenant(database, tenantId, (db) => db.query('update api_tokens set last_used_at = now() where id = $1', [tokenId])).catch((error: unknown) =>
        logger.warn({ err: error, tokenId }, 'could not record API token use'),
      );
    }),
  rateLimiter: ({ cache }) => createRateLimiter(cache),
  permissionCatalogue: ({ plugins }) => {
    const catalogue: PermissionDefinition[] = [...corePermissionList, ...plugins.permissions];
    return () => catalogue;
  },
  clock: () => systemClock,
  httpClient: ({ config }) => createHttpClient({ allowLoopback: config.httpAllowLoopback }),
  storage: ({ config }) => createStorage({ url: config.storageUrl, dataDir: config.dataDir }),
  files: (services) =>
    createFileService({
      database: services.database,
      storage: services.storage,
      clock: services.clock,
      logger: services.logger,
      signingKey: fileSigningKey(services.config.jwtSecret),
      publicUrl: () => services.publicUrl(),
      defaultMaxBytes: services.config.uploadLimitBytes,
      quotaOf: async (tenantId) => (await services.tenants.byId(tenantId))?.quotas.storage_bytes ?? defaultQuotas.storage_bytes,
      storageUpgrade: async (tenantId, quota) => (await services.entitlements.upgradeFor(tenantId, 'storage_bytes', quota + 1))?.key,
      // Images get their variants from a job once stored (see file-jobs.ts).
      onStored: async (file) => {
        if (isVariantSource(file.content_type)) await enqueueVariants(services, file);
      },
      makeVariants: imageVariantMaker,
      isVariantSource,
    }),
  entitlements: ({ database, cache, tenants, plugins }) =>
    createEntitlements({ database, cache, tenants, plugins: () => plugins.plugins, tenantPlugins: () => plugins.tenantPlugins }),
  billing: (services) => createBillingService(services, { stripe: createStripeProvider }),
  notificationStream: ({ config, database, logger, plugins }) =>
    createNotificationStream({ databaseUrl: databaseUrl(config), database, logger, plugins: () => plugins.plugins }),
};

/** The kernel fills it in before building anything (the embedded PostgreSQL's, when none was configured). */
function databaseUrl(config: PlinthConfig): string {
  if (!config.databaseUrl) throw new Error('the kernel resolves the database URL before building its services');
  return config.databaseUrl;
}

/** Host names of the platform itself besides its base domain: the bind address and the public URL's host. */
function platformHosts(config: PlinthConfig): string[] {
  return config.publicUrl ? [config.host, new URL(config.publicUrl).hostname.toLowerCase()] : [config.host];
}
