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
  type TenantDb,
  Timestamp,
  toJson,
  Type,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopErrors } from '../errors.js';
import { shopPermissions as permissions } from '../permissions.js';
import { productRecord } from '../services/audit.js';
import { uniquely, Variant, variantColumns, variantRecord, type VariantView } from '../services/catalogue.js';
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

/** The variant (through its product: 404 outside the caller's units, see {@link variantRecord}), or 404. */
async function variantOrNotFound(db: TenantDb, id: string, lock = false) {
  const variant = await variantRecord(db, id, lock);
  if (!variant) throw new NotFoundError('Variant not found');
  return variant;
}

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
        const product = await productRecord(deps.db, params.id);
        if (!product) throw new NotFoundError('Product not found');
        checkCompareAt(body.price, body.compare_at_price);
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        const variant = await insertVariant(scope, { id: product.id, unitId: product.unit_id }, body, actingUserId(ctx));
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
        const { unit_id: _unit, ...row } = await variantOrNotFound(deps.db, params.id);
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
        const { unit_id: unit, ...current } = await variantOrNotFound(deps.db, params.id, true);
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
        await deps.audit.record({ entity: 'variant', verb: 'updated', target: params.id, unit, before: current, after: row });
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
        const { unit_id: unit, ...row } = await variantOrNotFound(deps.db, params.id, true);
        await deps.db.query('delete from shop_variants where id = $1', [params.id]);
        await deps.audit.record({ entity: 'variant', verb: 'deleted', target: params.id, unit, before: row });
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
        const variant = await variantOrNotFound(deps.db, params.id, true);
        const reason = body.reason ?? 'adjusted';
        const note = body.note ?? null;
        const stock = await adjustStock({ deps, settings: ctx.settings, tenant: ctx.tenant }, params.id, body.delta, {
          reason,
          note,
          actorId: actingUserId(ctx),
        });
        if (stock === undefined) throw new NotFoundError('Variant not found');
        await deps.audit.record({
          entity: 'variant',
          verb: 'stock_adjusted',
          target: params.id,
          unit: variant.unit_id,
          before: { stock: variant.stock },
          after: { stock },
          data: { sku: variant.sku, delta: body.delta, reason, note },
        });
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
        await variantOrNotFound(deps.db, params.id);
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
