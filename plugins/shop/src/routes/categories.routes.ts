import {
  type AnyRoute,
  commonErrors,
  likePattern,
  listPage,
  NoContent,
  NotFoundError,
  Nullable,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type Stored,
  type TenantDb,
  Timestamp,
  toJson,
  Type,
  ValidationError,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopPermissions as permissions } from '../permissions.js';
import { requireCategory, uniquely } from '../services/catalogue.js';
import { slugify } from '../services/slugs.js';
import { tenantWide } from '../services/tenant-wide.js';
import { CategoryPatch, IdParams, NewCategory } from './schemas.js';

const Category = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  parent_id: Nullable(Type.String({ format: 'uuid' })),
  position: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
type CategoryRow = Stored<Static<typeof Category>, 'created_at' | 'updated_at'>;
const categoryColumns = 'id, name, slug, parent_id, position, created_at, updated_at';
/** The fields of a category its audit entries compare. */
function categoryRecord(row: CategoryRow) {
  return { name: row.name, slug: row.slug, parent_id: row.parent_id, position: row.position };
}
/** A page of categories; `q` finds them by name (the category picker of product forms searches with it). */
const CategoryQuery = Type.Composite([
  PageQuery,
  Type.Object({ q: Type.Optional(Type.String({ maxLength: 200, title: 'Search', description: 'Name contains' })) }),
]);

/** Refuses a parent that is the category itself or one of its descendants (a cycle). */
async function refuseCycle(db: TenantDb, id: string, parentId: string | null | undefined): Promise<void> {
  if (!parentId) return;
  const [cycle] = await db.query(
    `with recursive tree as (select id from shop_categories where id = $1 union all select c.id from shop_categories c join tree on c.parent_id = tree.id)
       select 1 from tree where id = $2`,
    [id, parentId],
  );
  if (cycle) throw new ValidationError({ parent_id: ['cannot be the category itself or one of its subcategories'] });
}

/**
 * `/api/v1/shop/categories`: nested categories. The tree is the whole shop's (products of every unit use it): staff
 * whose role applies to organisation units only may read it, not change it.
 */
export function categoryRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/categories',
      summary: 'List categories (flat, with parent_id; by position then name; q: name contains)',
      permission: permissions['products.view'],
      schema: { query: CategoryQuery, response: Type.Array(Category) },
      async handler({ query, deps }) {
        const values: unknown[] = [];
        const where = query.q ? [`name ilike $${values.push(likePattern(query.q))}`] : [];
        const { items, total } = await listPage<CategoryRow>(
          deps.db,
          { select: categoryColumns, from: 'shop_categories', where, orderBy: 'position, name, id', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    tenantWide(
      route({
        method: 'POST',
        path: '/categories',
        summary: 'Create a category, optionally under a parent',
        errors: [commonErrors.conflict],
        permission: permissions['products.manage'],
        schema: { body: NewCategory, response: withStatus(Category, 201) },
        async handler({ body, deps }) {
          await requireCategory(deps.db, body.parent_id, 'parent_id');
          const [row] = await uniquely(() =>
            deps.db.query<CategoryRow>(`insert into shop_categories (name, slug, parent_id, position) values ($1, $2, $3, $4) returning ${categoryColumns}`, [
              body.name,
              body.slug ?? (slugify(body.name) || 'category'),
              body.parent_id ?? null,
              body.position ?? 0,
            ]),
          );
          await deps.audit.record({ entity: 'category', verb: 'created', target: row!.id, after: categoryRecord(row!) });
          return Reply.created(toJson(row!));
        },
      }),
    ),
    route({
      method: 'GET',
      path: '/categories/:id',
      summary: 'A category',
      permission: permissions['products.view'],
      schema: { params: IdParams, response: Category },
      async handler({ params, deps }) {
        const [row] = await deps.db.query<CategoryRow>(`select ${categoryColumns} from shop_categories where id = $1`, [params.id]);
        if (!row) throw new NotFoundError('Category not found');
        return toJson(row);
      },
    }),
    tenantWide(
      route({
        method: 'PATCH',
        path: '/categories/:id',
        summary: 'Change a category (moving it under one of its own subcategories is refused)',
        errors: [commonErrors.conflict],
        permission: permissions['products.manage'],
        schema: { params: IdParams, body: CategoryPatch, response: Category },
        async handler({ params, body, deps }) {
          const [before] = await deps.db.query<CategoryRow>(`select ${categoryColumns} from shop_categories where id = $1 for update`, [params.id]);
          if (!before) throw new NotFoundError('Category not found');
          await requireCategory(deps.db, body.parent_id, 'parent_id');
          await refuseCycle(deps.db, params.id, body.parent_id);
          const sets: string[] = [];
          const values: unknown[] = [params.id];
          for (const column of ['name', 'slug', 'parent_id', 'position'] as const) {
            if (body[column] === undefined) continue;
            values.push(body[column]);
            sets.push(`${column} = $${values.length}`);
          }
          const [row] = await uniquely(() =>
            deps.db.query<CategoryRow>(
              `update shop_categories set ${[...sets, 'updated_at = now()'].join(', ')} where id = $1 returning ${categoryColumns}`,
              values,
            ),
          );
          await deps.audit.record({ entity: 'category', verb: 'updated', target: params.id, before: categoryRecord(before), after: categoryRecord(row!) });
          return toJson(row!);
        },
      }),
    ),
    tenantWide(
      route({
        method: 'DELETE',
        path: '/categories/:id',
        summary: 'Delete a category (its products and subcategories lose it)',
        permission: permissions['products.manage'],
        schema: { params: IdParams, response: NoContent },
        async handler({ params, deps }) {
          const [row] = await deps.db.query<CategoryRow>(`delete from shop_categories where id = $1 returning ${categoryColumns}`, [params.id]);
          if (!row) throw new NotFoundError('Category not found');
          await deps.audit.record({ entity: 'category', verb: 'deleted', target: params.id, before: categoryRecord(row) });
          return Reply.noContent();
        },
      }),
    ),
  ];
}
