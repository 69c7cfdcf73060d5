import type { PlinthConfig } from '../config/variables.js';
import { resolveDatabase } from '../db/connect.js';
import { createStorage } from '../files/create-storage.js';
import type { ObjectStorage } from '../files/storage.js';
import { createJobs } from '../jobs/jobs.js';
import { createLogger, type Logger } from '../logger.js';
import { exportTenant } from '../tenancy/tenant-transfer-export.js';
import { importTenant, type TransferSchedule } from '../tenancy/tenant-transfer-import.js';
import type { Print } from './plugin.js';

/**
 * `plinth tenant export <slug> --out <file>`: writes the tenant (rows, accounts, files, schedules) to one .tar.gz
 * archive. Changes nothing on this host: moving a tenant is export, then import elsewhere, then deleting the source
 * (docs/operations/backups.md).
 */
export async function runTenantExport(config: PlinthConfig, options: { tenant: string; out: string }, print: Print = console.log): Promise<void> {
  await withHost(config, async ({ url, storage }) => {
    const { manifest, file, bytes } = await exportTenant({
      databaseUrl: url,
      storage,
      encryptionKey: config.encryptionKey,
      tenant: options.tenant,
      out: options.out,
    });
    const tables = manifest.parts.filter((part) => part.kind === 'table');
    const rows = tables.reduce((sum, part) => sum + part.rows, 0);
    const accounts = manifest.parts.find((part) => part.kind === 'users')?.rows ?? 0;
    print(`Exported tenant ${manifest.tenant.slug} (${manifest.tenant.id}) to ${file} (${bytes} bytes):`);
    print(
      `  ${rows} rows in ${tables.filter((part) => part.rows > 0).length} tables, ${accounts} accounts, ${manifest.objects.count} files (${manifest.objects.bytes} bytes)`,
    );
    print(`Import it on another host with "plinth tenant import ${options.out}".`);
  });
}

/**
 * `plinth tenant import <file> [--slug <new-slug>]`: imports an archive into this host, all or nothing; refuses a
 * damaged archive, another schema, or a tenant id or slug that exists here.
 */
export async function runTenantImport(config: PlinthConfig, options: { file: string; slug?: string }, print: Print = console.log): Promise<void> {
  await withHost(config, async ({ url, storage, logger }) => {
    const summary = await importTenant({
      databaseUrl: url,
      storage,
      encryptionKey: config.encryptionKey,
      file: options.file,
      slug: options.slug,
      saveSchedules: (schedules, timeZone) => saveSchedules(url, logger, schedules, timeZone),
    });
    const { tenant, accounts, objects } = summary;
    print(`Imported tenant ${tenant.slug} (${tenant.id}):`);
    print(
      `  ${summary.rows} rows in ${summary.tables} tables, ${accounts.created} accounts created, ${accounts.merged} merged with existing accounts (same email)`,
    );
    print(`  ${objects.count} files (${objects.bytes} bytes), ${summary.schedules} recurring job schedules; pending one-off jobs were not moved`);
    for (const warning of summary.warnings) print(`Note: ${warning}`);
  });
}

/** Runs `fn` with this host's database (the embedded one when DATABASE_URL is unset) and file store. */
async function withHost<T>(config: PlinthConfig, fn: (host: { url: string; storage: ObjectStorage; logger: Logger }) => Promise<T>): Promise<T> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const storage = createStorage({ url: config.storageUrl, dataDir: config.dataDir });
  const target = await resolveDatabase(config, logger);
  try {
    return await fn({ url: target.url, storage, logger });
  } finally {
    await storage.close();
    await target.release();
  }
}

/**
 * Saves the tenant's recurring schedules as the kernel does (plugin-jobs.ts `saveSchedule`: one per job and
 * tenant, marked `schedule: true`, read in the tenant's time zone).
 */
async function saveSchedules(databaseUrl: string, logger: Logger, schedules: TransferSchedule[], timeZone: string): Promise<void> {
  const jobs = createJobs({ databaseUrl, logger });
  try {
    for (const schedule of schedules) {
      const unique = { name: schedule.name, 'data.tenantId': schedule.data.tenantId, 'data.schedule': 'true' };
      await jobs.every(schedule.interval, schedule.name, schedule.data, unique, timeZone);
    }
  } finally {
    await jobs.stop(0);
  }
}
