import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import type { FileService } from './file-service.js';

/** A file as a plugin's data export lists it: its metadata and a signed URL to fetch the bytes. */
export const ExportedFile = Exact({
  id: Uuid,
  name: Type.String(),
  content_type: Type.String(),
  size: Type.Integer(),
  checksum: Type.String({ description: 'SHA-256 of the bytes, hex' }),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('private')]),
  owner_id: Nullable(Type.String()),
  created_at: Timestamp,
  url: Type.String({ description: 'Downloads the bytes without credentials until `url_expires_at`' }),
  url_expires_at: Timestamp,
});

/** Lifetime of the download URLs in an export: long enough to fetch a large set, short enough not to linger. */
const exportUrlSeconds = 24 * 60 * 60;

/** Every file of `plugin` in the tenant, for its data export (read in the request's transaction, a page at a time). */
export async function exportFiles(files: FileService, scope: { tenantId: string; db: ScopedDb }, plugin: string) {
  const exported = [];
  for (let page = 1; ; page++) {
    const { items } = await files.list({ ...scope, ownerPlugin: plugin }, { page, per_page: 100 });
    for (const file of items) {
      const { url, expiresAt } = files.signedUrl(file, { expiresInSeconds: exportUrlSeconds });
      exported.push({
        id: file.id,
        name: file.name,
        content_type: file.content_type,
        size: Number(file.size),
        checksum: file.checksum,
        visibility: file.visibility,
        owner_id: file.owner_id,
        created_at: file.created_at.toISOString(),
        url,
        url_expires_at: expiresAt.toISOString(),
      });
    }
    if (items.length < 100) return exported;
  }
}
