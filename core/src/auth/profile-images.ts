import { ValidationError } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';
import type { FileRecord, FileService } from '../files/file-service.js';

/** Image types a profile picture or logo may be: what browsers show, no markup (SVG runs script). */
export const profileImageTypes: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'];

/** Largest avatar or logo: 5 MiB. */
export const profileImageMaxBytes = 5 * 1024 * 1024;

/** The record a user's avatar is attached to. */
export const avatarOwner = (userId: string) => `user:${userId}`;

/** The record a tenant's logo is attached to. */
export const logoOwner = 'tenant:logo';

/** The public URL of a core file: the avatar or logo as `<img src>` (`?variant=thumb` once its variants are made). */
export function publicFileUrl(tenantId: string, fileId: string): string {
  return `/api/v1/files/public/${tenantId}/${fileId}`;
}

/**
 * Attaches a file uploaded through `POST /api/v1/files` in the tenant as an avatar or logo (`ownerId`), in the
 * request's transaction (a refusal undoes it). Refused with a field error: no such file in this tenant (another
 * tenant's is none), one another record holds, not a raster image, over {@link profileImageMaxBytes}, not public
 * (it is shown to anyone: the uploader chooses that with `visibility=public`), or, with `uploadedBy`, someone
 * else's upload.
 */
export async function attachProfileImage(
  files: FileService,
  scope: { tenantId: string; db: ScopedDb },
  input: { field: string; fileId: string; ownerId: string; uploadedBy?: string },
): Promise<FileRecord> {
  const refuse = (message: string) => new ValidationError({ [input.field]: [message] });
  const core = { ...scope, ownerPlugin: 'core' };
  const file = await files.get(core, input.fileId);
  if (!file) throw refuse('is not a file uploaded to this workspace');
  if (input.uploadedBy !== undefined && file.created_by !== input.uploadedBy) throw refuse('must be a file you uploaded');
  if (file.owner_id !== null && file.owner_id !== input.ownerId) throw refuse('is already used by another record');
  if (!profileImageTypes.includes(file.content_type)) throw refuse(`must be a PNG, JPEG, GIF, WebP or AVIF image (this file is ${file.content_type})`);
  if (Number(file.size) > profileImageMaxBytes) throw refuse(`must be at most ${profileImageMaxBytes} bytes`);
  if (file.visibility !== 'public') throw refuse('must be a public file (upload it with visibility=public)');
  return files.attach(core, file.id, input.ownerId);
}
