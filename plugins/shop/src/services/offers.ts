import { pagePath, type TenantInfo } from '@plinth/sdk';
import type { ShopOffersApi } from '../contract.js';
import type { Deps, Settings } from '../deps.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The {@link ShopOffersApi} under `shop.offers`: one query for every asked product; drafts, archived products,
 * products without variants, another tenant's ids and ids that are not UUIDs are simply absent from the map.
 */
export function createShopOffers(scope: { deps: Pick<Deps, 'db'>; settings: Settings; tenant: TenantInfo }): ShopOffersApi {
  const currency = scope.settings.currency ?? scope.tenant.currency;
  const activeOffers = async (where: string, value: unknown) => {
    const rows = await scope.deps.db.query<{ id: string; slug: string; name: string; price: number }>(
      `select p.id, p.slug, p.name, min(v.price)::int as price
         from shop_products p join shop_variants v on v.product_id = p.id
        where ${where} and p.status = 'active'
        group by p.id, p.slug, p.name`,
      [value],
    );
    return rows.map((row) => ({
      productId: row.id,
      slug: row.slug,
      name: row.name,
      price: row.price,
      currency,
      buyPath: pagePath(scope.tenant.slug, `/buy/${row.slug}`),
    }));
  };
  return {
    async offers(productIds) {
      const ids = [...new Set(productIds)].filter((id) => UUID.test(id));
      if (ids.length === 0) return new Map();
      return new Map((await activeOffers('p.id = any($1::uuid[])', ids)).map(({ productId, ...offer }) => [productId, offer]));
    },
    async offerBySlug(slug) {
      return (await activeOffers('p.slug = $1', slug))[0];
    },
  };
}
