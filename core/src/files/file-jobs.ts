import type { KernelServices } from '../kernel.js';
import type { FileRecord, VariantMaker } from './file-service.js';

/** Makes an image's variants (thumbnail, medium, WebP) and records its dimensions, after the upload has committed. */
export const variantsJob = 'core.files.variants';
/** Removes uploads never attached to a record, a day after they came (hourly). */
export const sweepJob = 'core.files.sweep';

/**
 * The images helper's variants as the file service records them. An image that can never give variants (corrupt,
 * too large) is kept without them rather than retried; a store failure rejects, and the job retries.
 */
export const imageVariantMaker: VariantMaker = async (storage, source, keyOf) => {
  // sharp is loaded by the first job that needs it: a process that never makes variants never holds it.
  const { ImageUnreadable, makeVariants } = await import('./images.js');
  try {
    const made = await makeVariants(storage, source, keyOf);
    const variants = Object.fromEntries(
      Object.entries(made.variants).map(([name, variant]) => [
        name,
        { content_type: variant.contentType, size: variant.size, width: variant.width, height: variant.height },
      ]),
    );
    return { width: made.width, height: made.height, variants };
  } catch (error) {
    if (error instanceof ImageUnreadable) return undefined;
    throw error;
  }
};

interface VariantsData {
  tenantId: string;
  fileId: string;
}

type FileWorkServices = Pick<KernelServices, 'jobs' | 'files' | 'logger'>;

/**
 * Queues the variants of a stored image. The file is already committed: should queuing fail, the file is kept and
 * simply has no variants (downloads of a variant answer 404), which is logged.
 */
export async function enqueueVariants(services: FileWorkServices, file: Pick<FileRecord, 'id' | 'tenant_id'>): Promise<void> {
  await services.jobs
    .enqueue<VariantsData>(variantsJob, { tenantId: file.tenant_id, fileId: file.id })
    .catch((error: unknown) => services.logger.warn({ err: error, fileId: file.id }, 'image variants not queued'));
}

/** Defines core's file jobs (every role: an API process only queues, but agenda wants the names known). */
export function defineFileWork(services: FileWorkServices): void {
  services.jobs.define<VariantsData>(variantsJob, async ({ data }) => services.files.makeVariants(data.tenantId, data.fileId), {
    concurrency: 2,
    maxRetries: 3,
  });
  services.jobs.define(
    sweepJob,
    async () => {
      const swept = await services.files.sweepOrphans();
      if (swept > 0) services.logger.info({ swept }, 'swept orphaned uploads');
    },
    { concurrency: 1 },
  );
}

/** Schedules the hourly orphan sweep (one schedule for the host, whatever the number of workers). */
export async function scheduleFileWork(services: FileWorkServices): Promise<void> {
  await services.jobs.every('1 hour', sweepJob, {}, { name: sweepJob });
}
