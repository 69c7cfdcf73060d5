import { Readable } from 'node:stream';
import { NotFoundError, PayloadTooLargeError, ValidationError, type PluginFile, type PluginFiles } from '@plinth/sdk';

/** Largest CSV accepted, sent as the body or uploaded as a file. */
export const importLimitBytes = 50 * 1024 * 1024;

/** What an uploaded CSV may be as the file service sniffs it (text named `.csv` or sent as `text/csv` is `text/csv`). */
export const csvTypes: readonly string[] = ['text/csv', 'text/plain'];

/**
 * The owner of a file a dry run claimed to read it: the import that follows claims it again. A preview never
 * followed by its import is deleted a day later, when an import completes (see {@link dropStalePreviews}).
 */
export const previewOwner = 'import-preview';

/** How long a previewed file waits for its import. */
const previewLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * Stores a CSV sent as the request body as the import's file: it was parsed and checked already, and the CRM never
 * serves it, so any sniffed type is fine. Storing commits on its own; the file is then attached to the import in
 * the request's transaction, so that if the import's row fails to commit the file stays unattached, and is swept.
 */
export async function storeCsv(files: PluginFiles, csv: string, importId: string): Promise<PluginFile> {
  const stored = await files.store({
    body: Readable.from([Buffer.from(csv, 'utf8')]),
    name: 'import.csv',
    contentType: 'text/csv',
    maxBytes: importLimitBytes,
  });
  return files.attach(stored.id, importId);
}

/**
 * Claims a CSV uploaded through `POST /api/v1/files` (or previewed by a dry run) for `ownerId`, refusing with a
 * field error a file of another tenant or none, one the CRM already uses for another record (an attachment, an
 * import), and anything not CSV or too large. Runs in the request's transaction: a refusal undoes the claim.
 */
export async function claimCsvFile(files: PluginFiles, fileId: string, ownerId: string): Promise<PluginFile> {
  const own = await files.get(fileId);
  if (own && own.ownerId !== previewOwner && own.ownerId !== ownerId) throw new ValidationError({ file_id: ['is already used by another record'] });
  let file: PluginFile;
  try {
    file = await files.attach(fileId, ownerId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ValidationError({ file_id: ['is not a file uploaded to this workspace'] });
    throw error;
  }
  if (!csvTypes.includes(file.contentType)) throw new ValidationError({ file_id: [`must be a CSV file (this file is ${file.contentType})`] });
  if (file.size > importLimitBytes) throw new PayloadTooLargeError(`CSV files of up to ${importLimitBytes} bytes are accepted`);
  return file;
}

/**
 * The text of a stored CSV, or of the bytes `range` of it (both ends included). The route reads the whole file to
 * check it (at most {@link importLimitBytes}); each job run reads only the header and its chunk. A BOM is kept, so
 * that character and byte offsets agree (the parser drops it); bytes that are not UTF-8 are refused (422).
 */
export async function readCsv(files: PluginFiles, fileId: string, range?: { start: number; end: number }): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await files.open(fileId, range ? { range } : {})) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ValidationError({ file: ['is not UTF-8 text'] }, 'The file is not valid CSV');
  }
}

/** Deletes previewed files whose import never came, older than a day; returns how many. */
export async function dropStalePreviews(files: PluginFiles, now: Date): Promise<number> {
  const stale: string[] = [];
  // Newest first: read every page before deleting, so that deletions do not shift the pages still to read.
  for (let page = 1; ; page++) {
    const { items } = await files.list({ ownerId: previewOwner, page, perPage: 100 });
    for (const file of items) if (now.getTime() - file.createdAt.getTime() > previewLifetimeMs) stale.push(file.id);
    if (items.length < 100) break;
  }
  for (const id of stale) await files.delete(id);
  return stale.length;
}
