import { ConflictError, NotFoundError, ValidationError, type TenantDb } from '@plinth/sdk';
import { isUniqueViolation } from './errors.js';

/** A variant as the API shows it. */
export interface VariantView {
  id: string;
  product_id: string;
  sku: string;
  name: string;
  price: number;
  compare_at_price: number | null;
  attributes: Record<string, string>;
  stock: number;
  weight_grams: number | null;
}

/** A product as the admin API shows it. */
export interface ProductView {
  id: string;
  name: string;
  slug: string;
  description: string;
  images: string[];
  status: string;
  seo_title: string | null;
  seo_description: string | null;
  metadata: Record<string, unknown>;
  category_id: string | null;
  source: string | null;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  variants: VariantView[];
}

export const PRODUCT_COLUMNS =
  'id, name, slug, description, images, status, seo_title, seo_description, metadata, category_id, source, external_id, created_at, updated_at';
export const VARIANT_COLUMNS = 'id, product_id, sku, name, price, compare_at_price, attributes, stock, weight_grams';

/** The variants of `productIds`, grouped by product. */
export async function variantsOf(db: TenantDb, productIds: readonly string[]): Promise<Map<string, VariantView[]>> {
  const grouped = new Map<string, VariantView[]>(productIds.map((id) => [id, []]));
  if (!productIds.length) return grouped;
  const rows = await db.query<VariantView>(
    `select ${VARIANT_COLUMNS} from shop_variants where product_id = any($1::uuid[]) order by position, created_at, sku`,
    [productIds],
  );
  for (const row of rows) grouped.get(row.product_id)?.push(row);
  return grouped;
}

/** One product with its variants; 404 when missing (or another tenant's). */
export async function loadProduct(db: TenantDb, id: string): Promise<ProductView> {
  const [product] = await db.query<Omit<ProductView, 'variants'>>(`select ${PRODUCT_COLUMNS} from shop_products where id = $1`, [id]);
  if (!product) throw new NotFoundError('Product not found');
  return { ...product, variants: (await variantsOf(db, [id])).get(id) ?? [] };
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
