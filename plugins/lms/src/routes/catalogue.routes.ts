import { type AnyRoute, NotFoundError, Nullable, PageQuery, paginate, Reply, Timestamp, toJson, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { catalogue, catalogueCourse } from '../services/catalogue.js';

const CatalogueQuery = Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) })]);
const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 }) });

/** A published course as the public catalogue shows it. */
const CatalogueCourse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  level: Type.String(),
  category: Nullable(Type.String()),
  free: Type.Boolean({ description: 'Not sold in the shop: signed-in users enrol themselves' }),
  instructors: Type.Array(Type.Object({ name: Type.String() })),
  lesson_count: Type.Integer({ description: 'Published lessons' }),
  price: Nullable(Type.Integer({ description: 'Lowest price in minor units, from the shop; null when free or the shop is off' })),
  currency: Nullable(Type.String()),
  buy_url: Nullable(Type.String({ description: 'The buy page (a path on this host: /c/<tenant>/buy/<slug>)' })),
  published_at: Nullable(Timestamp),
});
const CatalogueModule = Type.Object({
  title: Type.String(),
  lessons: Type.Array(Type.Object({ title: Type.String(), free_preview: Type.Boolean(), duration_seconds: Nullable(Type.Integer()) })),
});

/**
 * The public catalogue (no sign-in; the tenant from `X-Tenant` or the host): published courses only, with their
 * outline as titles, instructors' names and the shop's price — never drafts, lesson content or learner data.
 */
export function catalogueRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      readOnly: true,
      path: '/catalogue',
      summary: 'Published courses (public): title, description, instructors, price and buy page; `q` searches title and category',
      public: true,
      schema: { query: CatalogueQuery, response: Type.Array(CatalogueCourse) },
      async handler({ query, deps }) {
        const { items, total } = await catalogue(deps, query);
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/catalogue/:slug',
      summary: 'One published course by slug (public), with its outline: modules and published lesson titles',
      public: true,
      schema: { params: SlugParams, response: Type.Composite([CatalogueCourse, Type.Object({ modules: Type.Array(CatalogueModule) })]) },
      async handler({ params, deps }) {
        const course = await catalogueCourse(deps, params.slug);
        if (!course) throw new NotFoundError('Course not found');
        return toJson(course);
      },
    }),
  ];
}
