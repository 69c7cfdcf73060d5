import { createHash } from 'node:crypto';
import type { ExternalOrder, ExternalProduct, ShopSyncApi } from '@plinth/plugin-shop';
import type { TenantDb } from '@plinth/sdk';
import { mapOrder, mapProduct, type WooOrder, type WooProduct } from './mapping.js';

/** What syncing one record did. */
export interface SyncOutcome {
  kind: 'product' | 'order';
  external_id: string;
  shop_id: string;
  status: 'created' | 'updated' | 'unchanged';
}

/** The `source` a connection's records carry in the shop. */
export const sourceOf = (connectionId: string) => `woocommerce:${connectionId}`;

/**
 * Maps and upserts one WooCommerce record into the shop, idempotently: a record whose mapping has not changed
 * since the last sync is not sent again; the shop's upsert is itself idempotent by (source, external id).
 */
export async function syncRecord(
  db: TenantDb,
  shop: ShopSyncApi,
  connectionId: string,
  record: { kind: 'product'; data: WooProduct; currency: string } | { kind: 'order'; data: WooOrder },
): Promise<SyncOutcome> {
  const source = sourceOf(connectionId);
  const mapped = record.kind === 'order' ? mapOrder(record.data, source) : mapProduct(record.data, source, record.currency);
  const fingerprint = createHash('sha256').update(JSON.stringify(mapped)).digest('hex');
  const externalId = mapped.externalId;
  const known = await db.one<{ shop_id: string; fingerprint: string }>(
    'select shop_id, fingerprint from integrations_woo_records where connection_id = $1 and kind = $2 and external_id = $3',
    [connectionId, record.kind, externalId],
  );
  if (known?.fingerprint === fingerprint) return { kind: record.kind, external_id: externalId, shop_id: known.shop_id, status: 'unchanged' };
  const result =
    record.kind === 'order'
      ? await shop.upsertOrder(mapped as ReturnType<typeof mapOrder>).then((order) => ({ id: order.orderId, created: order.created }))
      : await shop.upsertProduct(mapped as ReturnType<typeof mapProduct>).then((product) => ({ id: product.productId, created: product.created }));
  await db.query(
    `insert into integrations_woo_records (connection_id, kind, external_id, shop_id, fingerprint, mapped) values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant_id, connection_id, kind, external_id)
     do update set shop_id = excluded.shop_id, fingerprint = excluded.fingerprint, mapped = excluded.mapped, updated_at = now()`,
    [connectionId, record.kind, externalId, result.id, fingerprint, JSON.stringify(mapped)],
  );
  return { kind: record.kind, external_id: externalId, shop_id: result.id, status: result.created && !known ? 'created' : 'updated' };
}

/**
 * Applies a deletion in WooCommerce from the record's last synced mapping: a product is archived, an order
 * cancelled. `undefined` when the record was never synced (nothing to change).
 */
export async function applyDeletion(
  db: TenantDb,
  shop: ShopSyncApi,
  connectionId: string,
  kind: 'product' | 'order',
  externalId: string,
): Promise<SyncOutcome | undefined> {
  const known = await db.one<{ mapped: ExternalProduct | ExternalOrder }>(
    'select mapped from integrations_woo_records where connection_id = $1 and kind = $2 and external_id = $3',
    [connectionId, kind, externalId],
  );
  if (!known) return undefined;
  const mapped =
    kind === 'product'
      ? { ...(known.mapped as ExternalProduct), status: 'archived' as const }
      : { ...(known.mapped as ExternalOrder), status: 'cancelled' as const };
  const shopId =
    kind === 'product' ? (await shop.upsertProduct(mapped as ExternalProduct)).productId : (await shop.upsertOrder(mapped as ExternalOrder)).orderId;
  await db.query(
    'update integrations_woo_records set mapped = $4, fingerprint = $5, updated_at = now() where connection_id = $1 and kind = $2 and external_id = $3',
    [connectionId, kind, externalId, JSON.stringify(mapped), createHash('sha256').update(JSON.stringify(mapped)).digest('hex')],
  );
  return { kind, external_id: externalId, shop_id: shopId, status: 'updated' };
}
