import { ForbiddenError, NotFoundError, PageQuery, paginate, PayloadTooLargeError, RawReply, StreamReply, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, NoContent, Nullable, rawBody, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import type { PlinthContext } from '../http/context.js';
import { kernelRefs } from '../kernel-refs.js';
import { corePermissions, holds } from '../rbac/permissions.js';
import { fileErrors } from './file-errors.js';
import { anyOwner, signedUrlDefaultSeconds, signedUrlMaxSeconds, type FileRecord, type FileService } from './file-service.js';
import { readUpload } from './multipart.js';
import { planObjectResponse, serveErrors } from './serve.js';

// Core's file routes act on core's own files (`owner_plugin = 'core'`): a plugin's files are reached through the
// plugin's routes, its signed URLs, or (public ones) the public route, never listed or deleted here.

/** What core's upload route accepts when the host says nothing else: documents, images, media and data, no markup that runs script. */
export const defaultUploadTypes: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/json',
  'video/*',
  'audio/*',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

/** Multipart framing around the file (boundaries, part headers, the few fields): allowed on top of the file limit. */
const framingBytes = 64 * 1024;

/**
 * The body stage's ceiling for uploads: the largest `PLINTH_UPLOAD_LIMIT` with its framing. The host's own limit is
 * read by the handler (routes are defined before the configuration is known) and checked on the announced length
 * before anything is read, then on the bytes as they stream.
 */
const uploadCeiling = 1024 ** 4 + framingBytes;

const owner = 'core';

const Variant = Exact({ content_type: Type.String(), size: Type.Integer(), width: Nullable(Type.Integer()), height: Nullable(Type.Integer()) });

const FileView = Exact({
  id: Uuid,
  name: Type.String({ description: 'The original name, sanitised' }),
  content_type: Type.String({ description: 'Sniffed from the bytes' }),
  size: Type.Integer(),
  checksum: Type.String({ description: 'SHA-256 of the bytes, hex' }),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  owner_plugin: Type.String(),
  owner_id: Nullable(Type.String()),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  variants: Type.Record(Type.String(), Variant, { description: 'Image variants (thumb, medium, webp), once made' }),
  created_by: Nullable(Uuid),
  attached_at: Nullable(Timestamp, { description: 'Null until a record claims the file; unattached files are removed after a day' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A file as the API shows it (never its storage key). */
export function presentFile(file: FileRecord) {
  return {
    id: file.id,
    name: file.name,
    content_type: file.content_type,
    size: Number(file.size),
    checksum: file.checksum,
    visibility: file.visibility,
    owner_plugin: file.owner_plugin,
    owner_id: file.owner_id,
    width: file.width,
    height: file.height,
    variants: file.variants ?? {},
    created_by: file.created_by,
    attached_at: file.attached_at?.toISOString() ?? null,
    created_at: file.created_at.toISOString(),
    updated_at: file.updated_at.toISOString(),
  };
}

const FileParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const VariantName = Type.Union([Type.Literal('thumb'), Type.Literal('medium'), Type.Literal('webp')]);
const ContentQuery = Type.Object({ variant: Type.Optional(VariantName) }, { additionalProperties: false });
const FileBytes = rawBody('application/octet-stream', "The file's bytes, or the range asked for (its sniffed Content-Type)", [200, 206, 304]);

async function coreFile(files: FileService, tenantId: string, id: string): Promise<FileRecord> {
  const file = await files.get({ tenantId, ownerPlugin: owner }, id);
  if (!file) throw new NotFoundError('File not found');
  return file;
}

export const uploadFile = defineRoute({
  method: 'POST',
  path: '/files',
  summary: 'Upload a file (multipart/form-data: a `file` part, optional `visibility`); its type is sniffed from the bytes',
  tag: 'files',
  permission: corePermissions['files.upload'],
  body: { types: ['multipart/form-data'], limitBytes: uploadCeiling },
  schema: {
    // For the OpenAPI document: the parts are read from the stream by the handler, which checks them itself.
    body: Type.Object({
      file: Type.Optional(Type.String({ format: 'binary', description: 'The file' })),
      visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')], { default: 'private' })),
    }),
    response: withStatus(FileView, 201),
  },
  deps: { files: kernelRefs.files, config: kernelRefs.config },
  errors: [fileErrors.file_empty, fileErrors.file_incomplete, fileErrors.file_too_large, fileErrors.storage_quota_exceeded, fileErrors.file_type_not_allowed],
  async handler({ ctx, deps, tenant, actor, audit }) {
    const limit = deps.config.uploadLimitBytes;
    const announced = Number(ctx.get('content-length')) || undefined;
    if (announced !== undefined && announced > limit + framingBytes) throw new PayloadTooLargeError(`Files of up to ${limit} bytes are accepted`);
    // Empty files are the service's to refuse (400 `file_empty`), as for plugins' uploads.
    const upload = await readUpload(ctx.req, { maxBytes: limit, minBytes: 0 });
    const visibility = upload.fields.visibility ?? 'private';
    if (visibility !== 'public' && visibility !== 'private') {
      upload.file.stream.destroy();
      throw new ValidationError({ visibility: ['must be "public" or "private"'] });
    }
    const file = await deps.files.store(
      { tenantId: tenant.id, ownerPlugin: owner },
      {
        body: upload.file.stream,
        name: upload.file.name,
        declaredType: upload.file.declaredType,
        // What the file must at least hold, from the announced length: a file that cannot fit the quota is refused before its bytes are read.
        declaredLength: announced === undefined ? undefined : Math.max(0, announced - framingBytes - fieldBytes(upload.fields)),
        visibility,
        createdBy: actor.userId,
        allowedTypes: defaultUploadTypes,
        maxBytes: limit,
      },
    );
    await audit({
      action: 'file.uploaded',
      targetType: 'file',
      targetId: file.id,
      data: { name: file.name, size: Number(file.size), content_type: file.content_type },
    });
    return Reply.created(presentFile(file)).withHeaders({ location: `/api/v1/files/${file.id}` });
  },
});

export const listFiles = defineRoute({
  method: 'GET',
  path: '/files',
  summary: "The tenant's uploaded files, newest first (`owner_id`: those of one record)",
  tag: 'files',
  permission: corePermissions['files.view'],
  schema: {
    query: Type.Object({ ...PageQuery.properties, owner_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
    response: Type.Array(FileView),
  },
  deps: { files: kernelRefs.files },
  errors: [],
  async handler({ deps, tenant, query }) {
    const { items, total } = await deps.files.list(
      { tenantId: tenant.id, ownerPlugin: owner },
      query.owner_id === undefined ? query : { ...query, ownerId: query.owner_id },
    );
    return Reply.list(items.map(presentFile), paginate(query, total));
  },
});

export const getFile = defineRoute({
  method: 'GET',
  path: '/files/:id',
  summary: "A file's metadata",
  tag: 'files',
  permission: corePermissions['files.view'],
  schema: { params: FileParams, response: FileView },
  deps: { files: kernelRefs.files },
  errors: [],
  async handler({ deps, tenant, params }) {
    return presentFile(await coreFile(deps.files, tenant.id, params.id));
  },
});

export const downloadFile = defineRoute({
  method: 'GET',
  path: '/files/:id/content',
  summary: "A file's bytes (`Range` supported; `variant` for an image's thumb, medium or webp)",
  tag: 'files',
  permission: corePermissions['files.view'],
  schema: { params: FileParams, query: ContentQuery, response: FileBytes },
  deps: { files: kernelRefs.files },
  errors: [serveErrors.range_not_satisfiable],
  async handler({ ctx, deps, tenant, params, query }) {
    const file = await coreFile(deps.files, tenant.id, params.id);
    return serve(ctx, deps.files, file, query.variant, { cache: 'private' });
  },
});

export const signFileUrl = defineRoute({
  method: 'POST',
  path: '/files/:id/url',
  summary: 'A signed URL that downloads the file without credentials until it expires (default 1 h, at most 7 days)',
  tag: 'files',
  permission: corePermissions['files.view'],
  schema: {
    params: FileParams,
    body: Type.Object(
      {
        expires_in: Type.Optional(Type.Integer({ minimum: 1, maximum: signedUrlMaxSeconds, default: signedUrlDefaultSeconds, description: 'Seconds' })),
        variant: Type.Optional(VariantName),
      },
      { additionalProperties: false },
    ),
    response: Exact({ url: Type.String(), expires_at: Timestamp }),
  },
  deps: { files: kernelRefs.files },
  errors: [],
  async handler({ deps, tenant, params, body, audit }) {
    const file = await coreFile(deps.files, tenant.id, params.id);
    const { url, expiresAt } = deps.files.signedUrl(file, { expiresInSeconds: body.expires_in, variant: body.variant });
    await audit({ action: 'file.url_signed', targetType: 'file', targetId: file.id, data: { expires_at: expiresAt.toISOString() } });
    return { url, expires_at: expiresAt.toISOString() };
  },
});

export const deleteFile = defineRoute({
  method: 'DELETE',
  path: '/files/:id',
  summary:
    'Delete a file and its variants (your own upload, or any with files.manage; not one a record holds, such as an avatar or the logo); its bytes go back to the quota',
  tag: 'files',
  permission: corePermissions['files.upload'],
  schema: { params: FileParams, response: NoContent },
  deps: { files: kernelRefs.files },
  errors: [fileErrors.file_in_use],
  async handler({ deps, tenant, params, permissions, actor, audit }) {
    const file = await coreFile(deps.files, tenant.id, params.id);
    // An avatar or a logo is removed through its own route, which also clears the reference to it.
    if (file.attached_at !== null) throw fileErrors.file_in_use('This file is in use (an avatar or the tenant logo): remove or replace it there');
    if (!holds(permissions, corePermissions['files.manage'].name) && (file.created_by === null || file.created_by !== actor.userId)) {
      throw new ForbiddenError('Only the uploader, or a member with files.manage, may delete this file');
    }
    await deps.files.delete({ tenantId: tenant.id, ownerPlugin: owner }, file.id);
    await audit({ action: 'file.deleted', targetType: 'file', targetId: file.id, data: { name: file.name, size: Number(file.size) } });
    return Reply.noContent();
  },
});

export const downloadSigned = defineRoute({
  method: 'GET',
  path: '/files/signed/:token',
  summary: 'Download through a signed URL (no credentials: the token names tenant, file and expiry)',
  tag: 'files',
  public: true,
  schema: { params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) }), response: FileBytes },
  deps: { files: kernelRefs.files, tenants: kernelRefs.tenants },
  errors: [fileErrors.signed_url_invalid, fileErrors.signed_url_expired, serveErrors.range_not_satisfiable],
  async handler({ ctx, deps, params }) {
    const claims = deps.files.verifyToken(params.token);
    const tenant = await deps.tenants.byId(claims.tenantId);
    if (!tenant || tenant.status !== 'active') throw new NotFoundError('File not found');
    // The token is the authority: any owner plugin's file, but only of the tenant it names (RLS sees no other).
    const file = await deps.files.get({ tenantId: tenant.id, ownerPlugin: anyOwner }, claims.fileId);
    if (!file) throw new NotFoundError('File not found');
    return serve(ctx, deps.files, file, claims.variant, { cache: 'private' });
  },
});

export const downloadPublic = defineRoute({
  method: 'GET',
  path: '/files/public/:tenant/:id',
  summary: 'Download a public file (cacheable; no credentials); `:tenant` is the tenant id or slug',
  tag: 'files',
  public: true,
  tenantParam: 'tenant',
  schema: {
    params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 63 }), id: Type.String({ format: 'uuid' }) }),
    query: ContentQuery,
    response: FileBytes,
  },
  deps: { files: kernelRefs.files },
  errors: [serveErrors.range_not_satisfiable],
  async handler({ ctx, deps, tenant, params, query }) {
    const file = await deps.files.get({ tenantId: tenant.id, ownerPlugin: anyOwner }, params.id);
    if (!file || file.visibility !== 'public') throw new NotFoundError('File not found');
    return serve(ctx, deps.files, file, query.variant, { cache: 'public' });
  },
});

/**
 * The file (or a variant) as the serving helper plans it (Range, ETag, Content-Disposition, Cache-Control), handed
 * to the request path as a stream reply so that it goes out through the same `reply` stage as every answer.
 */
async function serve(
  ctx: PlinthContext,
  files: FileService,
  file: FileRecord,
  variant: string | undefined,
  options: { cache: 'public' | 'private' },
): Promise<StreamReply | RawReply> {
  const object = files.object(file, variant);
  const plan = planObjectResponse(
    {
      method: ctx.method,
      range: ctx.get('range') || undefined,
      ifRange: ctx.get('if-range') || undefined,
      ifNoneMatch: ctx.get('if-none-match') || undefined,
      ifModifiedSince: ctx.get('if-modified-since') || undefined,
    },
    {
      size: object.size,
      contentType: object.contentType,
      etag: `${file.checksum}${variant ? `-${variant}` : ''}`,
      name: variant ? variantName(file.name, variant) : file.name,
      cacheControl: options.cache === 'public' ? 'public, max-age=86400' : 'private, max-age=0, must-revalidate',
      lastModified: file.updated_at,
    },
  );
  if (!plan.body) return new RawReply(plan.status, '', plan.headers);
  return new StreamReply(plan.status, await files.open(file, { range: plan.body.range, variant }), plan.headers);
}

/** The bytes of the text fields sent with a file: part of the announced length that is not the file. */
function fieldBytes(fields: Record<string, string>): number {
  let total = 0;
  for (const [name, value] of Object.entries(fields)) total += Buffer.byteLength(name) + Buffer.byteLength(value);
  return total;
}

/** `photo.jpg` as its `webp` variant: `photo.webp`; the thumbnail keeps the name. */
function variantName(name: string, variant: string): string {
  return variant === 'webp' ? `${name.replace(/\.[^.]*$/, '')}.webp` : name;
}

/** Core's file routes; the token and public downloads come before `/files/:id…` so that no parameter shadows them. */
export const fileRoutes: CoreRoute[] = [downloadSigned, downloadPublic, uploadFile, listFiles, getFile, downloadFile, signFileUrl, deleteFile];
