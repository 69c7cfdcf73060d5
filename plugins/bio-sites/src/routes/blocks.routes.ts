import { type AnyRoute, NoContent, PageQuery, paginate, Reply, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { bioSitesErrors } from '../errors.js';
import { Block, BlockInput, BlockOrder, BlockParams, BlockPatch, IdParams, LinkInput } from '../model/schemas.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { createBlock, deleteBlock, getBlock, listBlocks, reorderBlocks, updateBlock } from '../services/blocks.js';

/** `/api/v1/bio-sites/sites/:id/blocks…` and `/sites/:id/links`: a site's ordered blocks, and its link blocks. */
export function blockRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/sites/:id/blocks',
      summary: "The site's blocks in page order",
      permission: permissions['sites.view'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Block) },
      async handler({ params, query, deps }) {
        const { blocks, total } = await listBlocks(deps.db, params.id, query);
        return Reply.list(blocks, paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/sites/:id/blocks',
      summary: 'Add a block (link, heading, text, image, social, embed, email_capture)',
      errors: [bioSitesErrors.too_many_blocks],
      permission: permissions['sites.manage'],
      schema: { params: IdParams, body: BlockInput, response: withStatus(Block, 201) },
      async handler({ params, body, deps }) {
        return Reply.created(await createBlock(deps, params.id, body));
      },
    }),
    route({
      method: 'PUT',
      path: '/sites/:id/blocks/order',
      summary: "Reorder the site's blocks (every block id, in the new order)",
      permission: permissions['sites.manage'],
      schema: { params: IdParams, body: BlockOrder, response: Type.Array(Block) },
      async handler({ params, body, deps }) {
        return reorderBlocks(deps, params.id, body.ids);
      },
    }),
    route({
      method: 'GET',
      path: '/sites/:id/blocks/:blockId',
      summary: 'One block',
      permission: permissions['sites.view'],
      schema: { params: BlockParams, response: Block },
      async handler({ params, deps }) {
        return getBlock(deps.db, params.id, params.blockId);
      },
    }),
    route({
      method: 'PATCH',
      path: '/sites/:id/blocks/:blockId',
      summary: 'Change a block (its data, schedule, active flag or position)',
      permission: permissions['sites.manage'],
      schema: { params: BlockParams, body: BlockPatch, response: Block },
      async handler({ params, body, deps }) {
        return updateBlock(deps, params.id, params.blockId, body);
      },
    }),
    route({
      method: 'DELETE',
      path: '/sites/:id/blocks/:blockId',
      summary: 'Remove a block',
      permission: permissions['sites.manage'],
      schema: { params: BlockParams, response: NoContent },
      async handler({ params, deps }) {
        await deleteBlock(deps, params.id, params.blockId);
        return Reply.noContent();
      },
    }),
    route({
      method: 'GET',
      path: '/sites/:id/links',
      summary: "The site's link blocks in page order",
      permission: permissions['sites.view'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Block) },
      async handler({ params, query, deps }) {
        const { blocks, total } = await listBlocks(deps.db, params.id, query, 'link');
        return Reply.list(blocks, paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/sites/:id/links',
      summary: 'Add a link block (title, http/https URL, icon, schedule)',
      errors: [bioSitesErrors.too_many_blocks],
      permission: permissions['sites.manage'],
      schema: { params: IdParams, body: LinkInput, response: withStatus(Block, 201) },
      async handler({ params, body, deps }) {
        const { title, url, icon, ...placement } = body;
        return Reply.created(await createBlock(deps, params.id, { type: 'link', data: { title, url, ...(icon ? { icon } : {}) }, ...placement }));
      },
    }),
  ];
}
