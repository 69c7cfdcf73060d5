import { commonErrors, NotFoundError, RawReply, type ResolvedDeps } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, NoContent, Nullable, rawBody, Timestamp, Uuid } from '../http/response-schemas.js';
import type { AuditActor } from '../audit/audit.js';
import type { PlinthContext } from '../http/context.js';
import { defineRoute, type CoreRoute, type HandlerInput } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { corePermissions } from '../rbac/permissions.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { fileErrors } from './file-errors.js';
import { uploadErrors } from './resumable-errors.js';
import { loadResumableUploads, type UploadCaller } from './resumable-load.js';

// Resumable uploads speak the tus protocol (https://tus.io/protocols/resumable-upload, v1.0.0, with the creation,
// creation-with-upload, termination and expiration extensions). Each route checks tenant, credentials and
// `core.files.upload` first, like every route, then hands the request, its body unread, to tus (resumable.ts).
// Successful answers are tus's own (empty bodies, protocol headers); refusals are the error envelope.

/** The body stage's ceiling: a chunk may be the whole file; tus holds it to the upload's length, which is limited when created. */
const chunkCeiling = 1024 ** 4;
const streamed = { types: ['application/offset+octet-stream'] as const, limitBytes: chunkCeiling };

const UploadParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Every refusal of the protocol or the file service an upload request may meet. */
const uploadRefusals = [
  commonErrors.bad_request,
  commonErrors.conflict,
  uploadErrors.tus_resumable_required,
  uploadErrors.upload_length_required,
  uploadErrors.upload_offset_mismatch,
  uploadErrors.upload_expired,
  fileErrors.file_empty,
  fileErrors.file_incomplete,
  fileErrors.file_too_large,
  fileErrors.storage_quota_exceeded,
  fileErrors.file_type_not_allowed,
];

const UploadView = Exact({
  id: Uuid,
  name: Type.String({ description: 'The file name sent in `Upload-Metadata` (`filename`), sanitised' }),
  length: Type.Integer({ description: 'The size announced in `Upload-Length`' }),
  offset: Type.Integer({ description: 'Bytes received so far' }),
  file_id: Nullable(Uuid, { description: 'The stored file once the upload is complete (`GET /api/v1/files/:id`)' }),
  expires_at: Nullable(Timestamp, { description: 'When an unfinished upload is removed; null once complete' }),
});

const deps = { files: kernelRefs.files, config: kernelRefs.config, logger: kernelRefs.logger, entitlements: kernelRefs.entitlements };

/** What the upload routes' handlers share of their input. */
interface UploadInput {
  ctx: PlinthContext;
  deps: ResolvedDeps<typeof deps>;
  tenant: Tenant;
  actor: AuditActor;
  audit: HandlerInput['audit'];
}

function callerOf(input: UploadInput, uploadId?: string): UploadCaller {
  const { tenant, deps } = input;
  return {
    tenantId: tenant.id,
    quotaBytes: tenant.quotas.storage_bytes,
    upgrade: async () => (await deps.entitlements.upgradeFor(tenant.id, 'storage_bytes', tenant.quotas.storage_bytes + 1))?.key,
    userId: input.actor.userId ?? null,
    uploadId,
  };
}

/** Hands the request to tus and sends its answer; the request that completes the upload records it in the audit log. */
async function forward(input: UploadInput, uploadId?: string): Promise<RawReply> {
  const answer = await (await loadResumableUploads(input.deps)).handle(input.ctx.req, callerOf(input, uploadId));
  if (answer.fileId) {
    await input.audit({ action: 'file.uploaded', targetType: 'file', targetId: answer.fileId, data: { resumable: true } });
  }
  return new RawReply(answer.status, answer.body, answer.headers);
}

export const createUpload = defineRoute({
  method: 'POST',
  path: '/files/uploads',
  summary:
    'Start a resumable upload (tus creation): `Tus-Resumable: 1.0.0`, `Upload-Length` (at most `PLINTH_RESUMABLE_UPLOAD_LIMIT`, and within the storage quota), `Upload-Metadata` with `filename`, `filetype`, `visibility`; `Location` names the upload',
  tag: 'files',
  permission: corePermissions['files.upload'],
  body: streamed,
  schema: { response: rawBody('text/plain', 'Empty: `Location` names the upload; `Plinth-File-Id` the file when the body completed it', 201) },
  deps,
  errors: uploadRefusals,
  handler: (input) => forward(input),
});

export const getUpload = defineRoute({
  method: 'GET',
  path: '/files/uploads/:id',
  summary: "An upload's progress and, once complete, its file id. `HEAD` (tus): `Upload-Offset` and `Upload-Length`, and `Plinth-File-Id` once complete",
  tag: 'files',
  permission: corePermissions['files.upload'],
  schema: { params: UploadParams, response: UploadView },
  deps,
  errors: uploadRefusals,
  async handler(input) {
    if (input.ctx.method === 'HEAD') return forward(input, input.params.id);
    const upload = await (await loadResumableUploads(input.deps)).status(callerOf(input), input.params.id);
    if (!upload) throw new NotFoundError('Upload not found');
    return {
      id: upload.id,
      name: upload.name,
      length: upload.length,
      offset: upload.offset,
      file_id: upload.fileId,
      expires_at: upload.expiresAt?.toISOString() ?? null,
    };
  },
});

export const appendUpload = defineRoute({
  method: 'PATCH',
  path: '/files/uploads/:id',
  summary:
    'Send bytes from `Upload-Offset` on (`Content-Type: application/offset+octet-stream`); the last ones store the file (its type sniffed) and answer `Plinth-File-Id`',
  tag: 'files',
  permission: corePermissions['files.upload'],
  body: streamed,
  schema: { params: UploadParams, response: NoContent },
  deps,
  errors: uploadRefusals,
  handler: (input) => forward(input, input.params.id),
});

export const deleteUpload = defineRoute({
  method: 'DELETE',
  path: '/files/uploads/:id',
  summary: 'Abandon an upload (tus termination): its staged bytes are removed (a stored file stays)',
  tag: 'files',
  permission: corePermissions['files.upload'],
  schema: { params: UploadParams, response: NoContent },
  deps,
  errors: uploadRefusals,
  handler: (input) => forward(input, input.params.id),
});

/** Resumable uploads, served before core's other file routes so that `/files/:id…` never takes `/files/uploads/…`. */
export const resumableUploadRoutes: CoreRoute[] = [createUpload, getUpload, appendUpload, deleteUpload];
