import { randomBytes } from 'node:crypto';
import { NotFoundError, Type, type Static, type TenantDb } from '@plinth/sdk';
import { iso } from '../util.js';

/** The secret WooCommerce signs its webhooks with (pasted into the store's webhook settings). */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

export const WooConnection = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  store_url: Type.String(),
  consumer_key: Type.String(),
  currency: Type.String(),
  enabled: Type.Boolean(),
  /** Where the store's webhooks go (relative to the API's origin): topics order.* and product.*. */
  delivery_url: Type.String(),
  last_reconciled_at: Type.Union([Type.String(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type WooConnection = Static<typeof WooConnection>;

export interface ConnectionRow {
  id: string;
  name: string;
  store_url: string;
  consumer_key: string;
  currency: string;
  consumer_secret_sealed: string;
  webhook_secret_sealed: string;
  enabled: boolean;
  last_reconciled_at: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toConnection(row: ConnectionRow, tenantSlug: string): WooConnection {
  return {
    id: row.id,
    name: row.name,
    store_url: row.store_url,
    consumer_key: row.consumer_key,
    currency: row.currency,
    enabled: row.enabled,
    delivery_url: `/api/v1/integrations/woocommerce/${tenantSlug}/${row.id}`,
    last_reconciled_at: iso(row.last_reconciled_at),
    last_error: row.last_error,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

export async function findConnection(db: TenantDb, id: string): Promise<ConnectionRow> {
  const row = await db.one<ConnectionRow>('select * from integrations_woo_connections where id = $1', [id]);
  if (!row) throw new NotFoundError('WooCommerce connection not found');
  return row;
}
