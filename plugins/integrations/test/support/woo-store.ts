import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for a WooCommerce store's REST API (`/wp-json/wc/v3/products|orders`), recording what it was asked. */
export interface FakeWooStore {
  url: string;
  requests: URL[];
  products: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startFakeWooStore(perPage = 2): Promise<FakeWooStore> {
  const store: Omit<FakeWooStore, 'url' | 'close'> = { requests: [], products: [], orders: [] };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://store.test');
    store.requests.push(url);
    const match = /^\/wp-json\/wc\/v3\/(products|orders)$/.exec(url.pathname);
    if (request.method !== 'GET' || !match) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"rest_no_route"}');
      return;
    }
    const all = match[1] === 'products' ? store.products : store.orders;
    const page = Number(url.searchParams.get('page') ?? '1');
    const items = all.slice((page - 1) * perPage, page * perPage);
    response
      .writeHead(200, {
        'content-type': 'application/json',
        'x-wp-total': String(all.length),
        'x-wp-totalpages': String(Math.max(1, Math.ceil(all.length / perPage))),
      })
      .end(JSON.stringify(items));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(store, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as FakeWooStore;
}
