// A plugin that keeps its files through `coreServices.files`: for the file service's plugin-facing tests.
import { Readable } from 'node:stream';
import { commonErrors, coreServices, definePermissions, definePlugin, fileErrors, NotFoundError, Reply, Type } from '@plinth/sdk';

export const albumsPermissions = definePermissions('albums', {
  'photos.manage': { description: 'Keep photos', grantTo: ['admin', 'member'] },
});

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const albumsPlugin = definePlugin({
  name: 'albums',
  version: '1.0.0',
  title: 'Albums',
  description: 'Photos kept as files',
  category: 'productivity',
  requires: { core: '>=0.1.0' },
  deps: { files: coreServices.files },
  permissions: albumsPermissions,
  migrations: [],
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/photos',
      summary: 'Store a text as a file (for tests)',
      permission: albumsPermissions['photos.manage'],
      schema: {
        body: Type.Object({ text: Type.String(), name: Type.String(), owner_id: Type.Optional(Type.String()), only_images: Type.Optional(Type.Boolean()) }),
      },
      errors: [fileErrors.file_empty, fileErrors.file_type_not_allowed, fileErrors.file_too_large, fileErrors.storage_quota_exceeded],
      async handler({ deps, body }) {
        const file = await deps.files.store({
          body: Readable.from([Buffer.from(body.text)]),
          name: body.name,
          ...(body.owner_id ? { ownerId: body.owner_id } : {}),
          allowedTypes: body.only_images ? ['image/*'] : ['text/*'],
        });
        return Reply.created({ ...file, attachedAt: file.attachedAt?.toISOString() ?? null, createdAt: file.createdAt.toISOString() });
      },
    }),
    route({
      method: 'GET',
      path: '/photos',
      summary: 'The plugin’s files',
      permission: albumsPermissions['photos.manage'],
      errors: [],
      async handler({ deps }) {
        const { items, total } = await deps.files.list();
        return { total, ids: items.map((item) => item.id) };
      },
    }),
    route({
      method: 'POST',
      path: '/photos/:id/attach',
      summary: 'Attach a file to a record',
      permission: albumsPermissions['photos.manage'],
      schema: { params: IdParams, body: Type.Object({ owner_id: Type.String() }) },
      errors: [commonErrors.not_found],
      async handler({ deps, params, body }) {
        const file = await deps.files.attach(params.id, body.owner_id);
        return { id: file.id, ownerId: file.ownerId, attached: file.attachedAt !== null };
      },
    }),
    route({
      method: 'GET',
      path: '/photos/:id/text',
      summary: 'Read a file back',
      permission: albumsPermissions['photos.manage'],
      schema: { params: IdParams },
      errors: [],
      async handler({ deps, params }) {
        const stream = await deps.files.open(params.id);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return { text: Buffer.concat(chunks).toString('utf8') };
      },
    }),
    route({
      method: 'DELETE',
      path: '/photos/:id',
      summary: 'Delete a file',
      permission: albumsPermissions['photos.manage'],
      schema: { params: IdParams },
      errors: [],
      async handler({ deps, params }) {
        if (!(await deps.files.delete(params.id))) throw new NotFoundError('No such photo');
        return Reply.noContent();
      },
    }),
  ],
});
