import { type AnyRoute, NoContent, pageWindow, paginate, Reply, Type, withStatus } from '@plinth/sdk';
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
        const { limit, offset } = pageWindow(query);
        const filters = `($1::text is null or status = $1) and ($2::text is null or slug ilike $2 or title ilike $2)`;
        const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (match) => `\\${match}`)}%` : null;
        const rows = await deps.db.query<Parameters<typeof toSite>[0]>(
          `select ${siteColumns} from bio_sites_sites where ${filters} order by created_at desc, id limit $3 offset $4`,
          [query.status ?? null, pattern, limit, offset],
        );
        const [count] = await deps.db.query<{ total: number }>(`select count(*)::int as total from bio_sites_sites where ${filters}`, [
          query.status ?? null,
          pattern,
        ]);
        return Reply.list(rows.map(toSite), paginate(query, count?.total ?? 0));
      },
    }),
    route({
      method: 'POST',
      path: '/sites',
      summary: 'Create a site (its slug must be free across every tenant)',
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
