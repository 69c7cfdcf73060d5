import { Readable } from 'node:stream';
import { fileErrors, NotFoundError, type AttachConditions, type Plugin, type PluginFile, type PluginFiles } from '@plinth/sdk';
import type { KernelServices } from '../kernel.js';
import type { UnitOfWork } from '../plugins/plugin-scope.js';
import { anyOwner, type FileRecord, type FileScope } from './file-service.js';
import { typeAllowed } from './sniff.js';

/** A file row as the SDK shows it. */
function pluginFile(file: FileRecord): PluginFile {
  return {
    id: file.id,
    name: file.name,
    contentType: file.content_type,
    size: Number(file.size),
    checksum: file.checksum,
    visibility: file.visibility,
    ownerId: file.owner_id,
    width: file.width,
    height: file.height,
    variants: Object.keys(file.variants ?? {}),
    createdBy: file.created_by,
    attachedAt: file.attached_at,
    createdAt: file.created_at,
  };
}

/**
 * A plugin's `coreServices.files`: the kernel's file service bound to the unit's tenant and to the plugin as owner,
 * so that a plugin reaches its own files only. Reads, attaching and deleting run in the unit's transaction (they
 * commit or roll back with the plugin's own writes); storing commits on its own once the bytes are stored, so a
 * stored file whose record then fails to commit is an unattached orphan, swept after a day.
 */
export function pluginFiles(plugin: Plugin, unit: UnitOfWork, services: KernelServices): PluginFiles {
  const { files } = services;
  const scope: FileScope = { tenantId: unit.tenant.id, db: unit.db, ownerPlugin: plugin.name };
  const own = async (id: string) => {
    const file = await files.get(scope, id);
    if (!file) throw new NotFoundError('File not found');
    return file;
  };
  /** Throws when the file `attach` would take is outside `conditions`; a refused upload of `uploadedBy` is deleted first. */
  const refuseOutside = async (id: string, { allowedTypes, maxBytes, uploadedBy }: AttachConditions) => {
    const file = await files.get({ ...scope, ownerPlugin: anyOwner }, id);
    const upload = file?.owner_plugin === 'core' && file.attached_at === null;
    // Not the plugin's, nor a member's unclaimed upload: `attach` answers 404 for it.
    if (!file || !(upload || file.owner_plugin === plugin.name)) return;
    if (uploadedBy !== undefined && file.created_by !== uploadedBy) throw new NotFoundError('File not found');
    const refusal =
      allowedTypes && !typeAllowed(file.content_type, allowedTypes)
        ? fileErrors.file_type_not_allowed(`Files of type ${file.content_type} are not accepted here (accepted: ${allowedTypes.join(', ')})`)
        : maxBytes !== undefined && Number(file.size) > maxBytes
          ? fileErrors.file_too_large(`The file has ${file.size} bytes; at most ${maxBytes} are accepted here`)
          : undefined;
    if (!refusal) return;
    // Only the uploader's own upload is deleted: another member's stays theirs (and is swept if nobody claims it).
    if (upload && uploadedBy !== undefined) await files.delete({ tenantId: unit.tenant.id, ownerPlugin: 'core' }, id);
    throw refusal;
  };
  return {
    async store(input) {
      const file = await files.store(
        { tenantId: unit.tenant.id, ownerPlugin: plugin.name },
        {
          body: input.body instanceof Readable ? input.body : Readable.from(input.body),
          name: input.name,
          declaredType: input.contentType,
          visibility: input.visibility,
          ownerId: input.ownerId,
          allowedTypes: input.allowedTypes,
          maxBytes: input.maxBytes,
        },
      );
      return pluginFile(file);
    },
    get: async (id) => {
      const file = await files.get(scope, id);
      return file && pluginFile(file);
    },
    open: async (id, options = {}) => files.open(await own(id), options),
    async list(filter = {}) {
      const { items, total } = await files.list(scope, { ownerId: filter.ownerId, page: filter.page ?? 1, per_page: Math.min(filter.perPage ?? 20, 100) });
      return { items: items.map(pluginFile), total };
    },
    async attach(id, ownerId, conditions) {
      if (conditions) await refuseOutside(id, conditions);
      return pluginFile(await files.attach(scope, id, ownerId, { claimUploads: true }));
    },
    delete: (id) => files.delete(scope, id),
    signedUrl: async (id, options = {}) => files.signedUrl(await own(id), options),
  };
}
