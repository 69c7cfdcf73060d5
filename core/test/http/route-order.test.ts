import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePlugin, type Plugin } from '@plinth/sdk';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createKernel, loadConfig } from '../../src/index.js';
import { assertNoShadowedPaths, checkRoutes } from '../../src/http/route-checks.js';
import type { CoreRoute } from '../../src/http/route.js';

const route = (method: CoreRoute['method'], path: string): CoreRoute =>
  ({ method, path, summary: 'x', access: { public: true }, handler: async () => ({}) }) as CoreRoute;

/** A plugin serving `paths` (GET, public) in this order. */
function contactsPlugin(paths: string[]): Plugin {
  return definePlugin({
    name: 'contacts',
    version: '1.0.0',
    title: 'Contacts',
    description: 'Contacts',
    category: 'test',
    requires: { core: '^0.1.0' },
    routes: ({ route: define }) =>
      paths.map((routePath) => define({ method: 'GET', path: routePath, summary: routePath, public: true, handler: async () => ({}) })),
  });
}

/** A production configuration whose database nobody listens on: the boot must fail before it is needed. */
async function productionConfig() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-order-'));
  return loadConfig({
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
      PORT: '0',
      HOST: '127.0.0.1',
      PLINTH_DATA_DIR: dataDir,
      PLINTH_JWT_SECRET: 'production-secret-production-secret-01',
      PLINTH_ENCRYPTION_KEY: 'production-key-production-key-production-key',
    },
    cwd: dataDir,
  });
}

describe('a static path registered after a parametric sibling', () => {
  it('stops the boot, naming both routes', async () => {
    const plugin = contactsPlugin(['/contacts', '/contacts/:id', '/contacts/export']);
    await expect(createKernel(await productionConfig(), { plugins: [plugin], logger: pino({ level: 'silent' }) })).rejects.toThrow(
      'plugin `contacts`: route GET /contacts/contacts/export is registered after route GET /contacts/contacts/:id, which matches its path first',
    );
  });

  it('is refused deeper in the path too, and whatever the parameter is called', () => {
    expect(() => assertNoShadowedPaths([route('POST', '/orders/:id/lines/:line'), route('POST', '/orders/:order/lines/bulk')])).toThrow(
      'route POST /orders/:order/lines/bulk is registered after route POST /orders/:id/lines/:line',
    );
  });

  it('is fine listed first, with another method, or another depth', () => {
    expect(() =>
      assertNoShadowedPaths([
        route('GET', '/contacts/export'),
        route('GET', '/contacts/:id'),
        route('DELETE', '/contacts/:id'),
        route('POST', '/contacts/import'),
        route('GET', '/contacts/:id/notes'),
        route('GET', '/contacts/:id/:kind'),
        route('GET', '/contacts/:other'),
      ]),
    ).not.toThrow();
  });
});

describe('a root route under /api/', () => {
  // API requests skip the root routes (core/src/http/app.ts), so one there would never be served: the boot says so.
  it('stops the boot, naming the route', () => {
    const root = (path: string) => ({ ...route('GET', path), root: true, plugin: 'pages' }) as CoreRoute;
    expect(() => checkRoutes([root('/api/v1/pages/:slug')], () => 'root')).toThrow(
      'plugin `pages`: root route GET /api/v1/pages/:slug lies under /api/, which belongs to the platform',
    );
    expect(() => checkRoutes([root('/api')], () => 'root')).toThrow(/root route GET \/api lies under \/api\//);
    expect(() => checkRoutes([root('/apis/:slug'), root('/b/:slug')], () => 'root')).not.toThrow();
  });
});
