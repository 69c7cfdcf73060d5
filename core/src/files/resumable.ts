import { randomUUID } from 'node:crypto';
import { open, stat, truncate } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BadRequestError, ConflictError, isPlinthError, NotFoundError, type PlinthError, ValidationError } from '@plinth/sdk';
import { FileStore } from '@tus/file-store';
import { Server, TUS_RESUMABLE, Upload } from '@tus/server';
import type { PlinthConfig } from '../config/variables.js';
import type { Logger } from '../logger.js';
import { fileErrors } from './file-errors.js';
import type { FileService } from './file-service.js';
import { defaultUploadTypes } from './files.routes.js';
import { safeFileName } from './multipart.js';
import { sniffBytes, sniffContentType, typeAllowed } from './sniff.js';

import { uploadErrors } from './resumable-errors.js';

export { uploadErrors };

/** Who is uploading, as the route established it (tenant, credentials, permission) before the request reaches tus. */
export interface UploadCaller {
  tenantId: string;
  /** The tenant's storage quota in bytes: an upload that cannot fit is refused when created. */
  quotaBytes: number;
  /** The key of the cheapest plan with more room, named in a refusal (`errors.upgrade`). */
  upgrade?: () => Promise<string | undefined>;
  /** The signed-in user (or the API token's creator): the upload is theirs alone. */
  userId: string | null;
  /** The upload named in the URL (a UUID), on `HEAD`, `PATCH` and `DELETE`. */
  uploadId?: string | undefined;
}

/** What tus answered, for the route to send as it is (no envelope: the protocol's empty bodies and headers). */
export interface UploadAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The stored file, when this request completed the upload. */
  fileId?: string | undefined;
}

/** An upload as `GET /files/uploads/:id` shows it. */
export interface UploadStatus {
  id: string;
  name: string;
  length: number;
  offset: number;
  /** The stored file once the upload is complete, null before. */
  fileId: string | null;
  /** When an unfinished upload is removed, null once complete. */
  expiresAt: Date | null;
}

export interface ResumableUploadsOptions {
  files: FileService;
  /** Where bytes are staged until the upload is complete (`<data dir>/uploads`). */
  directory: string;
  /** Largest file accepted (`PLINTH_RESUMABLE_UPLOAD_LIMIT`). */
  maxBytes: number;
  /** Media types accepted, sniffed from the bytes when the upload completes. */
  allowedTypes: readonly string[];
  logger: Logger;
  /** How long an unfinished upload may take before the sweep removes it (default a day). */
  expiryMs?: number;
  /** The path the routes are served at: a new upload's `Location` is `<basePath>/<id>`. */
  basePath: string;
}

/**
 * Resumable uploads (the tus protocol, `@tus/server`) into the file service. Bytes are staged on local disk under
 * an id bound to the tenant (`<tenant>_<uuid>`: a URL names only the UUID, and the tenant comes from the request, so
 * another tenant's request names another staged upload, which does not exist); once the last byte arrives they
 * are streamed through {@link FileService.store} (sniffing, allowed types, checksum, quota, the RLS row) and the
 * staged copy is emptied, leaving a record that gives the file id until the sweep removes it.
 */
export interface ResumableUploads {
  readonly maxBytes: number;
  /** Answers one tus request (`POST`, `HEAD`, `PATCH`, `DELETE`); refusals are thrown as Plinth errors. */
  handle(req: IncomingMessage, caller: UploadCaller): Promise<UploadAnswer>;
  /** The caller's upload, or undefined when there is none (another tenant's, another user's, or gone). */
  status(caller: UploadCaller, id: string): Promise<UploadStatus | undefined>;
  /** Removes uploads older than the expiry, unfinished or finished (their file stays); returns how many. */
  sweep(): Promise<number>;
}

/** An unfinished upload is kept a day, as unattached files are. */
export const uploadExpiryMs = 24 * 60 * 60 * 1000;

/** What one request's hooks need: tus hands them the request, so the caller is found through it. */
interface Call {
  caller: UploadCaller;
  /** What a hook threw: answered as it is (tus would make every error of ours a 500). */
  failure?: unknown;
  fileId?: string;
}

/** Server-side keys of an upload's metadata: the client's own are replaced when it is created. */
interface StagedMetadata {
  filename?: string | null;
  filetype?: string | null;
  visibility?: string | null;
  created_by?: string | null;
  file_id?: string | null;
}

export function createResumableUploads(options: ResumableUploadsOptions): ResumableUploads {
  const { files, directory, maxBytes, allowedTypes, logger, basePath } = options;
  const expiryMs = options.expiryMs ?? uploadExpiryMs;
  const store = new FileStore({ directory, expirationPeriodInMilliseconds: expiryMs });
  const calls = new WeakMap<Request, Call>();
  /** Uploads whose last byte is being stored, so that two requests racing to finish one store it once (per process). */
  const finishing = new Set<string>();

  const callOf = (req: Request): Call => {
    const call = calls.get(req);
    if (!call) throw new Error('resumable uploads: a tus request reached the hooks without its caller');
    return call;
  };
  const stagedId = (caller: UploadCaller, id: string) => `${caller.tenantId}_${id}`;
  const metadataOf = (upload: { metadata?: Record<string, string | null> | undefined }) => (upload.metadata ?? {}) as StagedMetadata;
  /** An upload is its uploader's: another member's is as absent as another tenant's, or one that never was. */
  const isCallers = (record: Upload, caller: UploadCaller) => (metadataOf(record).created_by ?? '') === (caller.userId ?? '');
  const recordOf = async (caller: UploadCaller, id: string): Promise<Upload | undefined> => {
    const record = await store.configstore.get(stagedId(caller, id));
    return record && isCallers(record, caller) ? record : undefined;
  };

  const server = new Server({
    path: basePath,
    datastore: store,
    namingFunction: (req) => stagedId(callOf(req).caller, randomUUID()),
    getFileIdFromRequest: (req) => {
      const { caller } = callOf(req);
      return caller.uploadId ? stagedId(caller, caller.uploadId) : undefined;
    },
    // Relative, so that it holds behind any proxy and on a tenant's own host name.
    generateUrl: (_req, { path: base, id }) => `${base}/${id.slice(id.indexOf('_') + 1)}`,
    onIncomingRequest: async (req, id) => {
      const record = await store.configstore.get(id);
      if (record && !isCallers(record, callOf(req).caller)) throw new NotFoundError('Upload not found');
    },
    onUploadCreate: async (req, upload) => ({ metadata: await accept(callOf(req).caller, upload) }),
    onUploadFinish: async (req, upload) => {
      const call = callOf(req);
      call.fileId = await finish(call.caller, upload);
      return { headers: { 'Plinth-File-Id': call.fileId } };
    },
    onResponseError: (req, error) => {
      const call = calls.get(req);
      if (call) call.failure = error;
      return undefined;
    },
  });

  /** Refuses, before any byte arrives, an upload with no length, an empty one, one over the limit or past the quota. */
  async function accept(caller: UploadCaller, upload: Upload): Promise<Record<string, string>> {
    const size = upload.size;
    if (size === undefined) throw uploadErrors.upload_length_required('Send Upload-Length: a resumable upload states its size when created');
    if (size === 0) throw fileErrors.file_empty('The file is empty (zero bytes)');
    if (size > maxBytes) throw fileErrors.file_too_large(`The file is larger than ${maxBytes} bytes, the most a resumable upload accepts`);
    const used = (await files.usage(caller.tenantId)).bytes;
    if (used + size > caller.quotaBytes) {
      const upgrade = await caller.upgrade?.();
      throw fileErrors.storage_quota_exceeded(`This file would take the tenant past its storage quota (${used} of ${caller.quotaBytes} bytes used)`, {
        errors: { storage: [`${used} of ${caller.quotaBytes} bytes used`], ...(upgrade ? { upgrade: [upgrade] } : {}) },
      });
    }
    const sent = metadataOf(upload);
    const visibility = sent.visibility ?? 'private';
    if (visibility !== 'public' && visibility !== 'private') throw new ValidationError({ 'metadata.visibility': ['must be "public" or "private"'] });
    return {
      // Uppy sends `name` and `type`; tus-js-client's examples `filename` and `filetype`.
      filename: safeFileName(sent.filename ?? upload.metadata?.name ?? 'file'),
      filetype: sent.filetype ?? upload.metadata?.type ?? '',
      visibility,
      created_by: caller.userId ?? '',
    };
  }

  /**
   * Streams the staged bytes into the file service, then empties the staged copy and records the file's id. A
   * refusal (type, quota) removes the staged upload: nothing is left, no row, no object, no bytes.
   */
  async function finish(caller: UploadCaller, upload: Upload): Promise<string> {
    if (finishing.has(upload.id)) throw new ConflictError('This upload is being completed by another request');
    finishing.add(upload.id);
    try {
      const metadata = metadataOf(upload);
      let fileId: string;
      try {
        const file = await files.store(
          { tenantId: caller.tenantId, ownerPlugin: 'core' },
          {
            body: store.read(upload.id),
            name: metadata.filename ?? 'file',
            declaredType: metadata.filetype || undefined,
            declaredLength: upload.size,
            visibility: metadata.visibility === 'public' ? 'public' : 'private',
            createdBy: metadata.created_by || null,
            allowedTypes,
            maxBytes,
          },
        );
        fileId = file.id;
      } catch (error) {
        await store.remove(upload.id).catch((cause: unknown) => logger.warn({ err: cause, upload: upload.id }, 'could not remove a refused upload'));
        throw error;
      }
      // The record's offset is never read (the staged file's length is the offset); 0 lets the expiry sweep take it.
      const record = new Upload({ ...upload, offset: 0, metadata: { ...upload.metadata, file_id: fileId } });
      await store.configstore.set(upload.id, record);
      await truncate(path.join(directory, upload.id), 0);
      return fileId;
    } finally {
      finishing.delete(upload.id);
    }
  }

  /**
   * Sniffs the type as soon as the first bytes are in (the PATCH that brought the offset past them), so that a type
   * not allowed is refused then, not after gigabytes; the file service sniffs again when it stores the file.
   */
  async function refuseEarly(id: string, from: number, to: number): Promise<void> {
    if (!(from < sniffBytes && to >= sniffBytes)) return;
    const upload = await store.getUpload(id);
    if (upload.size === undefined || to >= upload.size) return;
    const head = await readHead(path.join(directory, id), sniffBytes);
    const metadata = metadataOf(upload);
    const type = await sniffContentType(head, { name: metadata.filename ?? 'file', declaredType: metadata.filetype || undefined, complete: false });
    if (typeAllowed(type, allowedTypes)) return;
    await store.remove(id).catch((cause: unknown) => logger.warn({ err: cause, upload: id }, 'could not remove a refused upload'));
    throw fileErrors.file_type_not_allowed(`Files of type ${type} are not accepted here (accepted: ${allowedTypes.join(', ')})`, {
      headers: { 'Tus-Resumable': TUS_RESUMABLE },
    });
  }

  /** A finished upload is answered here (its bytes are the file service's now): complete, with its file's id. */
  function finishedAnswer(record: Upload, method: string): UploadAnswer {
    const size = String(record.size ?? 0);
    return {
      status: method === 'HEAD' ? 200 : 204,
      headers: {
        'Tus-Resumable': TUS_RESUMABLE,
        'Upload-Offset': size,
        'Upload-Length': size,
        'Cache-Control': 'no-store',
        'Plinth-File-Id': metadataOf(record).file_id!,
      },
      body: '',
    };
  }

  return {
    maxBytes,

    async handle(req, caller) {
      if (caller.uploadId && (req.method === 'HEAD' || req.method === 'PATCH')) {
        const record = await recordOf(caller, caller.uploadId);
        if (record && metadataOf(record).file_id) return finishedAnswer(record, req.method);
      }
      const request = webRequest(req);
      const call: Call = { caller };
      calls.set(request, call);
      const response = await server.handleWeb(request);
      const body = await response.text();
      if (response.status >= 400) throw refusal(call.failure, response.status, body, req);
      if (req.method === 'PATCH' && !call.fileId && caller.uploadId) {
        await refuseEarly(stagedId(caller, caller.uploadId), Number(req.headers['upload-offset']), Number(response.headers.get('upload-offset')));
      }
      const headers: Record<string, string> = {};
      // The kernel answers CORS itself, for the origins the host allows (tus would allow any).
      response.headers.forEach((value, name) => {
        if (!name.startsWith('access-control-')) headers[name] = value;
      });
      return { status: response.status, headers, body, fileId: call.fileId };
    },

    async status(caller, id) {
      const record = await recordOf(caller, id);
      if (!record) return undefined;
      const metadata = metadataOf(record);
      const length = record.size ?? 0;
      const created = record.creation_date ? new Date(record.creation_date) : undefined;
      if (metadata.file_id) return { id, name: metadata.filename ?? 'file', length, offset: length, fileId: metadata.file_id, expiresAt: null };
      const staged = await stat(path.join(directory, record.id)).catch(() => undefined);
      if (!staged) return undefined;
      return {
        id,
        name: metadata.filename ?? 'file',
        length,
        offset: staged.size,
        fileId: null,
        expiresAt: created ? new Date(created.getTime() + expiryMs) : null,
      };
    },

    sweep: () => server.cleanUpExpiredUploads(),
  };
}

const byFiles = new WeakMap<FileService, ResumableUploads>();

/**
 * The kernel's resumable uploads: one per file service (a kernel), shared by its routes and its sweep job, staged
 * under `<data dir>/uploads`. Made on first use, since nothing is opened but a folder.
 */
export function resumableUploadsOf(services: { files: FileService; config: PlinthConfig; logger: Logger }): ResumableUploads {
  let uploads = byFiles.get(services.files);
  if (!uploads) {
    uploads = createResumableUploads({
      files: services.files,
      directory: path.join(services.config.dataDir, 'uploads'),
      maxBytes: services.config.resumableUploadLimitBytes,
      // What core's multipart upload accepts: media, documents, images and data, no markup that runs script.
      allowedTypes: defaultUploadTypes,
      logger: services.logger,
      basePath: '/api/v1/files/uploads',
    });
    byFiles.set(services.files, uploads);
  }
  return uploads;
}

/** The Node request as the web `Request` tus reads: the same headers, the body streamed (never buffered). */
function webRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of [value].flat()) headers.append(name, item);
  }
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  const body = hasBody && (req.method === 'POST' || req.method === 'PATCH') ? (Readable.toWeb(req) as WebReadableStream<Uint8Array>) : undefined;
  return new Request(`http://uploads.invalid${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body ? { body: body as unknown as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

/** The first `length` bytes of a staged upload. */
async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

interface TusError {
  status_code: number;
  body: string;
}

function isTusError(error: unknown): error is TusError {
  return typeof error === 'object' && error !== null && typeof (error as TusError).status_code === 'number' && typeof (error as TusError).body === 'string';
}

/**
 * A refusal as the error envelope says it: ours as thrown by a hook, tus's own (`{ status_code, body }`, or an
 * answer written before any hook) translated to a code. A failure after the client went away is an interrupted
 * upload (its bytes so far are kept: it resumes from there), not a server error.
 */
function refusal(failure: unknown, status: number, body: string, req: IncomingMessage): Error {
  const tusHeaders = { 'Tus-Resumable': TUS_RESUMABLE };
  if (isPlinthError(failure)) {
    Object.assign((failure as PlinthError).headers, tusHeaders);
    return failure;
  }
  const answer: TusError | undefined = isTusError(failure) ? failure : failure === undefined ? { status_code: status, body } : undefined;
  const interrupted = () => fileErrors.file_incomplete('The upload was interrupted; resume it from its offset (HEAD the upload)', { headers: tusHeaders });
  if (!answer) return req.complete ? (failure instanceof Error ? failure : new Error(String(failure))) : interrupted();
  const message = answer.body.trim() || 'The upload request was refused';
  switch (answer.status_code) {
    case 404:
      return new NotFoundError('Upload not found', { headers: tusHeaders });
    case 409:
      return uploadErrors.upload_offset_mismatch('Upload-Offset is not where the upload stands: HEAD it and resume from its offset', { headers: tusHeaders });
    case 410:
      return uploadErrors.upload_expired('The unfinished upload expired and was removed; start a new one', { headers: tusHeaders });
    case 412:
      return uploadErrors.tus_resumable_required('Send Tus-Resumable: 1.0.0', { headers: tusHeaders });
    case 413:
      return fileErrors.file_too_large(`${message}: send no more than the upload's length`, { headers: tusHeaders });
  }
  // Missing or malformed protocol headers (400, 403), an extension this server does not offer (501).
  if (answer.status_code < 500 || answer.status_code === 501) return new BadRequestError(message, { headers: tusHeaders });
  if (!req.complete) return interrupted();
  return new Error(`tus answered ${answer.status_code}: ${message}`);
}
