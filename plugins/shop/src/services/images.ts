import { NotFoundError, Nullable, type PluginFile, type PluginFiles, type Static, type TenantDb, Type, ValidationError } from '@plinth/sdk';

/** What a product or variant image may be: what browsers render and core's variants job reads; never SVG (it can run script). */
export const productImageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'] as const;

/** The largest image the console lets through for a product (the API's own upload limit applies too). */
export const maxProductImageBytes = 10 * 1024 * 1024;

/** A stored image as the API shows it: same-origin URLs a storefront can put in `<img src>`, no credentials needed. */
export const ProductImage = Type.Object({
  file_id: Type.String({ format: 'uuid' }),
  url: Type.String({ description: 'The original, served by core (`/api/v1/files/public/<tenant>/<file>`)' }),
  thumb_url: Type.String({ description: 'The thumbnail once made (a job shortly after upload), else the original' }),
  medium_url: Type.String({ description: 'The medium size once made, else the original' }),
  content_type: Type.String(),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
});
export type ProductImageView = Static<typeof ProductImage>;

/**
 * Attaches an uploaded file to a product as one of its images (the file becomes the shop's and is kept while the
 * product uses it), refusing with a field error what a storefront cannot show: no such file in this tenant, a file
 * of another product, not a raster image, not public. Runs in the request's transaction: a refusal undoes the attach.
 */
export async function attachProductImage(files: PluginFiles, fileId: string, productId: string, field: string): Promise<PluginFile> {
  const own = await files.get(fileId);
  if (own && own.ownerId !== null && own.ownerId !== productId) throw new ValidationError({ [field]: ['is an image of another product'] });
  let file: PluginFile;
  try {
    file = await files.attach(fileId, productId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ValidationError({ [field]: ['is not a file uploaded to this workspace'] });
    throw error;
  }
  if (!(productImageTypes as readonly string[]).includes(file.contentType)) {
    throw new ValidationError({ [field]: [`must be a PNG, JPEG, GIF, WebP or AVIF image (this file is ${file.contentType})`] });
  }
  if (file.visibility !== 'public') throw new ValidationError({ [field]: ['must be a public file (upload it with visibility=public)'] });
  return file;
}

/**
 * Deletes the stored images of a product that neither it nor any of its variants shows any more. A removed image is
 * deleted, not kept detached: it was uploaded for this product, and a file nothing shows would only use quota.
 */
export async function releaseProductImages(deps: { db: TenantDb; files: PluginFiles }, productId: string, candidates: Iterable<string | null>): Promise<void> {
  const ids = [...new Set([...candidates].filter((id): id is string => id !== null))];
  if (ids.length === 0) return;
  const used = await deps.db.query<{ id: string }>(
    `select unnest(image_file_ids) as id from shop_products where id = $1
     union select image_file_id from shop_variants where product_id = $1 and image_file_id is not null`,
    [productId],
  );
  const kept = new Set(used.map((row) => row.id));
  for (const id of ids) if (!kept.has(id)) await deps.files.delete(id);
}

/** Deletes every stored file of a product (it is being deleted). */
export async function deleteProductFiles(files: PluginFiles, productId: string): Promise<void> {
  for (;;) {
    const { items } = await files.list({ ownerId: productId, perPage: 100 });
    if (items.length === 0) return;
    for (const file of items) await files.delete(file.id);
  }
}

/** The public URL of a stored image (of `variant` once the variants job made it, else of the original). */
function publicUrl(tenantId: string, file: PluginFile, variant?: 'thumb' | 'medium'): string {
  const base = `/api/v1/files/public/${tenantId}/${file.id}`;
  return variant && file.variants.includes(variant) ? `${base}?variant=${variant}` : base;
}

function imageView(tenantId: string, file: PluginFile): ProductImageView {
  return {
    file_id: file.id,
    url: publicUrl(tenantId, file),
    thumb_url: publicUrl(tenantId, file, 'thumb'),
    medium_url: publicUrl(tenantId, file, 'medium'),
    content_type: file.contentType,
    width: file.width,
    height: file.height,
  };
}

/** What {@link withImages} needs of a product and its variants (staff or public view). */
interface WithImageIds {
  id: string;
  image_file_ids: string[];
  variants: { image_file_id: string | null }[];
}

/** A product with its stored images shown (`image_files`, each variant's `image`). */
export type WithImages<P extends WithImageIds> = Omit<P, 'variants'> & {
  image_files: ProductImageView[];
  variants: (P['variants'][number] & { image: ProductImageView | null })[];
};

/**
 * Adds the image views to products: one listing of the shop's files per product that has stored images (two
 * statements), none for the others. An id whose file is gone (deleted elsewhere) is left out.
 */
export async function withImages<P extends WithImageIds>(files: PluginFiles, tenantId: string, products: readonly P[]): Promise<WithImages<P>[]> {
  const found = new Map<string, ProductImageView>();
  for (const product of products) {
    if (product.image_file_ids.length === 0 && product.variants.every((variant) => variant.image_file_id === null)) continue;
    for (let page = 1; ; page++) {
      const { items, total } = await files.list({ ownerId: product.id, page, perPage: 100 });
      for (const file of items) found.set(file.id, imageView(tenantId, file));
      if (page * 100 >= total) break;
    }
  }
  return products.map((product) => ({
    ...product,
    image_files: product.image_file_ids.flatMap((id) => found.get(id) ?? []),
    variants: product.variants.map((variant) => ({ ...variant, image: (variant.image_file_id && found.get(variant.image_file_id)) || null })),
  }));
}

/** One variant with its stored image shown. */
export async function variantWithImage<V extends { image_file_id: string | null }>(
  files: PluginFiles,
  tenantId: string,
  variant: V,
): Promise<V & { image: ProductImageView | null }> {
  const file = variant.image_file_id ? await files.get(variant.image_file_id) : undefined;
  return { ...variant, image: file ? imageView(tenantId, file) : null };
}
