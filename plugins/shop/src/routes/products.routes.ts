import {
  actingUserId,
  type AnyRoute,
  commonErrors,
  type Json,
  likePattern,
  limitErrors,
  listPage,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  Reply,
  type TenantDb,
  toJson,
  Type,
  ValidationError,
  withStatus,
} from '@plinth/sdk';
import type { Builders, Deps } from '../deps.js';
import { shopPermissions as permissions } from '../permissions.js';
import { loadProduct, Product, productColumns, requireCategory, uniquely, variantsOf, type ProductView, type VariantView } from '../services/catalogue.js';
import { attachProductImage, deleteProductFiles, releaseProductImages, withImages, type WithImages } from '../services/images.js';
import { deleteProductRecord, productRecord } from '../services/audit.js';
import { productsLimit } from '../services/product-limit.js';
import { slugify } from '../services/slugs.js';
import { insertVariant } from '../services/variants.js';
import { checkCompareAt, IdParams, NewProduct, ProductPatch, ProductStatus } from './schemas.js';

const SORTS = { name: 'name', created_at: 'created_at', price: '(select min(price) from shop_variants v where v.product_id = shop_products.id)' } as const;
type SortKey = keyof typeof SORTS;

const ProductQuery = Type.Composite([
  PageQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(ProductStatus),
    category_id: Type.Optional(Type.String({ format: 'uuid' })),
    unit: Type.Optional(Type.String({ format: 'uuid', description: 'Products of this organisation unit and the units below it' })),
    sort: Type.Optional(Type.Union((Object.keys(SORTS) as SortKey[]).flatMap((key) => [Type.Literal(key), Type.Literal(`-${key}`)]))),
  }),
]);

/** Filters of a product list as SQL conditions (parameters only), shared by the admin and the storefront lists. */
export function productFilters(query: ProductFilters, values: unknown[]): string[] {
  const where: string[] = [];
  if (query.q) {
    values.push(likePattern(query.q));
    where.push(
      `(name ilike $${values.length} or description ilike $${values.length} or exists (select 1 from shop_variants v where v.product_id = shop_products.id and v.sku ilike $${values.length}))`,
    );
  }
  if (query.status) {
    values.push(query.status);
    where.push(`status = $${values.length}`);
  }
  if (query.category_id) {
    values.push(query.category_id);
    where.push(`category_id in (with recursive tree as (select id from shop_categories where id = $${values.length}
      union all select c.id from shop_categories c join tree on c.parent_id = tree.id) select id from tree)`);
  }
  if (query.unit_ids) {
    values.push(query.unit_ids);
    where.push(`unit_id = any($${values.length}::uuid[])`);
  }
  return where;
}

/** What a product list is filtered by; `unit_ids`: a unit and those below it (staff only). */
interface ProductFilters {
  q?: string;
  status?: string;
  category_id?: string;
  unit_ids?: readonly string[];
}

/** `name`, `-price`… as an ORDER BY list (whitelisted). */
export function productOrder(sort: string | undefined): string {
  const key = (sort ?? '-created_at').replace(/^-/, '') as SortKey;
  return `${SORTS[key]} ${sort?.startsWith('-') || !sort ? 'desc' : 'asc'} nulls last, id`;
}

/**
 * A page of products matching `query`, each with its variants: `columns` and `variants` say how much of them is
 * shown (the staff list shows everything, the storefront only public fields); `Row` is what `columns` select;
 * `present` turns the page's products into what the route answers (their images looked up).
 */
export async function productPage<Row extends { id: string }, Variant, Shown>(
  db: TenantDb,
  query: PageQuery & ProductFilters & { sort?: string },
  columns: string,
  variants: (db: TenantDb, productIds: readonly string[]) => Promise<Map<string, Variant[]>>,
  present: (products: (Row & { variants: Variant[] })[]) => Promise<Shown[]>,
): Promise<Reply<Json<Shown>[]>> {
  const values: unknown[] = [];
  const where = productFilters(query, values);
  const { items, total } = await listPage<Row>(db, { select: columns, from: 'shop_products', where, orderBy: productOrder(query.sort), values }, query);
  const byProduct = await variants(
    db,
    items.map((row) => row.id),
  );
  const shown = await present(items.map((row) => ({ ...row, variants: byProduct.get(row.id) ?? [] })));
  return Reply.list(
    shown.map((product) => toJson(product)),
    paginate(query, total),
  );
}

/** A product as staff see it: with its stored images' URLs. */
async function presentProduct(deps: Deps, tenantId: string, productId: string) {
  const [product] = await withImages(deps.files, tenantId, [await loadProduct(deps.db, productId)]);
  return toJson(product!);
}

/**
 * Sets a product's stored images (attached in order, checked), deleting those it no longer shows; their
 * alternative texts go with them.
 */
async function setProductImages(deps: Deps, productId: string, fileIds: readonly string[], previous: readonly string[]): Promise<void> {
  for (const [index, fileId] of fileIds.entries()) await attachProductImage(deps.files, fileId, productId, `image_file_ids.${index}`);
  await deps.db.query(
    `update shop_products set image_file_ids = $2::uuid[],
       image_alt = (select coalesce(jsonb_object_agg(key, value), '{}') from jsonb_each(image_alt) where key::uuid = any($2::uuid[]))
     where id = $1`,
    [productId, fileIds],
  );
  await releaseProductImages(deps, productId, previous);
}

/** The alternative texts worth keeping: non-empty, for images the product shows (others are dropped, not refused). */
function keptAlt(alt: Record<string, string>, fileIds: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(alt).flatMap(([id, text]) => (fileIds.includes(id) && text.trim() ? [[id, text.trim()]] : [])));
}

/**
 * Refuses a product's unit the shop cannot take (422 at `unit_id`): any unit while the shop's `units` setting is off,
 * or one the tenant does not have. A unit the caller does not reach is left to Row Level Security (403). A new product
 * of a unit-scoped staff member must name a unit: one without belongs to the whole tenant, beyond their reach.
 */
async function checkUnit(deps: Deps, ctx: { settings: { units: boolean }; units: { whole: boolean } }, unitId: string | null | undefined, creating: boolean) {
  if (unitId === null || unitId === undefined) {
    if (creating && ctx.settings.units && !ctx.units.whole) throw new ValidationError({ unit_id: ['choose one of your organisation units'] });
    return;
  }
  if (!ctx.settings.units) throw new ValidationError({ unit_id: ['this shop does not use organisation units'] });
  if (!(await deps.units.get(unitId))) throw new ValidationError({ unit_id: ['unknown organisation unit'] });
}

/** `/api/v1/shop/products`: the catalogue, for staff. */
export function productRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      readOnly: true,
      path: '/products',
      summary: 'List products (search `q` in name, description and SKU; filter by status, category and its subcategories; sort)',
      permission: permissions['products.view'],
      schema: { query: ProductQuery, response: Type.Array(Product) },
      async handler({ query, deps, ctx }) {
        const filters = query.unit ? { ...query, unit_ids: await deps.units.subtree(query.unit) } : query;
        return productPage<Omit<ProductView, 'variants'>, VariantView, WithImages<ProductView>>(deps.db, filters, productColumns, variantsOf, (products) =>
          withImages(deps.files, ctx.tenant.id, products),
        );
      },
    }),
    route({
      method: 'POST',
      path: '/products',
      summary: 'Create a product, optionally with its variants and stored images (`image_file_ids`: public images uploaded through /api/v1/files)',
      errors: [commonErrors.conflict, limitErrors.limit_reached],
      permission: permissions['products.manage'],
      schema: { body: NewProduct, response: withStatus(Product, 201) },
      async handler({ body, deps, ctx }) {
        await requireCategory(deps.db, body.category_id, 'category_id');
        await checkUnit(deps, ctx, body.unit_id, true);
        await deps.limits.ensure(productsLimit, 1);
        const slug = body.slug ?? slugify(body.name);
        const [row] = await uniquely(() =>
          deps.db.query<{ id: string }>(
            `insert into shop_products (name, slug, description, images, status, seo_title, seo_description, metadata, category_id, unit_id)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
            [
              body.name,
              slug || 'product',
              body.description ?? '',
              JSON.stringify(body.images ?? []),
              body.status ?? 'draft',
              body.seo_title ?? null,
              body.seo_description ?? null,
              JSON.stringify(body.metadata ?? {}),
              body.category_id ?? null,
              body.unit_id ?? null,
            ],
          ),
        );
        if (body.image_file_ids?.length) await setProductImages(deps, row!.id, body.image_file_ids, []);
        if (body.image_alt) {
          await deps.db.query('update shop_products set image_alt = $2 where id = $1', [row!.id, keptAlt(body.image_alt, body.image_file_ids ?? [])]);
        }
        const after = await productRecord(deps.db, row!.id);
        await deps.audit.record({ entity: 'product', verb: 'created', target: row!.id, unit: after!.unit_id, after });
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        for (const [index, variant] of (body.variants ?? []).entries()) {
          checkCompareAt(variant.price, variant.compare_at_price, `variants.${index}.`);
          await insertVariant(scope, { id: row!.id, unitId: after!.unit_id }, variant, actingUserId(ctx));
        }
        const product = await presentProduct(deps, ctx.tenant.id, row!.id);
        await deps.events.emit('shop.product.created', { productId: product.id, slug: product.slug, name: product.name });
        return Reply.created(product);
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/products/:id',
      summary: "A product with its variants and its stored images' URLs",
      permission: permissions['products.view'],
      schema: { params: IdParams, response: Product },
      async handler({ params, deps, ctx }) {
        return presentProduct(deps, ctx.tenant.id, params.id);
      },
    }),
    route({
      method: 'PATCH',
      path: '/products/:id',
      summary: 'Change a product (`image_file_ids` replaces the stored images: one left out is deleted)',
      errors: [commonErrors.conflict],
      permission: permissions['products.manage'],
      schema: { params: IdParams, body: ProductPatch, response: Product },
      async handler({ params, body, deps, ctx }) {
        const before = await productRecord(deps.db, params.id, true);
        if (!before) throw new NotFoundError('Product not found');
        await requireCategory(deps.db, body.category_id, 'category_id');
        if (body.unit_id !== undefined) await checkUnit(deps, ctx, body.unit_id, false);
        const columns = ['name', 'slug', 'description', 'images', 'status', 'seo_title', 'seo_description', 'metadata', 'category_id', 'unit_id'] as const;
        const sets: string[] = [];
        const values: unknown[] = [params.id];
        for (const column of columns) {
          const value = body[column];
          if (value === undefined) continue;
          values.push(column === 'images' || column === 'metadata' ? JSON.stringify(value) : value);
          sets.push(`${column} = $${values.length}`);
        }
        if (sets.length) await uniquely(() => deps.db.query(`update shop_products set ${sets.join(', ')}, updated_at = now() where id = $1`, values));
        if (body.image_file_ids) await setProductImages(deps, params.id, body.image_file_ids, before.image_file_ids);
        if (body.image_alt) {
          const alt = keptAlt(body.image_alt, body.image_file_ids ?? before.image_file_ids);
          await deps.db.query('update shop_products set image_alt = $2 where id = $1', [params.id, alt]);
        }
        if (!sets.length && (body.image_file_ids || body.image_alt)) {
          await deps.db.query('update shop_products set updated_at = now() where id = $1', [params.id]);
        }
        const after = await productRecord(deps.db, params.id);
        await deps.audit.record({ entity: 'product', verb: 'updated', target: params.id, unit: after!.unit_id, before, after });
        const product = await presentProduct(deps, ctx.tenant.id, params.id);
        await deps.events.emit('shop.product.updated', { productId: product.id, slug: product.slug, name: product.name });
        return product;
      },
    }),
    route({
      method: 'DELETE',
      path: '/products/:id',
      summary: 'Delete a product, its variants and its stored images (orders keep their lines); archive it instead to keep it',
      permission: permissions['products.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const row = await deleteProductRecord(deps.db, params.id);
        if (!row) throw new NotFoundError('Product not found');
        await deps.audit.record({ entity: 'product', verb: 'deleted', target: row.id, unit: row.unit_id, before: row });
        await deleteProductFiles(deps.files, row.id);
        await deps.events.emit('shop.product.deleted', { productId: row.id, slug: row.slug, name: row.name });
        return Reply.noContent();
      },
    }),
  ];
}
