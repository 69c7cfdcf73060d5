import type { Scope } from '../deps.js';
import { outOfStock } from '../errors.js';
import { shopPermissions } from '../permissions.js';

/** Why stock moved: the ledger's `reason`. */
export type MovementReason = 'reserved' | 'released' | 'sold' | 'unreserved' | 'restocked' | 'adjusted' | 'imported';

/** One variant and how many units to move. */
export interface StockLine {
  variantId: string;
  quantity: number;
}

interface MoveOptions {
  orderId?: string | null;
  note?: string | null;
  actorId?: string | null;
}

/**
 * Takes `lines` out of stock for an order, atomically per variant (`… where stock >= $1`, never check-then-write):
 * of two checkouts racing for the last unit exactly one wins; the other gets `409 out_of_stock` and, since the
 * request's transaction rolls back, holds nothing. Variants are locked in id order so concurrent orders never deadlock.
 */
export async function reserveStock(scope: Scope, lines: readonly StockLine[], options: MoveOptions): Promise<void> {
  const { deps } = scope;
  for (const line of [...lines].sort((a, b) => a.variantId.localeCompare(b.variantId))) {
    const [row] = await deps.db.query<{ stock: number }>(
      'update shop_variants set stock = stock - $1, updated_at = now() where id = $2 and stock >= $1 returning stock',
      [line.quantity, line.variantId],
    );
    if (!row) {
      const [variant] = await deps.db.query<{ sku: string }>('select sku from shop_variants where id = $1', [line.variantId]);
      throw outOfStock(line.variantId, variant?.sku ?? line.variantId);
    }
    const movementId = await recordMovement(scope, line.variantId, -line.quantity, 'reserved', options);
    await notifyIfLow(scope, line.variantId, movementId, row.stock, row.stock + line.quantity);
  }
}

/** Puts units back (a released reservation, a restocking refund). */
export async function returnStock(scope: Scope, lines: readonly StockLine[], reason: MovementReason, options: MoveOptions): Promise<void> {
  for (const line of [...lines].sort((a, b) => a.variantId.localeCompare(b.variantId))) {
    if (line.quantity <= 0) continue;
    const [row] = await scope.deps.db.query('update shop_variants set stock = stock + $1, updated_at = now() where id = $2 returning id', [
      line.quantity,
      line.variantId,
    ]);
    if (row) await recordMovement(scope, line.variantId, line.quantity, reason, options);
  }
}

/** Records that a reservation became a sale: stock stays as it is, the ledger shows `unreserved` +n and `sold` −n. */
export async function commitReservation(scope: Scope, lines: readonly StockLine[], options: MoveOptions): Promise<void> {
  for (const line of lines) {
    await recordMovement(scope, line.variantId, line.quantity, 'unreserved', options);
    await recordMovement(scope, line.variantId, -line.quantity, 'sold', options);
  }
}

/**
 * A manual adjustment by `delta` (a stock count, a delivery); refuses to go below zero with `409 out_of_stock`.
 * Returns the new stock.
 */
export async function adjustStock(
  scope: Scope,
  variantId: string,
  delta: number,
  options: MoveOptions & { reason: MovementReason },
): Promise<number | undefined> {
  const [row] = await scope.deps.db.query<{ stock: number }>(
    'update shop_variants set stock = stock + $1, updated_at = now() where id = $2 and stock + $1 >= 0 returning stock',
    [delta, variantId],
  );
  if (!row) {
    const [variant] = await scope.deps.db.query<{ sku: string }>('select sku from shop_variants where id = $1', [variantId]);
    if (!variant) return undefined;
    throw outOfStock(variantId, variant.sku);
  }
  if (delta !== 0) {
    const movementId = await recordMovement(scope, variantId, delta, options.reason, options);
    await notifyIfLow(scope, variantId, movementId, row.stock, row.stock - delta);
  }
  return row.stock;
}

/** Writes a line of the ledger; returns its id. */
async function recordMovement({ deps }: Scope, variantId: string, quantity: number, reason: MovementReason, options: MoveOptions): Promise<string> {
  const [row] = await deps.db.query<{ id: string }>(
    'insert into shop_stock_movements (variant_id, quantity, reason, order_id, note, actor_id) values ($1, $2, $3, $4, $5, $6) returning id',
    [variantId, quantity, reason, options.orderId ?? null, options.note ?? null, options.actorId ?? null],
  );
  return row!.id;
}

/**
 * When the movement `movementId` took stock across the tenant's threshold downwards (not again while it stays
 * low): emits `shop.stock.low` and notifies the staff who manage products, once per crossing (keyed by the
 * movement, so a retried request or job does not notify twice).
 */
async function notifyIfLow({ deps, settings }: Scope, variantId: string, movementId: string, stock: number, before: number): Promise<void> {
  const threshold = settings.stock_low_threshold;
  if (stock > threshold || before <= threshold) return;
  const [variant] = await deps.db.query<{ sku: string; product_id: string; product: string }>(
    'select v.sku, v.product_id, p.name as product from shop_variants v join shop_products p on p.id = v.product_id where v.id = $1',
    [variantId],
  );
  const sku = variant!.sku;
  await deps.events.emit('shop.stock.low', { variantId, sku, stock, threshold });
  await deps.notify.send({
    to: { permission: shopPermissions['products.manage'].name },
    template: 'shop.stock-low',
    data: { sku, product: variant!.product, stock, threshold },
    link: `/products/${variant!.product_id}`,
    key: `stock-low:${movementId}`,
  });
}
