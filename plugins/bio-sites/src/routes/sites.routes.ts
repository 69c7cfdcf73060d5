import { commonErrors, limitErrors, listPage, type AnyRoute, likePattern, NoContent, paginate, Reply, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { IdParams, Site, SiteInput, SitePatch, SiteQuery } from '../model/schemas.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { createSite, deleteSite, findSite, siteColumns, toSite, updateSite } from '../services/sites.js';

/** `/api/v1/bio-sites/sites…`: the tenant's bio sites. */
export function siteRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/sites',
      summary: 'List sites, newest first (filter by status, search slug or title)',
      permission: permissions['sites.view'],
      schema: { query: SiteQuery, response: Type.Array(Site) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<Parameters<typeof toSite>[0]>(
          deps.db,
          {
            select: siteColumns,
            from: 'bio_sites_sites',
            where: '($1::text is null or status = $1) and ($2::text is null or slug ilike $2 or title ilike $2)',
            orderBy: 'created_at desc, id',
            values: [query.status ?? null, query.q ? likePattern(query.q) : null],
          },
          query,
        );
        return Reply.list(items.map(toSite), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/sites',
      summary: 'Create a site (its slug must be free across every tenant)',
      errors: [commonErrors.conflict, limitErrors.limit_reached],
      permission: permissions['sites.manage'],
      schema: { body: SiteInput, response: withStatus(Site, 201) },
      async handler({ body, deps, ctx }) {
        return Reply.created(await createSite(deps, ctx.tenant.id, body));
      },
    }),
    route({
      method: 'GET',
      path: '/sites/:id',
      summary: 'One site',
      permission: permissions['sites.view'],
      schema: { params: IdParams, response: Site },
      async handler({ params, deps }) {
        return toSite(await findSite(deps.db, params.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/sites/:id',
      summary: 'Change a site: details, theme, SEO, slug, or publish/unpublish it',
      errors: [commonErrors.conflict],
      permission: permissions['sites.manage'],
      schema: { params: IdParams, body: SitePatch, response: Site },
      async handler({ params, body, deps, ctx }) {
        return updateSite(deps, ctx.tenant.id, params.id, body);
      },
    }),
    route({
      method: 'DELETE',
      path: '/sites/:id',
      summary: 'Delete a site with its blocks, subscribers and statistics; frees its slug',
      permission: permissions['sites.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        await deleteSite(deps, params.id);
        return Reply.noContent();
      },
    }),
  ];
}
