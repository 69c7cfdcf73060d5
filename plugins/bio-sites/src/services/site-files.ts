import { NotFoundError, ValidationError, type PluginFile, type PluginFiles, type TenantDb } from '@plinth/sdk';
import { pageImageTypes } from '../model/images.js';

/**
 * Attaches an uploaded file to a site (it becomes the plugin's and is kept while the site uses it), refusing with
 * a field error anything a public page cannot show: no such file in this tenant, not a raster image, not public.
 * Runs in the request's transaction, so a refusal also undoes the attach.
 */
export async function attachSiteImage(files: PluginFiles, fileId: string, siteId: string, field: string): Promise<PluginFile> {
  let file: PluginFile;
  try {
    file = await files.attach(fileId, siteId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ValidationError({ [field]: ['is not a file uploaded to this workspace'] });
    throw error;
  }
  if (!(pageImageTypes as readonly string[]).includes(file.contentType)) {
    throw new ValidationError({ [field]: [`must be a PNG, JPEG, GIF, WebP or AVIF image (this file is ${file.contentType})`] });
  }
  if (file.visibility !== 'public') throw new ValidationError({ [field]: ['must be a public file (upload it with visibility=public)'] });
  return file;
}

/** Deletes a stored image nothing of the tenant's sites uses any more (an avatar or image block replaced or deleted). */
export async function releaseSiteImage(deps: { db: TenantDb; files: PluginFiles }, fileId: string | null | undefined): Promise<void> {
  if (!fileId) return;
  const [used] = await deps.db.query(
    `select 1 from bio_sites_sites where avatar_file_id = $1
     union all select 1 from bio_sites_blocks where type = 'image' and data->>'file_id' = $1::text limit 1`,
    [fileId],
  );
  if (!used) await deps.files.delete(fileId);
}

/** The stored file an image block shows, if it shows one. */
export function blockFileId(type: string, data: Record<string, unknown>): string | undefined {
  return type === 'image' && typeof data.file_id === 'string' ? data.file_id : undefined;
}

/** The public URL of a stored image, its `variant` once the variants job made it, else the original. */
export function publicImageUrl(tenantId: string, file: Pick<PluginFile, 'id' | 'variants'>, variant: 'thumb' | 'medium' | 'webp'): string {
  const base = `/api/v1/files/public/${tenantId}/${file.id}`;
  return file.variants.includes(variant) ? `${base}?variant=${variant}` : base;
}
