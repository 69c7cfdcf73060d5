import { type AnyRoute, NotFoundError, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { IdParams } from '../model/schemas.js';
import { maxUrlLength } from '../model/urls.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { previewPage } from '../public/page-loader.js';
import { fetchLinkTitle } from '../services/link-title.js';

/** `/api/v1/bio-sites/sites/:id/preview` and `/link-title`: what the console's page editor needs beside the CRUD routes. */
export function editorRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/sites/:id/preview',
      summary: "The site's page as visitors would see it now (published or not), as HTML, for the editor's preview",
      permission: permissions['sites.view'],
      schema: {
        params: IdParams,
        response: Type.Object({
          html: Type.String({ description: 'The whole document; embedded players are placeholders' }),
          status: Type.Union([Type.Literal('published'), Type.Literal('unpublished')]),
        }),
      },
      async handler({ params, deps, ctx }) {
        // One transaction's queries run one after another.
        const site = await deps.db.one<{ status: 'published' | 'unpublished' }>('select status from bio_sites_sites where id = $1', [params.id]);
        const page = site && (await previewPage(deps, ctx.tenant, params.id));
        if (!page || !site) throw new NotFoundError('Site not found');
        return { html: page.html, status: site.status };
      },
    }),
    route({
      method: 'GET',
      path: '/link-title',
      summary: 'The title of the page at a URL (its og:title or <title>), to name a new link; null when it has none or cannot be read',
      permission: permissions['sites.manage'],
      rateLimit: { per: 'principal', max: 60, windowSeconds: 60 },
      schema: {
        query: Type.Object({ url: Type.String({ minLength: 1, maxLength: maxUrlLength, description: 'An http or https URL' }) }),
        response: Type.Object({ url: Type.String(), title: Type.Union([Type.String(), Type.Null()]) }),
      },
      async handler({ query, deps }) {
        return fetchLinkTitle(deps.http, query.url);
      },
    }),
  ];
}
