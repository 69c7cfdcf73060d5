import type { Static } from '@plinth/sdk';
import type { Scope } from '../deps.js';
import type { NewVariant } from '../routes/schemas.js';
import { uniquely, variantColumns, type VariantView } from './catalogue.js';
import { attachProductImage } from './images.js';
import { adjustStock } from './inventory.js';

/**
 * Adds a variant to a product (checked to be the tenant's); opening stock goes through the ledger; its stored image
 * (`image_file_id`) is attached to the product. Recorded in the audit log under the product's unit (`unitId`).
 */
export async function insertVariant(
  scope: Scope,
  product: { id: string; unitId: string | null },
  input: Static<typeof NewVariant>,
  actorId: string | null,
): Promise<VariantView> {
  const productId = product.id;
  if (input.image_file_id) await attachProductImage(scope.deps.files, input.image_file_id, productId, 'image_file_id');
  const [row] = await uniquely(() =>
    scope.deps.db.query<VariantView>(
      `insert into shop_variants (product_id, sku, name, price, compare_at_price, attributes, weight_grams, image_file_id, position)
         values ($1, $2, $3, $4, $5, $6, $7, $8, (select coalesce(max(position) + 1, 0) from shop_variants where product_id = $1)) returning ${variantColumns}`,
      [
        productId,
        input.sku,
        input.name ?? '',
        input.price,
        input.compare_at_price ?? null,
        JSON.stringify(input.attributes ?? {}),
        input.weight_grams ?? null,
        input.image_file_id ?? null,
      ],
    ),
  );
  if (input.stock) row!.stock = (await adjustStock(scope, row!.id, input.stock, { reason: 'restocked', note: 'Opening stock', actorId }))!;
  await scope.deps.audit.record({ entity: 'variant', verb: 'created', target: row!.id, unit: product.unitId, after: { ...row! } });
  return row!;
}
