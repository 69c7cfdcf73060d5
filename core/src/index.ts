export { createKernel, type Kernel, type KernelOptions, type KernelServices } from './kernel.js';
export { loadConfig, ConfigError, type LoadConfigOptions } from './config/load-config.js';
export { configVariables, type PlinthConfig, type ConfigVariable } from './config/variables.js';
export { respond, respondNoContent } from './http/respond.js';
export type { PlinthContext, PlinthMiddleware, PlinthRouter, PlinthState } from './http/context.js';
export { migrate, rollback, migrationStatus, type Migration, type MigrationStatus } from './db/migrator.js';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded-postgres.js';
