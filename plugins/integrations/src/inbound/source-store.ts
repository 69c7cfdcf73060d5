import { randomBytes } from 'node:crypto';
import { NotFoundError, Type, type Static, type TenantDb } from '@plinth/sdk';
import { iso } from '../util.js';

/** A new inbound secret: `insec_` + 32 random bytes, base64url. Senders use the whole string as the HMAC key. */
export function newInboundSecret(): string {
  return `insec_${randomBytes(32).toString('base64url')}`;
}

export const InboundSource = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  enabled: Type.Boolean(),
  /** Where the sender posts (relative to the API's origin). */
  url: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type InboundSource = Static<typeof InboundSource>;

export interface SourceRow {
  id: string;
  name: string;
  enabled: boolean;
  secret_sealed: string;
  created_at: Date;
  updated_at: Date;
}

export function toSource(row: SourceRow, tenantSlug: string): InboundSource {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    url: `/api/v1/integrations/inbound/${tenantSlug}/${row.id}`,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

export async function findSource(db: TenantDb, id: string): Promise<SourceRow> {
  const row = await db.one<SourceRow>('select * from integrations_inbound_sources where id = $1', [id]);
  if (!row) throw new NotFoundError('Inbound source not found');
  return row;
}
