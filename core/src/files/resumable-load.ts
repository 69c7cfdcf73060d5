import type { ResumableUploads, resumableUploadsOf } from './resumable.js';

export type { UploadCaller } from './resumable.js';

/**
 * The resumable uploads of a kernel, with the tus server's modules loaded on the first upload (about 17 MB resident
 * once loaded): a host whose members never resume an upload never holds them.
 */
export async function loadResumableUploads(services: Parameters<typeof resumableUploadsOf>[0]): Promise<ResumableUploads> {
  return (await import('./resumable.js')).resumableUploadsOf(services);
}
