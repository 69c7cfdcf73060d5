import http from 'node:http';
import https from 'node:https';
import WooCommerceRestApiModule from '@woocommerce/woocommerce-rest-api';
import { pinnedLookup, vetHost } from '../webhooks/safe-request.js';
import type { WooOrder, WooProduct } from './mapping.js';

// The package is CommonJS with `exports.default`: Node's ESM loader hands over the exports object (class under
// `.default`), bundlers and vitest the class itself.
const WooCommerceRestApi: typeof WooCommerceRestApiModule.default =
  WooCommerceRestApiModule.default ?? (WooCommerceRestApiModule as unknown as typeof WooCommerceRestApiModule.default);

/** Reads a store's products and orders through the official WooCommerce REST client. */
export interface WooStoreReader {
  /** One page (1-based) of records modified after `since` (all when null), and whether more pages follow. */
  page(kind: 'products' | 'orders', page: number, since: Date | null): Promise<{ items: (WooProduct | WooOrder)[]; more: boolean }>;
}

const PER_PAGE = 50;

/**
 * A reader for the store at `storeUrl` (its base URL; tests point it at a local server). The store's host is vetted
 * like a webhook's (no private or metadata addresses; loopback only when allowed) and the client connects to the
 * vetted address only, with redirects off.
 */
export async function createStoreReader(store: { url: string; consumerKey: string; consumerSecret: string }, allowLoopback: boolean): Promise<WooStoreReader> {
  const vetted = await vetHost(new URL(store.url).hostname, allowLoopback);
  const lookup = pinnedLookup(vetted);
  const api = new WooCommerceRestApi({
    url: store.url,
    consumerKey: store.consumerKey,
    consumerSecret: store.consumerSecret,
    version: 'wc/v3',
    queryStringAuth: true,
    axiosConfig: {
      httpAgent: new http.Agent({ lookup }),
      httpsAgent: new https.Agent({ lookup }),
      maxRedirects: 0,
      timeout: 15_000,
      proxy: false,
    },
  });
  return {
    async page(kind, page, since) {
      const response = await api.get(kind, {
        per_page: PER_PAGE,
        page,
        orderby: 'id',
        order: 'asc',
        ...(since ? { modified_after: since.toISOString() } : {}),
      });
      const items = response.data as (WooProduct | WooOrder)[];
      const totalPages = Number(response.headers['x-wp-totalpages'] ?? 0);
      return { items, more: totalPages ? page < totalPages : items.length === PER_PAGE };
    },
  };
}
