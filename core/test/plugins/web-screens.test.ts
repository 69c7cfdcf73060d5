/**
 * A plugin's console screens (`web.screens`): the registry refuses a definition the console could not link to
 * (a name that is no custom element, an `on` that is none of the plugin's member routes, two primary screens on one
 * route), and the marketplace lists the screens with their links for the console.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePermissions, definePlugin, type Plugin, type WebScreen } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlugins, PluginError, validatePlugin } from '../../src/plugins/plugin-registry.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { version as coreVersion } from '../../src/version.js';

const webDir = mkdtempSync(path.join(tmpdir(), 'plinth-screens-'));
const permissions = definePermissions('pages', {
  'pages.view': { description: 'See pages', grantTo: ['admin', 'member', 'viewer'] },
  'pages.stats': { description: 'See page statistics', grantTo: ['admin'] },
});

/** A plugin `pages` with a list route, an item route and a public route, and `screens`. */
function pages(screens: readonly WebScreen[]): Plugin {
  return definePlugin({
    name: 'pages',
    version: '1.0.0',
    title: 'Pages',
    description: 'Pages with an editor',
    category: 'testing',
    requires: { core: '>=0.1.0' },
    permissions,
    web: { directory: webDir, screens },
    routes: ({ route }) => [
      route({ method: 'GET', path: '/pages', summary: 'Pages', permission: permissions['pages.view'], errors: [], handler: async () => [] }),
      route({ method: 'GET', path: '/pages/:id', summary: 'A page', permission: permissions['pages.view'], errors: [], handler: async () => ({}) }),
      route({ method: 'GET', path: '/pages/:id/public', summary: 'A page, for anyone', public: true, errors: [], handler: async () => ({}) }),
    ],
  });
}

const editor: WebScreen = { element: 'pages-editor', label: 'Editor', on: '/pages/:id', primary: true, icon: 'edit' };
const stats: WebScreen = { element: 'pages-stats', label: 'Statistics', on: '/pages/:id', permission: permissions['pages.stats'] };
const overview: WebScreen = { element: 'pages-overview', label: 'Overview', on: '/pages' };
const help: WebScreen = { element: 'pages-help', label: 'Help' };

describe('the registry checks screens', () => {
  it.each([
    ['an element name without a hyphen', [{ ...editor, element: 'editor' }], /plugin `pages`: screen editor element must be a custom element name/],
    ['an element name in capitals', [{ ...editor, element: 'Pages-Editor' }], /plugin `pages`: screen Pages-Editor element must be a custom element name/],
    ['an `on` that is no route of the plugin', [{ ...stats, on: '/posts/:id' }], /screen pages-stats on must be the path of one of the plugin's member routes/],
    ['an `on` that is a public route', [{ ...stats, on: '/pages/:id/public' }], /screen pages-stats on must be the path of one of the plugin's member routes/],
    [
      'two primary screens on one route',
      [editor, { ...stats, primary: true }],
      /plugin `pages`: screen pages-stats a primary screen needs on, and one per route/,
    ],
    ['a primary screen on no route', [{ ...help, primary: true }], /screen pages-help a primary screen needs on/],
  ])('refuses %s', (_case, screens, message) => {
    expect(() => validatePlugin(pages(screens))).toThrow(message);
    expect(() => orderPlugins([pages(screens)], coreVersion)).toThrow(PluginError);
  });

  it('accepts a primary screen per route, other screens beside it, and screens on no route', () => {
    expect(() => validatePlugin(pages([editor, stats, overview, help, { ...overview, element: 'pages-board', primary: true }]))).not.toThrow();
  });
});

describe('the marketplace lists screens', () => {
  let t: TestKernel;
  let owner: TestUser;
  beforeAll(async () => {
    t = await createTestKernel({ plugins: [pages([editor, stats, overview, help])] });
    owner = await signUp(t, { tenant: true });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('with their element, label, route, primary flag, icon and permission', async () => {
    const response = await t.request('GET', '/api/v1/marketplace', { headers: owner.headers });
    expect(response.status).toBe(200);
    const entry = (response.body.data as { name: string; web: string | null; screens: unknown[] }[]).find((plugin) => plugin.name === 'pages');
    expect(entry?.web).toBe('/web/pages/');
    expect(entry?.screens).toEqual([
      { element: 'pages-editor', label: 'Editor', on: '/pages/:id', primary: true, icon: 'edit', permission: null },
      { element: 'pages-stats', label: 'Statistics', on: '/pages/:id', primary: false, icon: null, permission: 'pages.pages.stats' },
      { element: 'pages-overview', label: 'Overview', on: '/pages', primary: false, icon: null, permission: null },
      { element: 'pages-help', label: 'Help', on: null, primary: false, icon: null, permission: null },
    ]);
  });
});
