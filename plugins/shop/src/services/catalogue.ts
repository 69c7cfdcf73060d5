import {
  ConflictError,
  isUniqueViolation,
  NotFoundError,
  Nullable,
  type Static,
  type Stored,
  type TenantDb,
  Timestamp,
  Type,
  ValidationError,
} from '@plinth/sdk';
import { ProductStatus } from '../routes/schemas.js';
import { ProductImage } from './images.js';

/** A variant as the API shows it (to staff). */
export const Variant = Type.Object({
  id: Type.String({ format: 'uuid' }),
  product_id: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  name: Type.String(),
  price: Type.Integer(),
  compare_at_price: Nullable(Type.Integer()),
  attributes: Type.Record(Type.String(), Type.String()),
  stock: Type.Integer(),
  weight_grams: Nullable(Type.Integer()),
  image_file_id: Nullable(Type.String({ format: 'uuid' })),
  image: Nullable(ProductImage),
});
/** A variant's row (its image not yet looked up). */
export type VariantView = Omit<Static<typeof Variant>, 'image'>;

/** A product as the admin API shows it. */
export const Product = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  images: Type.Array(Type.String(), { description: 'External image URLs' }),
  image_file_ids: Type.Array(Type.String({ format: 'uuid' }), { description: 'Stored images, in display order' }),
  image_files: Type.Array(ProductImage, { description: 'The stored images with their public URLs, in display order' }),
  image_alt: Type.Record(Type.String(), Type.String(), { description: 'Alternative text per stored image (file id → text)' }),
  status: ProductStatus,
  seo_title: Nullable(Type.String()),
  seo_description: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  category_id: Nullable(Type.String({ format: 'uuid' })),
  unit_id: Nullable(Type.String({ format: 'uuid', description: 'The organisation unit the product belongs to (null: the whole tenant)' })),
  source: Nullable(Type.String({ description: 'The system a synced product comes from' })),
  external_id: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  variants: Type.Array(Variant),
});
/** A product's row with its variants' rows (images not yet looked up). */
export type ProductView = Stored<Omit<Static<typeof Product>, 'image_files' | 'variants'>, 'created_at' | 'updated_at'> & { variants: VariantView[] };

export const productColumns =
  'id, name, slug, description, images, image_file_ids, image_alt, status, seo_title, seo_description, metadata, category_id, unit_id, source, external_id, created_at, updated_at';
export const variantColumns = 'id, product_id, sku, name, price, compare_at_price, attributes, stock, weight_grams, image_file_id';

/** The variants of `productIds`, grouped by product. */
export async function variantsOf(db: TenantDb, productIds: readonly string[]): Promise<Map<string, VariantView[]>> {
  const grouped = new Map<string, VariantView[]>(productIds.map((id) => [id, []]));
  if (!productIds.length) return grouped;
  const rows = await db.query<VariantView>(
    `select ${variantColumns} from shop_variants where product_id = any($1::uuid[]) order by position, created_at, sku`,
    [productIds],
  );
  for (const row of rows) grouped.get(row.product_id)?.push(row);
  return grouped;
}

/**
 * One variant with its product's unit, or undefined when it is missing or its product is outside the caller's units:
 * variants have no unit of their own, and reaching them through their product lets Row Level Security on
 * `shop_products` decide for them too. `lock` holds the variant's row for the rest of the transaction.
 */
export async function variantRecord(db: TenantDb, id: string, lock = false): Promise<(VariantView & { unit_id: string | null }) | undefined> {
  const columns = variantColumns
    .split(', ')
    .map((column) => `v.${column}`)
    .join(', ');
  return db.one(
    `select ${columns}, p.unit_id from shop_variants v join shop_products p on p.id = v.product_id where v.id = $1${lock ? ' for update of v' : ''}`,
    [id],
  );
}

/** A JSON column with the variants of product `p` (alias of `shop_products`), in the order `variantsOf` gives. */
const variantsColumn = `(select coalesce(json_agg(json_build_object(${variantColumns
  .split(', ')
  .map((column) => `'${column}', v.${column}`)
  .join(', ')}) order by v.position, v.created_at, v.sku), '[]') from shop_variants v where v.product_id = p.id) as variants`;

/** One product with its variants (one statement); 404 when missing (or another tenant's). */
export async function loadProduct(db: TenantDb, id: string): Promise<ProductView> {
  const product = await db.one<ProductView>(`select ${productColumns}, ${variantsColumn} from shop_products p where p.id = $1`, [id]);
  if (!product) throw new NotFoundError('Product not found');
  return product;
}

/**
 * Checks a category id names a category of this tenant. Foreign keys do not see Row Level Security, so another
 * tenant's id would pass the constraint: the check must be a query.
 */
export async function requireCategory(db: TenantDb, id: string | null | undefined, field: string): Promise<void> {
  if (!id) return;
  const [row] = await db.query('select 1 from shop_categories where id = $1', [id]);
  if (!row) throw new ValidationError({ [field]: ['unknown category'] });
}

/** Runs a write, turning unique violations into `409 conflict` naming the field. */
export async function uniquely<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) {
      const constraint = (error as { constraint?: string }).constraint ?? '';
      const field = constraint.includes('sku') ? 'sku' : 'slug';
      throw new ConflictError(`That ${field} is already taken`, { errors: { [field]: ['is already taken'] } });
    }
    throw error;
  }
}
