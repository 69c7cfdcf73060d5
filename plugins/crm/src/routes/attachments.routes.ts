import {
  type AnyRoute,
  FileRef,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  type PluginAudit,
  type PluginFile,
  type PluginFiles,
  rawBody,
  Reply,
  type Static,
  Type,
  ValidationError,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { findContact } from '../services/contact-service.js';

const Attachment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  contact_id: Type.String({ format: 'uuid' }),
  name: Type.String({ description: 'The original name, sanitised' }),
  content_type: Type.String({ description: 'Sniffed from the bytes' }),
  size: Type.Integer(),
  created_by: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
type Attachment = Static<typeof Attachment>;

const ContactParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const AttachmentParams = Type.Object({ id: Type.String({ format: 'uuid' }), fileId: Type.String({ format: 'uuid' }) });
const NewAttachment = Type.Object({ file_id: FileRef({}, { description: 'A file uploaded through POST /api/v1/files' }) }, { additionalProperties: false });

function toAttachment(file: PluginFile): Attachment {
  return {
    id: file.id,
    contact_id: file.ownerId!,
    name: file.name,
    content_type: file.contentType,
    size: file.size,
    created_by: file.createdBy,
    created_at: file.createdAt.toISOString(),
  };
}

/** The contact's attachment `fileId`, or 404 (another contact's, an import's, another tenant's, none). */
async function findAttachment(files: PluginFiles, contactId: string, fileId: string): Promise<PluginFile> {
  const file = await files.get(fileId);
  if (!file || file.ownerId !== contactId) throw new NotFoundError('Attachment not found');
  return file;
}

/** Records an attachment added or removed (`crm.attachment.<verb>`), in its contact's unit; a file's name may be personal data (redacted). */
function recordAttachment(audit: PluginAudit, verb: 'created' | 'deleted', file: PluginFile, unit: string | null): Promise<void> {
  const fields = { contact_id: file.ownerId, name: file.name, content_type: file.contentType, size: file.size };
  const change = verb === 'created' ? { after: fields } : { before: fields };
  return audit.record({ entity: 'attachment', verb, target: file.id, unit, ...change, redact: ['name'] });
}

/** Moves the attachments of merged duplicates to the contact they were merged into (in the merge's transaction). */
export async function moveAttachments(files: PluginFiles, duplicateIds: readonly string[], primaryId: string): Promise<number> {
  let moved = 0;
  for (const ownerId of duplicateIds) {
    // Each attach takes the file off this owner's list: read the first page until it is empty.
    for (let page = await files.list({ ownerId, perPage: 100 }); page.items.length > 0; page = await files.list({ ownerId, perPage: 100 })) {
      for (const file of page.items) await files.attach(file.id, primaryId);
      moved += page.items.length;
    }
  }
  return moved;
}

/** `Content-Disposition: attachment` naming the file, with an ASCII fallback for old clients. */
function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * `/api/v1/crm/contacts/:id/attachments`: private files kept with a contact. A file is uploaded through core's
 * `POST /api/v1/files`, then attached here (it becomes the CRM's and is kept while attached); its bytes are read
 * through this plugin's route, so `contacts.view` decides who may download them. Purging the CRM deletes them.
 */
export function attachmentRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/contacts/:id/attachments',
      summary: "A contact's attachments, newest first",
      permission: permissions['contacts.view'],
      schema: { params: ContactParams, query: PageQuery, response: Type.Array(Attachment) },
      async handler({ params, query, deps }) {
        await findContact(deps.db, params.id);
        const { items, total } = await deps.files.list({ ownerId: params.id, page: query.page, perPage: query.per_page });
        return Reply.list(items.map(toAttachment), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/contacts/:id/attachments',
      summary: 'Attach a file uploaded through POST /api/v1/files to the contact',
      permission: permissions['contacts.manage'],
      schema: { params: ContactParams, body: NewAttachment, response: withStatus(Attachment, 201) },
      async handler({ params, body, deps }) {
        const contact = await findContact(deps.db, params.id);
        const own = await deps.files.get(body.file_id);
        // A CRM file already kept for another record (a contact's attachment, an import's CSV) is not moved.
        if (own && own.ownerId !== params.id) throw new ValidationError({ file_id: ['is already used by another record'] });
        try {
          const file = await deps.files.attach(body.file_id, params.id);
          await recordAttachment(deps.audit, 'created', file, contact.unit_id);
          return Reply.created(toAttachment(file));
        } catch (error) {
          if (error instanceof NotFoundError) throw new ValidationError({ file_id: ['is not a file uploaded to this workspace'] });
          throw error;
        }
      },
    }),
    route({
      method: 'GET',
      path: '/contacts/:id/attachments/:fileId/content',
      summary: "An attachment's bytes (always as a download)",
      permission: permissions['contacts.view'],
      schema: { params: AttachmentParams, response: rawBody('application/octet-stream', "The file's bytes, with its sniffed Content-Type") },
      async handler({ params, deps }) {
        await findContact(deps.db, params.id);
        const file = await findAttachment(deps.files, params.id, params.fileId);
        return Reply.stream(await deps.files.open(file.id), {
          contentType: file.contentType,
          headers: {
            'content-length': String(file.size),
            'content-disposition': attachmentDisposition(file.name),
            'x-content-type-options': 'nosniff',
            'cache-control': 'private, no-store',
          },
        });
      },
    }),
    route({
      method: 'DELETE',
      path: '/contacts/:id/attachments/:fileId',
      summary: 'Delete an attachment (its bytes go back to the storage quota)',
      permission: permissions['contacts.manage'],
      schema: { params: AttachmentParams, response: NoContent },
      async handler({ params, deps }) {
        const contact = await findContact(deps.db, params.id);
        const file = await findAttachment(deps.files, params.id, params.fileId);
        await deps.files.delete(file.id);
        await recordAttachment(deps.audit, 'deleted', file, contact.unit_id);
        return Reply.noContent();
      },
    }),
  ];
}
