import type { TenantDb } from '@plinth/sdk';

/**
 * The next value of a per-tenant counter (`order`, `invoice`). The counter row stays locked until the transaction
 * ends, so numbers are handed out in commit order and a rolled-back transaction gives its number back: no gaps.
 */
export async function nextNumber(db: TenantDb, name: 'order' | 'invoice'): Promise<number> {
  const [row] = await db.query<{ value: number }>(
    `insert into shop_counters (name, value) values ($1, 1)
       on conflict (tenant_id, name) do update set value = shop_counters.value + 1, updated_at = now() returning value`,
    [name],
  );
  return row!.value;
}

/** `SO-000042`: a prefix and a zero-padded sequence. */
export function formatNumber(prefix: string, value: number): string {
  return `${prefix}${String(value).padStart(6, '0')}`;
}
