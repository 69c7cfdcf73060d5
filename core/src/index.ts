export { createKernel, type Kernel, type KernelOptions, type KernelServices } from './kernel.js';
export { startTracing, tracingRequested, type Tracing, type TracingOptions } from './telemetry/setup.js';
export type { KernelFactory, ReplaceableService, ServiceOverrides } from './kernel-services.js';
export { createHttpClient, type HttpClientOptions, type Resolve } from './net/http-client.js';
export { systemClock } from './util/clock.js';
export { loadConfig, ConfigError, type LoadConfigOptions } from './config/load-config.js';
export { configVariables, type PlinthConfig, type ConfigVariable } from './config/variables.js';
export { respond } from './http/respond.js';
export type { PlinthContext, PlinthMiddleware, PlinthRouter, PlinthState } from './http/context.js';
export { migrate, rollback, migrationStatus, type Migration, type MigrationStatus } from './db/migrator.js';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded-postgres.js';
export {
  defineRoute,
  Reply,
  type CoreRoute,
  type CoreRouteDefinition,
  type RouteAccess,
  type RouteInput,
  type RouteSchemas,
  type Principal,
} from './http/route.js';
export { kernelRefs, type KernelRef } from './kernel-refs.js';
export { corePermissions } from './rbac/permissions.js';
export { createTenantTable, enableTenantRls } from './db/tenant-tables.js';
export { runInTenant, runAsSystem, type ScopedDb } from './db/scoped-db.js';
