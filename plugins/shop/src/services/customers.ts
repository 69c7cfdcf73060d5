import type { TenantDb } from '@plinth/sdk';

/** A buyer of the tenant. */
export interface CustomerRow {
  id: string;
  email: string;
  name: string | null;
  user_id: string | null;
}

/**
 * The customer with `email` (case-insensitive), created on first purchase; a signed-in buyer's user id is linked
 * (and kept), a name given later fills in a missing one.
 */
export async function upsertCustomer(db: TenantDb, input: { email: string; name?: string | null; userId?: string | null }): Promise<CustomerRow> {
  const [row] = await db.query<CustomerRow>(
    `insert into shop_customers (email, name, user_id) values (lower($1), $2, $3)
       on conflict (tenant_id, email) do update
         set name = coalesce(excluded.name, shop_customers.name), user_id = coalesce(shop_customers.user_id, excluded.user_id), updated_at = now()
       returning id, email, name, user_id`,
    [input.email, input.name ?? null, input.userId ?? null],
  );
  return row!;
}
