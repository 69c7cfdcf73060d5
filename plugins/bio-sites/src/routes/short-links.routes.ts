import { commonErrors, listPage, type AnyRoute, NoContent, PageQuery, paginate, Reply, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { IdParams, ShortLink, ShortLinkInput, ShortLinkPatch } from '../model/schemas.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { createShortLink, deleteShortLink, findShortLink, shortLinkColumns, toShortLink, updateShortLink } from '../services/short-links.js';

/** `/api/v1/bio-sites/short-links…`: the tenant's short codes (`/s/<code>` → a saved URL). */
export function shortLinkRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/short-links',
      summary: 'List short links, newest first',
      permission: permissions['sites.view'],
      schema: { query: PageQuery, response: Type.Array(ShortLink) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<Parameters<typeof toShortLink>[0]>(
          deps.db,
          { select: shortLinkColumns, from: 'bio_sites_short_links', orderBy: 'created_at desc, id' },
          query,
        );
        return Reply.list(items.map(toShortLink), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/short-links',
      summary: 'Create a short link (its code must be free across every tenant; generated when left out)',
      errors: [commonErrors.conflict],
      permission: permissions['sites.manage'],
      schema: { body: ShortLinkInput, response: withStatus(ShortLink, 201) },
      async handler({ body, deps, ctx }) {
        return Reply.created(await createShortLink(deps, ctx.tenant.id, body));
      },
    }),
    route({
      method: 'GET',
      path: '/short-links/:id',
      summary: 'One short link',
      permission: permissions['sites.view'],
      schema: { params: IdParams, response: ShortLink },
      async handler({ params, deps }) {
        return toShortLink(await findShortLink(deps.db, params.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/short-links/:id',
      summary: 'Change a short link',
      errors: [commonErrors.conflict],
      permission: permissions['sites.manage'],
      schema: { params: IdParams, body: ShortLinkPatch, response: ShortLink },
      async handler({ params, body, deps, ctx }) {
        return updateShortLink(deps, ctx.tenant.id, params.id, body);
      },
    }),
    route({
      method: 'DELETE',
      path: '/short-links/:id',
      summary: 'Delete a short link with its statistics; frees its code',
      permission: permissions['sites.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        await deleteShortLink(deps, params.id);
        return Reply.noContent();
      },
    }),
  ];
}
