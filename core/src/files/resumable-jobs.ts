import type { KernelServices } from '../kernel.js';
import { loadResumableUploads } from './resumable-load.js';

/** Removes resumable uploads a day after they started: unfinished ones with their staged bytes, finished ones' records (hourly). */
export const uploadSweepJob = 'core.files.uploads.sweep';

type UploadWorkServices = Pick<KernelServices, 'jobs' | 'files' | 'config' | 'logger'>;

/** Defines the sweep of expired resumable uploads (every role: agenda wants the names known). */
export function defineUploadWork(services: UploadWorkServices): void {
  services.jobs.define(
    uploadSweepJob,
    async () => {
      const swept = await (await loadResumableUploads(services)).sweep();
      if (swept > 0) services.logger.info({ swept }, 'swept expired resumable uploads');
    },
    { concurrency: 1 },
  );
}

/**
 * Schedules the hourly sweep (one schedule for the host). The staged bytes are on the disk of the process that
 * received them: with API processes on several machines, `<data dir>/uploads` must be one shared folder.
 */
export async function scheduleUploadWork(services: UploadWorkServices): Promise<void> {
  await services.jobs.every('1 hour', uploadSweepJob, {}, { name: uploadSweepJob });
}
