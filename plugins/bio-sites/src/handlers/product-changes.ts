import type {} from '@plinth/plugin-shop';
import type { Builders } from '../deps.js';
import { invalidatePage } from '../services/page-cache.js';

/**
 * Drops the cached pages that show a product the shop changed or deleted (a new name, an archived product), so
 * visitors see it at their next visit; prices set on variants reach the pages within `productPageTtlMs`.
 */
export const productChangeHandlers = ({ on }: Builders) =>
  (['shop.product.updated', 'shop.product.deleted'] as const).map((name) =>
    on(
      name,
      async ({ event, deps }) => {
        const sites = await deps.db.query<{ slug: string }>(
          `select distinct s.slug from bio_sites_sites s join bio_sites_blocks b on b.site_id = s.id
            where b.type = 'product' and b.data->>'product_id' = $1`,
          [event.payload.productId],
        );
        for (const site of sites) invalidatePage(deps, site.slug);
      },
      { id: `bio-sites.page-cache.${name}` },
    ),
  );
