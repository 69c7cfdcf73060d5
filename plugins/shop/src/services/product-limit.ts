import type { LimitDefinitions, TenantDb } from '@plinth/sdk';

/** The key of the shop's plan limit: how many products a tenant may have (`shop.products` in a plan). */
export const productsLimit = 'products';

/** The tenant's products, archived ones included (they stay in the catalogue; deleting one frees its place). */
export async function countProducts(db: TenantDb): Promise<number> {
  const row = await db.one<{ n: string }>('select count(*) as n from shop_products');
  return Number(row!.n);
}

/** The shop's plan limits (`definePlugin({ limits })`). */
export const shopLimits: LimitDefinitions = {
  [productsLimit]: { label: 'Products', usage: ({ db }) => countProducts(db) },
};
