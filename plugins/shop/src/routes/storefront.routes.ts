import { listPage, type AnyRoute, NotFoundError, Nullable, PageQuery, paginate, type PluginFiles, Reply, type Static, type TenantDb, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { ProductImage, withImages } from '../services/images.js';
import { productPage } from './products.routes.js';

/** What the public may see of a product: no metadata, no stock counts, no sync keys. */
const publicProductColumns = 'id, name, slug, description, images, image_file_ids, seo_title, seo_description, category_id';
const PublicVariant = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  name: Type.String(),
  price: Type.Integer(),
  compare_at_price: Nullable(Type.Integer()),
  attributes: Type.Record(Type.String(), Type.String()),
  in_stock: Type.Boolean(),
  image: Nullable(ProductImage),
});
type PublicVariantRow = Omit<Static<typeof PublicVariant>, 'image'> & { image_file_id: string | null };
const PublicProduct = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  images: Type.Array(Type.String(), { description: 'External image URLs' }),
  image_files: Type.Array(ProductImage, { description: 'Stored images with their public URLs, in display order' }),
  seo_title: Nullable(Type.String()),
  seo_description: Nullable(Type.String()),
  category_id: Nullable(Type.String({ format: 'uuid' })),
  variants: Type.Array(PublicVariant),
});
type PublicProductRow = Omit<Static<typeof PublicProduct>, 'variants' | 'image_files'> & { image_file_ids: string[] };
const PublicCategory = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  parent_id: Nullable(Type.String({ format: 'uuid' })),
  position: Type.Integer(),
});
const StoreQuery = Type.Composite([
  PageQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200 })),
    category_id: Type.Optional(Type.String({ format: 'uuid' })),
    sort: Type.Optional(Type.Union(['name', '-name', 'price', '-price', 'created_at', '-created_at'].map((sort) => Type.Literal(sort)))),
  }),
]);

async function publicVariants(db: TenantDb, productIds: readonly string[]) {
  const grouped = new Map<string, PublicVariantRow[]>(productIds.map((id) => [id, []]));
  if (!productIds.length) return grouped;
  const rows = await db.query<PublicVariantRow & { product_id: string }>(
    `select id, product_id, sku, name, price, compare_at_price, attributes, stock > 0 as in_stock, image_file_id
       from shop_variants where product_id = any($1::uuid[]) order by position, created_at, sku`,
    [productIds],
  );
  for (const { product_id: productId, ...variant } of rows) grouped.get(productId)?.push(variant);
  return grouped;
}

/** Public products with their stored images' URLs, without the file ids (the URLs are what a storefront needs). */
async function presentPublic(files: PluginFiles, tenantId: string, products: (PublicProductRow & { variants: PublicVariantRow[] })[]) {
  return (await withImages(files, tenantId, products)).map(({ image_file_ids: _ids, variants, ...product }) => ({
    ...product,
    variants: variants.map(({ image_file_id: _id, ...variant }) => variant),
  }));
}

/**
 * `/api/v1/shop/store/…`: the public, read-only catalogue of the tenant's active products (tenant from `X-Tenant` or
 * the host; rate-limited by the tenant's quota).
 */
export function storefrontRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/store/products',
      summary: 'Public: active products with their variants (price, in stock or not)',
      public: true,
      schema: { query: StoreQuery, response: Type.Array(PublicProduct) },
      async handler({ query, deps, ctx }) {
        return productPage(
          deps.db,
          { ...query, status: 'active' },
          publicProductColumns,
          publicVariants,
          (products: (PublicProductRow & { variants: PublicVariantRow[] })[]) => presentPublic(deps.files, ctx.tenant.id, products),
        );
      },
    }),
    route({
      method: 'GET',
      path: '/store/products/:slug',
      summary: 'Public: one active product by slug',
      public: true,
      schema: { params: Type.Object({ slug: Type.String({ maxLength: 80 }) }), response: PublicProduct },
      async handler({ params, deps, ctx }) {
        const [product] = await deps.db.query<PublicProductRow>(`select ${publicProductColumns} from shop_products where slug = $1 and status = 'active'`, [
          params.slug,
        ]);
        if (!product) throw new NotFoundError('Product not found');
        const [shown] = await presentPublic(deps.files, ctx.tenant.id, [
          { ...product, variants: (await publicVariants(deps.db, [product.id])).get(product.id) ?? [] },
        ]);
        return shown!;
      },
    }),
    route({
      method: 'GET',
      path: '/store/categories',
      summary: 'Public: the category tree (flat, with parent_id)',
      public: true,
      schema: { query: PageQuery, response: Type.Array(PublicCategory) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<Static<typeof PublicCategory>>(
          deps.db,
          { select: 'id, name, slug, parent_id, position', from: 'shop_categories', orderBy: 'position, name, id' },
          query,
        );
        return Reply.list(items, paginate(query, total));
      },
    }),
  ];
}
