import type { HttpClient } from '@plinth/sdk';
import type WooCommerceRestApiModule from '@woocommerce/woocommerce-rest-api';
import type { WooOrder, WooProduct } from './mapping.js';

type WooCommerceRestApi = typeof WooCommerceRestApiModule.default;
let loading: Promise<WooCommerceRestApi> | undefined;

/**
 * The official client, loaded on first use: it brings axios (about 18 MB resident), which a host whose tenants
 * connect no store never needs. The package is CommonJS with `exports.default`: Node's ESM loader hands over the
 * exports object (class under `.default`), bundlers and vitest the class itself.
 */
function wooClientClass(): Promise<WooCommerceRestApi> {
  return (loading ??= import('@woocommerce/woocommerce-rest-api').then(({ default: loaded }) => loaded.default ?? (loaded as unknown as WooCommerceRestApi)));
}

/** Reads a store's products and orders through the official WooCommerce REST client. */
export interface WooStoreReader {
  /** One page (1-based) of records modified after `since` (all when null), and whether more pages follow. */
  page(kind: 'products' | 'orders', page: number, since: Date | null): Promise<{ items: (WooProduct | WooOrder)[]; more: boolean }>;
}

const PER_PAGE = 50;

/**
 * A reader for the store at `storeUrl` (its base URL; tests point it at a local server). The official client builds
 * and signs the requests; they go out through the kernel's guarded client (`coreServices.http`: internal
 * destinations refused, the connection pinned to the vetted address, redirects not followed).
 */
export function createStoreReader(store: { url: string; consumerKey: string; consumerSecret: string }, http: HttpClient): WooStoreReader {
  let client: Promise<InstanceType<WooCommerceRestApi>> | undefined;
  const open = async () =>
    new (await wooClientClass())({
      url: store.url,
      consumerKey: store.consumerKey,
      consumerSecret: store.consumerSecret,
      version: 'wc/v3',
      queryStringAuth: true,
      axiosConfig: { adapter: throughKernel(http) as never },
    });
  return {
    async page(kind, page, since) {
      const api = await (client ??= open());
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

/** The part of axios's request config the adapter reads. */
interface AdapterConfig {
  url?: string;
  method?: string;
  params?: Record<string, unknown>;
  headers?: { toJSON?(): Record<string, unknown> } & Record<string, unknown>;
  data?: string;
  validateStatus?: ((status: number) => boolean) | null;
}

const TIMEOUT_MS = 15_000;

/** An axios adapter sending the client's requests with `http`; axios then parses the JSON as usual. */
function throughKernel(http: HttpClient) {
  return async (config: AdapterConfig) => {
    const url = new URL(config.url ?? '');
    for (const [name, value] of Object.entries(config.params ?? {})) if (value !== undefined && value !== null) url.searchParams.append(name, String(value));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers?.toJSON?.() ?? {})) if (value !== undefined && value !== null) headers[name] = String(value);
    const response = await http.fetch(url, { method: config.method ?? 'get', headers, ...(config.data ? { body: config.data } : {}), timeoutMs: TIMEOUT_MS });
    const answerHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => (answerHeaders[name] = value));
    const answer = { data: await response.text(), status: response.status, statusText: response.statusText, headers: answerHeaders, config, request: {} };
    if (config.validateStatus && !config.validateStatus(response.status)) {
      throw Object.assign(new Error(`Request failed with status code ${response.status}`), { response: answer });
    }
    return answer;
  };
}
