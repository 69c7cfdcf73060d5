import {
  actingUserId,
  type AnyRoute,
  commonErrors,
  listPage,
  NoContent,
  NotFoundError,
  Nullable,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type Stored,
  Timestamp,
  toJson,
  Type,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopErrors } from '../errors.js';
import { shopPermissions as permissions } from '../permissions.js';
import { loadProduct, uniquely, Variant, variantColumns, type VariantView } from '../services/catalogue.js';
import { attachProductImage, releaseProductImages, variantWithImage } from '../services/images.js';
import { adjustStock } from '../services/inventory.js';
import { insertVariant } from '../services/variants.js';
import { checkCompareAt, IdParams, NewVariant, VariantPatch } from './schemas.js';

const StockAdjustment = Type.Object(
  {
    delta: Type.Integer({
      minimum: -10_000_000,
      maximum: 10_000_000,
      not: { const: 0 },
      title: 'Change',
      description: 'Units added (positive) or removed (negative)',
    }),
    reason: Type.Optional(Type.Union([Type.Literal('adjusted'), Type.Literal('restocked')], { title: 'Reason' })),
    note: Type.Optional(Type.String({ maxLength: 500, title: 'Note' })),
  },
  { additionalProperties: false },
);

const Movement = Type.Object({
  id: Type.String({ format: 'uuid' }),
  quantity: Type.Integer({ description: 'Units in (+) or out (−)' }),
  reason: Type.Union(['reserved', 'released', 'sold', 'unreserved', 'restocked', 'adjusted', 'imported'].map((reason) => Type.Literal(reason))),
  order_id: Nullable(Type.String({ format: 'uuid' })),
  note: Nullable(Type.String()),
  actor_id: Nullable(Type.String({ format: 'uuid' })),
  created_at: Timestamp,
});
type MovementRow = Stored<Static<typeof Movement>, 'created_at'>;

/** `/api/v1/shop/products/:id/variants`, `/variants/:id` and the stock ledger. */
export function variantRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/products/:id/variants',
      summary: 'Add a variant (SKU unique in the tenant; opening stock is a ledger entry; `image_file_id`: a stored public image)',
      errors: [commonErrors.conflict],
      permission: permissions['products.manage'],
      schema: { params: IdParams, body: NewVariant, response: withStatus(Variant, 201) },
      async handler({ params, body, deps, ctx }) {
        await loadProduct(deps.db, params.id);
        checkCompareAt(body.price, body.compare_at_price);
        const variant = await insertVariant({ deps, settings: ctx.settings, tenant: ctx.tenant }, params.id, body, actingUserId(ctx));
        return Reply.created(await variantWithImage(deps.files, ctx.tenant.id, variant));
      },
    }),
    route({
      method: 'GET',
      path: '/variants/:id',
      summary: "A variant with its stock and its stored image's URLs",
      permission: permissions['products.view'],
      schema: { params: IdParams, response: Variant },
      async handler({ params, deps, ctx }) {
        const [row] = await deps.db.query<VariantView>(`select ${variantColumns} from shop_variants where id = $1`, [params.id]);
        if (!row) throw new NotFoundError('Variant not found');
        return variantWithImage(deps.files, ctx.tenant.id, row);
      },
    }),
    route({
      method: 'PATCH',
      path: '/variants/:id',
      summary: 'Change a variant (stock changes go through /variants/:id/stock; a replaced or removed stored image is deleted)',
      errors: [commonErrors.conflict],
      permission: permissions['products.manage'],
      schema: { params: IdParams, body: VariantPatch, response: Variant },
      async handler({ params, body, deps, ctx }) {
        const current = await deps.db.one<{ product_id: string; image_file_id: string | null; price: number; compare_at_price: number | null }>(
          'select product_id, image_file_id, price, compare_at_price from shop_variants where id = $1 for update',
          [params.id],
        );
        if (!current) throw new NotFoundError('Variant not found');
        checkCompareAt(body.price ?? current.price, body.compare_at_price === undefined ? current.compare_at_price : body.compare_at_price);
        if (body.image_file_id) await attachProductImage(deps.files, body.image_file_id, current.product_id, 'image_file_id');
        const sets: string[] = [];
        const values: unknown[] = [params.id];
        for (const column of ['sku', 'name', 'price', 'compare_at_price', 'attributes', 'weight_grams', 'image_file_id'] as const) {
          if (body[column] === undefined) continue;
          values.push(column === 'attributes' ? JSON.stringify(body[column]) : body[column]);
          sets.push(`${column} = $${values.length}`);
        }
        const [row] = await uniquely(() =>
          deps.db.query<VariantView>(
            `update shop_variants set ${[...sets, 'updated_at = now()'].join(', ')} where id = $1 returning ${variantColumns}`,
            values,
          ),
        );
        if (!row) throw new NotFoundError('Variant not found');
        if (body.image_file_id !== undefined) await releaseProductImages(deps, current.product_id, [current.image_file_id]);
        return variantWithImage(deps.files, ctx.tenant.id, row);
      },
    }),
    route({
      method: 'DELETE',
      path: '/variants/:id',
      summary: 'Delete a variant (orders keep their lines; its stored image goes unless the product shows it)',
      permission: permissions['products.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const [row] = await deps.db.query<{ product_id: string; image_file_id: string | null }>(
          'delete from shop_variants where id = $1 returning product_id, image_file_id',
          [params.id],
        );
        if (!row) throw new NotFoundError('Variant not found');
        await releaseProductImages(deps, row.product_id, [row.image_file_id]);
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/variants/:id/stock',
      summary: 'Adjust stock by a delta (a count, a delivery); never below zero (409 out_of_stock)',
      errors: [shopErrors.out_of_stock],
      permission: permissions['products.manage'],
      schema: { params: IdParams, body: StockAdjustment, response: Type.Object({ variant_id: Type.String({ format: 'uuid' }), stock: Type.Integer() }) },
      async handler({ params, body, deps, ctx }) {
        const stock = await adjustStock({ deps, settings: ctx.settings, tenant: ctx.tenant }, params.id, body.delta, {
          reason: body.reason ?? 'adjusted',
          note: body.note ?? null,
          actorId: actingUserId(ctx),
        });
        if (stock === undefined) throw new NotFoundError('Variant not found');
        return { variant_id: params.id, stock };
      },
    }),
    route({
      method: 'GET',
      path: '/variants/:id/movements',
      summary: "A variant's stock ledger, newest first",
      permission: permissions['products.view'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Movement) },
      async handler({ params, query, deps }) {
        const [variant] = await deps.db.query('select id from shop_variants where id = $1', [params.id]);
        if (!variant) throw new NotFoundError('Variant not found');
        const { items, total } = await listPage<MovementRow>(
          deps.db,
          {
            select: 'id, quantity, reason, order_id, note, actor_id, created_at',
            from: 'shop_stock_movements',
            where: 'variant_id = $1',
            orderBy: 'created_at desc, id desc',
            values: [params.id],
          },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
  ];
}
